/**
 * A sale execution's states from its history: Step Functions' event shapes collapsed into state
 * visits (retries inside their visit, a caught error, the end of the run), and the deployed reader
 * paging GetExecutionHistory newest first until it has the latest states. Step Functions itself
 * cannot run here: its answers are served by a stand-in that pages a recorded history as the service does.
 */
import { ExecutionDoesNotExist, type HistoryEvent } from '@aws-sdk/client-sfn';
import {
  executionArn,
  statesOf,
  StepFunctionsSaleExecutions,
  type HistoryEventLike,
} from '#adapters/workflow/execution-history';
import { asStepFunctionsHistory } from '../../../local/sale-workflow';

const at = (s: number) => new Date(Date.UTC(2026, 8, 15, 0, 0, s));
const entered = (name: string, type: string, s: number): HistoryEventLike => ({
  timestamp: at(s),
  type: `${type}StateEntered` as never,
  stateEnteredEventDetails: { name },
});
const exited = (name: string, type: string, s: number): HistoryEventLike => ({
  timestamp: at(s),
  type: `${type}StateExited` as never,
  stateExitedEventDetails: { name },
});
const lambda = (type: string, s: number, error?: string): HistoryEventLike => ({
  timestamp: at(s),
  type: type as never,
  ...(error ? { lambdaFunctionFailedEventDetails: { error } } : {}),
});

/** A run as Step Functions records it: a retried task, a choice, a wait, a task whose error is caught, the failure recorded. */
const RUN: HistoryEventLike[] = [
  { timestamp: at(0), type: 'ExecutionStarted' },
  entered('LoadCase', 'Task', 0),
  lambda('LambdaFunctionScheduled', 0),
  lambda('LambdaFunctionFailed', 1, 'Lambda.TooManyRequestsException'),
  lambda('LambdaFunctionScheduled', 3),
  lambda('LambdaFunctionSucceeded', 4),
  exited('LoadCase', 'Task', 4),
  entered('Allowed?', 'Choice', 4),
  exited('Allowed?', 'Choice', 4),
  entered('WaitForNextSlice', 'Wait', 4),
  exited('WaitForNextSlice', 'Wait', 64),
  entered('PlaceOrder', 'Task', 64),
  lambda('LambdaFunctionScheduled', 64),
  lambda('LambdaFunctionFailed', 65, 'ExchangeUnavailable'),
  entered('RecordFailure', 'Task', 65),
  lambda('LambdaFunctionScheduled', 65),
];

