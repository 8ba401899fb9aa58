/**
 * One rate budget for the city's exchange account (issue 13 §4), in the local stack as `npm start`
 * runs it: the exchange simulator at Upbit's own limits (orders 12 a second, other exchange calls 30,
 * each quotation group 10, counted in real seconds; 429 over them, 418 to a caller that keeps
 * going), every caller within the rate budget in the table, the market steps at their deployed
 * reserved concurrency, the starter capping running sales. Three times the cap's worth of cases pass
 * their deadline on one day: the 09:00 deadline check asks for all their sales at once. Every sale
 * settles, the exchange never bans the account, and the 429s it answered are counted and reported.
 * The cap is lowered to 8 (deployed: DEFAULT_MAX_RUNNING_SALES, 30): 8 sales quoting and ordering at
 * once already ask more than Upbit's limits allow (10 quotations a second), so the budget is what
 * keeps them inside, as it does for 30, at a sixth of the CPU of 150 sales.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  confirmCustody,
  recordPreSaleDelivery,
  registerCase,
  requestTransfer,
  sendPreSaleNotice,
  type Case,
  type Transition,
  type TransitionContext,
} from '#domain/case';
import { Decimal, decimal, won, ZERO } from '#domain/money';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runTimeline } from '../../local/timeline';

// DynamoDB Local's start, then the sales paced by the exchange's real-second limits.
jest.setTimeout(300_000);

const CITY = 'cheongju';
const MAX_RUNNING_SALES = 8;
const SALES = 3 * MAX_RUNNING_SALES;
/** Each market's coin and a quantity worth a few hundred thousand won (well under the approval threshold). */
const SEIZED = [
  { market: 'KRW-BTC', quantity: '0.012' },
  { market: 'KRW-ETH', quantity: '0.12' },
  { market: 'KRW-XRP', quantity: '500' },
] as const;

describe('one rate budget: three times the running-sales cap start at once at Upbit’s own limits', () => {
  let stack: LocalStack | undefined;
  let client: DynamoDBClient | undefined;
  let stateDir: string;
  const s = () => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'rate-budget-'));
    stack = await startLocalStack({
      start: '2026-09-14T08:50:00+09:00',
      stateDir,
      maxRunningSales: MAX_RUNNING_SALES,
    });
    client = createDynamoDbClient({ DYNAMODB_ENDPOINT: stack.dynamodb.endpoint });
  });

  afterAll(async () => {
    client?.destroy();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** A case whose pre-sale notice deadline passed: the next 09:00 check makes it due and asks for its sale. */
  async function caseAwaitingSale(n: number): Promise<void> {
    const settings = await s().citySettings.get(CITY);
    const ctx = (at: string): TransitionContext => ({
      now: new Date(at),
      actor: { kind: 'CITY_SYSTEM', id: 'rate-budget-test' },
      settings,
    });
    const { market, quantity } = SEIZED[n % SEIZED.length]!;
    const bills = [
      {
        billId: 'B1',
        taxItem: '지방소득세',
        provincial: false,
        dueDate: '2025-05-31',
        cost: ZERO,
        tax: won(String(150_000 + 1000 * n)),
        surcharge: won('4500'),
        surchargeAsOf: '2026-06-30',
      },
    ];
    const registered = registerCase(
      {
        cityId: CITY,
        caseId: `rb-${n}`,
        cityCaseRef: `RB-${n}`,
        taxpayer: {
          ref: `TP-RB-${n}`,
          name: '김납세',
          contact: { phone: '010-0000-0000', address: '충청북도 청주시 상당구 상당로 155' },
        },
        bills,
      },
      ctx('2026-06-01T00:00:00Z'),
    );
    await s().store.create(registered);
    let c: Case = registered.case;
    const outbox = new DynamoDbOutboxStore(client!, s().tableName);
    // The months before: its letters were delivered long ago (only the sales are under test here).
    const delivered = async (t: Transition) => {
      for (const n of t.notices)
        await outbox.markSent(
          { cityId: CITY, caseId: c.caseId, noticeId: n.noticeId },
          { channel: 'POST', reference: 'delivered-before', sentAt: t.audit.at, title: n.kind, text: '', sha256: '' },
        );
    };
    await delivered(registered);
    const commit = async (t: Transition) => {
      await s().store.commit(c.version, t);
      c = t.case;
      await delivered(t);
    };
    const q = decimal(quantity);
    await commit(requestTransfer(c, [{ market, quantity: q }], ctx('2026-06-02T00:00:00Z')));
    await commit(confirmCustody(c, { market, quantity: q }, ctx('2026-06-10T00:00:00Z')));
    s().exchange.accounts.credit(market.split('-')[1]!, quantity, s().exchangeKeys.accessKey);
    await commit(sendPreSaleNotice(c, [{ market, bid: new Decimal('1') }], ctx('2026-07-01T00:00:00Z')));
    await commit(
      recordPreSaleDelivery(
        c,
        { noticeId: c.preSaleNotice!.noticeId, outcome: 'DELIVERED', on: '2026-07-02' },
        ctx('2026-07-02T00:00:00Z'),
      ),
    );
  }

  it('settles every sale with no 418, the 429s counted, never more sales running than the cap', async () => {
    for (let n = 0; n < SALES; n += MAX_RUNNING_SALES)
      await Promise.all(Array.from({ length: MAX_RUNNING_SALES }, (_, k) => caseAwaitingSale(n + k)));
    const requestsBefore = s().exchange.requests.length;

    let peakSelling = 0;
    const sampler = setInterval(() => {
      void s()
        .store.countByStatus(CITY, 'SELLING')
        .then(
          (n) => void (peakSelling = Math.max(peakSelling, n)),
          () => undefined,
        );
    }, 250);
    const started = Date.now();
    try {
      await runTimeline(s(), {
        until: new Date('2026-09-15T09:00:00+09:00'),
        done: async () => (await s().store.countByStatus(CITY, 'SETTLED')) === SALES,
      });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;

    const requests = s().exchange.requests.slice(requestsBefore);
    const count = (status: number) => requests.filter((r) => r.status === status).length;
    const report = {
      sales: SALES,
      seconds,
      exchangeRequests: requests.length,
      '429': count(429),
      '418': count(418),
      peakSelling,
      startsDeferred: s().metrics.counts.get('SaleStartsDeferred') ?? 0,
    };
    console.log(`${SALES} sales at Upbit's own limits: ${JSON.stringify(report)}`);

    expect(await s().store.countByStatus(CITY, 'SETTLED')).toBe(SALES);
    for (let n = 0; n < SALES; n++) expect((await s().store.get(CITY, `rb-${n}`))?.saleAttempts).toBe(1);
    expect(count(418)).toBe(0);
    // The budget keeps every caller inside the limits; a 429 could only come from timing at the edge.
    expect(count(429)).toBeLessThanOrEqual(Math.ceil(requests.length / 100));
    // The cap held (the starter counts one request after another), and it was reached: starts were deferred, none lost.
    expect(peakSelling).toBeLessThanOrEqual(MAX_RUNNING_SALES);
    expect(report.startsDeferred).toBeGreaterThan(0);
    expect(s().metrics.counts.get('SalesStarted')).toBe(SALES);
  });
});
