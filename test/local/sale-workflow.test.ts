/** How the local stack runs the sale state machine's waits on the simulated clock. */
import type { AslDefinition } from '#adapters/workflow/definition';
import { StackClock } from '../../local/clock';
import {
  ChangeSignal,
  concurrencyLimit,
  nextWait,
  SimTimeGate,
  waitAfter,
  withoutTaskTimeouts,
} from '../../local/sale-workflow';

// The shape of the synthesized definition around two of its waits (infra/constructs/sale-workflow.ts).
const definition: AslDefinition = {
  StartAt: 'CheckSaleAllowed',
  States: {
    CheckSaleAllowed: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:ap-northeast-2:123456789012:function:SaleCaseStepsX',
      ResultPath: '$.check',
      Next: 'IsSaleAllowed',
      TimeoutSeconds: 40,
    },
    IsSaleAllowed: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.check.next', StringEquals: 'SETTLE', Next: 'Settle' },
        { Variable: '$.check.next', StringEquals: 'AWAIT_APPROVAL', Next: 'AwaitApproval' },
      ],
      Default: 'QuoteMarket',
    },
    AwaitApproval: { Type: 'Wait', SecondsPath: '$.check.waitSeconds', Next: 'CheckSaleAllowed' },
    QuoteMarket: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:ap-northeast-2:123456789012:function:SaleMarketStepsX',
      ResultPath: '$.guard',
      Next: 'Settle',
    },
    PlaceOrder: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:ap-northeast-2:123456789012:function:SaleMarketStepsX',
      ResultPath: '$.order',
      Next: 'WasOrderPlaced',
    },
    WasOrderPlaced: {
      Type: 'Choice',
      Choices: [{ Variable: '$.order.status', StringEquals: 'ABSENT', Next: 'CheckSaleAllowed' }],
      Default: 'WaitForFill',
    },
    WaitForFill: { Type: 'Wait', Seconds: 2, Next: 'Settle' },
    Settle: { Type: 'Succeed' },
  },
};

describe('waits read from the definition', () => {
  it('follow Choice rules on the step result to the Wait and its seconds', () => {
    expect(nextWait(definition, 'CheckSaleAllowed', { next: 'AWAIT_APPROVAL', waitSeconds: 300 })).toEqual({
      state: 'AwaitApproval',
      seconds: 300,
    });
    expect(waitAfter(definition, 'CheckSaleAllowed', { next: 'QUOTE', waitSeconds: 0 })).toBe(0);
    expect(waitAfter(definition, 'CheckSaleAllowed', { next: 'SETTLE', waitSeconds: 99 })).toBe(0);
    expect(waitAfter(definition, 'PlaceOrder', { status: 'PLACED' })).toBe(2);
    expect(waitAfter(definition, 'PlaceOrder', { status: 'ABSENT' })).toBe(0);
    expect(waitAfter(definition, 'QuoteMarket', { action: 'GO' })).toBe(0);
    expect(waitAfter(definition, 'Nowhere', {})).toBe(0);
  });

  it('leave the definition as it is but for the Task timeouts', () => {
    const local = withoutTaskTimeouts(definition);
    expect(local.States.CheckSaleAllowed).not.toHaveProperty('TimeoutSeconds');
    expect({ ...definition.States.CheckSaleAllowed, TimeoutSeconds: undefined }).toEqual({
      ...local.States.CheckSaleAllowed,
      TimeoutSeconds: undefined,
    });
    expect(local.States.AwaitApproval).toBe(definition.States.AwaitApproval);
  });
});

describe('SimTimeGate', () => {
  it('holds steps until the shared clock reaches their wake-up, earliest first', async () => {
    const clock = new StackClock('2026-12-01T00:00:00Z');
    const gate = new SimTimeGate(clock);
    const woke: string[] = [];
    void gate.wait(clock.nowMs() + 60_000).then(() => woke.push('a'));
    void gate.wait(clock.nowMs() + 2_000).then(() => woke.push('b'));
    await gate.wait(clock.nowMs());
    expect(gate.blocked).toBe(2);
    expect(gate.nextWake()).toBe(clock.nowMs() + 2_000);
    clock.advance(2_000);
    expect(gate.release()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(woke).toEqual(['b']);
    clock.advance(58_000);
    gate.release();
    await new Promise((r) => setImmediate(r));
    expect(woke).toEqual(['b', 'a']);
    expect(gate.nextWake()).toBeUndefined();
  });

  it('tells the timeline when a step parks, so it need not poll', async () => {
    const clock = new StackClock('2026-12-01T00:00:00Z');
    const gate = new SimTimeGate(clock);
    let parked = false;
    // A long fallback: only the park can settle it within the test.
    const changed = gate.parked.next(60_000).then(() => (parked = true));
    await new Promise((r) => setImmediate(r));
    expect(parked).toBe(false);
    // A wait already due parks nothing.
    await gate.wait(clock.nowMs());
    await new Promise((r) => setImmediate(r));
    expect(parked).toBe(false);
    void gate.wait(clock.nowMs() + 1_000);
    await changed;
    expect(parked).toBe(true);
  });
});

describe('ChangeSignal', () => {
  it('settles after its timeout when nothing changes, and only once notified otherwise', async () => {
    const signal = new ChangeSignal();
    const started = Date.now();
    await signal.next(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const settled: string[] = [];
    void signal.next(60_000).then(() => settled.push('first'));
    void signal.next(60_000).then(() => settled.push('second'));
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    signal.notify();
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['first', 'second']);
  });
});

describe('concurrencyLimit', () => {
  it('runs at most the limit at once, the rest in order', async () => {
    const limit = concurrencyLimit(1);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        limit(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          order.push(n);
          running--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
  });
});