describe('statesOf', () => {
  it('makes one visit per state entered: retries stay in it, a caught error fails it, an open one runs', () => {
    expect(statesOf(RUN, 'RUNNING')).toEqual([
      {
        state: 'LoadCase',
        type: 'Task',
        enteredAt: at(0).toISOString(),
        exitedAt: at(4).toISOString(),
        status: 'SUCCEEDED',
        failures: 1,
        error: 'Lambda.TooManyRequestsException',
      },
      expect.objectContaining({ state: 'Allowed?', type: 'Choice', status: 'SUCCEEDED', failures: 0 }),
      expect.objectContaining({ state: 'WaitForNextSlice', type: 'Wait', exitedAt: at(64).toISOString() }),
      expect.objectContaining({ state: 'PlaceOrder', status: 'FAILED', failures: 1, error: 'ExchangeUnavailable' }),
      { state: 'RecordFailure', type: 'Task', enteredAt: at(65).toISOString(), status: 'RUNNING', failures: 0 },
    ]);
  });

  it('ends the open visit with the execution: failed with its error, or succeeded', () => {
    const failed = statesOf(
      [
        ...RUN,
        { timestamp: at(70), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
      ],
      'FAILED',
    ).at(-1);
    expect(failed).toMatchObject({ state: 'RecordFailure', status: 'FAILED', error: 'States.Timeout' });
    expect(failed?.exitedAt).toBe(at(70).toISOString());
    const done = statesOf([...RUN.slice(0, 7), { timestamp: at(5), type: 'ExecutionSucceeded' }], 'SUCCEEDED');
    expect(done.map((v) => v.status)).toEqual(['SUCCEEDED']);
  });

  it('reads the local workflow’s event log (aws-local-stepfunctions) the same way', () => {
    const local = asStepFunctionsHistory([
      { at: at(0).toISOString(), type: 'ExecutionStarted' },
      { at: at(0).toISOString(), type: 'StateEntered', state: 'LoadCase', stateType: 'Task' },
      {
        at: at(1).toISOString(),
        type: 'StateFailed',
        state: 'LoadCase',
        stateType: 'Task',
        error: 'Lambda.TooManyRequestsException',
      },
      { at: at(3).toISOString(), type: 'StateRetried', state: 'LoadCase', stateType: 'Task' },
      { at: at(4).toISOString(), type: 'StateExited', state: 'LoadCase', stateType: 'Task' },
      { at: at(4).toISOString(), type: 'StateEntered', state: 'Allowed?', stateType: 'Choice' },
      { at: at(4).toISOString(), type: 'StateExited', state: 'Allowed?', stateType: 'Choice' },
    ]);
    expect(statesOf(local, 'RUNNING')).toEqual(statesOf(RUN.slice(0, 9), 'RUNNING'));
  });
});

describe('StepFunctionsSaleExecutions', () => {
  const MACHINE = 'arn:aws:states:ap-northeast-2:123456789012:stateMachine:ctr-dev-sale';

  /** Serves DescribeExecution and GetExecutionHistory (newest first, `maxResults` a page) over a recorded history. */
  function stepFunctions(history: HistoryEventLike[], status = 'RUNNING') {
    const calls: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: jest.fn(async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        calls.push({ name, input: command.input });
        if (command.input.executionArn !== executionArn(MACHINE, 'cheongju_c1-sale-1'))
          throw new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} });
        if (name === 'DescribeExecutionCommand') return { status, startDate: at(0) };
        const events = [...history].reverse() as HistoryEvent[];
        const from = Number(command.input.nextToken ?? 0);
        const size = Number(command.input.maxResults);
        const page = events.slice(from, from + size);
        return { events: page, ...(from + size < events.length ? { nextToken: String(from + size) } : {}) };
      }),
    };
    return { client: client as never, calls };
  }

  it('names the execution by the state machine, and answers undefined for one that does not exist', async () => {
    expect(executionArn(MACHINE, 'x_y')).toBe('arn:aws:states:ap-northeast-2:123456789012:execution:ctr-dev-sale:x_y');
    const { client } = stepFunctions(RUN);
    await expect(
      new StepFunctionsSaleExecutions(client, MACHINE).states('cheongju_other', 10),
    ).resolves.toBeUndefined();
  });

  it('reads the whole history of a short run, newest first without execution data, into its visits', async () => {
    const { client, calls } = stepFunctions(RUN);
    const states = await new StepFunctionsSaleExecutions(client, MACHINE).states('cheongju_c1-sale-1', 50);
    expect(states).toMatchObject({ name: 'cheongju_c1-sale-1', status: 'RUNNING', truncated: false });
    expect(states?.states).toEqual(statesOf(RUN, 'RUNNING'));
    expect(calls.filter((c) => c.name === 'GetExecutionHistoryCommand')[0]?.input).toMatchObject({
      reverseOrder: true,
      includeExecutionData: false,
    });
  });

  it('pages back only until it has the latest states of a long run', async () => {
    // A day of slices: 2,000 visits of a task, 4 events each (8,000 events, 16 pages of 500).
    const long: HistoryEventLike[] = [{ timestamp: at(0), type: 'ExecutionStarted' }];
    for (let i = 0; i < 2000; i++)
      long.push(
        entered('PlaceOrder', 'Task', i),
        lambda('LambdaFunctionScheduled', i),
        lambda('LambdaFunctionSucceeded', i),
        exited('PlaceOrder', 'Task', i),
      );
    const { client, calls } = stepFunctions(long);
    const states = await new StepFunctionsSaleExecutions(client, MACHINE).states('cheongju_c1-sale-1', 200);
    expect(states?.states).toHaveLength(200);
    expect(states?.truncated).toBe(true);
    expect(states?.states.at(-1)?.enteredAt).toBe(at(1999).toISOString());
    expect(states?.states.every((v) => v.status === 'SUCCEEDED' && v.exitedAt)).toBe(true);
    // 201 entries at 125 a page: 2 pages, not 16.
    expect(calls.filter((c) => c.name === 'GetExecutionHistoryCommand')).toHaveLength(2);
  });
});
