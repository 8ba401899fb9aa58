/**
 * A sale execution's states as Step Functions ran them, for the officers' console: each visit of a
 * state (entered, exited, failed attempts), read from the execution's history.
 *
 *   deployed   StepFunctionsSaleExecutions: DescribeExecution, then GetExecutionHistory newest first,
 *              page by page, until enough state visits are read (least privilege: those two actions
 *              on the sale state machine's executions)
 *   local      the same events, made by the local workflow from aws-local-stepfunctions' event log
 *              (local/sale-workflow.ts), read through the same `statesOf`
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

/** One visit of a state: entered, and exited (SUCCEEDED), left by an error caught or ending the run (FAILED), or still RUNNING. */
export interface StateVisit {
  state: string;
  /** Task, Choice, Wait, Pass, Succeed, Fail, Map, Parallel. */
  type: string;
  enteredAt: string;
  exitedAt?: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** Failed attempts within the visit (retried by the definition, or the last one failing it). */
  failures: number;
  error?: string;
}

export interface ExecutionStates {
  name: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  /** The latest visits, oldest first. */
  states: StateVisit[];
  /** Earlier visits were not read (only the latest `limit` are kept). */
  truncated: boolean;
}

/** The port the API reads through: undefined when no execution has that name. */
export interface SaleExecutions {
  states(executionName: string, limit: number): Promise<ExecutionStates | undefined>;
}

/** The history event shapes statesOf reads (Step Functions' HistoryEvent; the local workflow makes the same). */
export type HistoryEventLike = Pick<
  HistoryEvent,
  | 'timestamp'
  | 'type'
  | 'stateEnteredEventDetails'
  | 'stateExitedEventDetails'
  | 'lambdaFunctionFailedEventDetails'
  | 'lambdaFunctionTimedOutEventDetails'
  | 'taskFailedEventDetails'
  | 'taskTimedOutEventDetails'
  | 'executionFailedEventDetails'
>;

const FAILURE =
  /^(LambdaFunction(Failed|TimedOut|StartFailed|ScheduleFailed)|Task(Failed|TimedOut|StartFailed|SubmitFailed))$/;

const failureOf = (e: HistoryEventLike) =>
  (
    e.lambdaFunctionFailedEventDetails ??
    e.lambdaFunctionTimedOutEventDetails ??
    e.taskFailedEventDetails ??
    e.taskTimedOutEventDetails
  )?.error ?? e.type;

/**
 * The state visits of a history (oldest event first). A retry stays in its visit (Step Functions
 * enters a state once and schedules the task again); a visit still open when another state is
 * entered left by a caught error, and one open when the execution ended is how it ended.
 */
export function statesOf(events: readonly HistoryEventLike[], executionStatus: string): StateVisit[] {
  const visits: StateVisit[] = [];
  let open: StateVisit | undefined;
  const close = (status: StateVisit['status'], at?: Date) => {
    if (!open) return;
    open.status = status;
    if (at) open.exitedAt = at.toISOString();
    open = undefined;
  };
  for (const e of events) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      close('FAILED');
      open = {
        state: e.stateEnteredEventDetails.name,
        type: type.slice(0, -'StateEntered'.length),
        enteredAt: (e.timestamp ?? new Date(0)).toISOString(),
        status: 'RUNNING',
        failures: 0,
      };
      visits.push(open);
    } else if (type.endsWith('StateExited') && open && e.stateExitedEventDetails?.name === open.state) {
      close('SUCCEEDED', e.timestamp);
    } else if (FAILURE.test(type) && open) {
      open.failures++;
      open.error = failureOf(e);
    } else if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      if (open && !open.error && e.executionFailedEventDetails?.error) open.error = e.executionFailedEventDetails.error;
      close('FAILED', e.timestamp);
    } else if (type === 'ExecutionSucceeded') {
      close('SUCCEEDED', e.timestamp);
    }
  }
  if (open && executionStatus !== 'RUNNING') open.status = executionStatus === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  return visits;
}

/** Keeps the latest `limit` visits. */
export function latest(visits: StateVisit[], limit: number): { states: StateVisit[]; truncated: boolean } {
  return { states: visits.slice(-limit), truncated: visits.length > limit };
}

/** An execution's ARN from its state machine's ARN and its name. */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const PAGE = 500;

export class StepFunctionsSaleExecutions implements SaleExecutions {
  constructor(
    private readonly client: Pick<SFNClient, 'send'>,
    readonly stateMachineArn: string,
  ) {}

  async states(name: string, limit: number): Promise<ExecutionStates | undefined> {
    const arn = executionArn(this.stateMachineArn, name);
    let execution;
    try {
      execution = await this.client.send(new DescribeExecutionCommand({ executionArn: arn }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
    const status = execution.status ?? 'RUNNING';
    // Newest first, a page at a time, until one more state entry than kept has been read (so the
    // oldest kept visit is whole) or the history is read to its start.
    const newestFirst: HistoryEvent[] = [];
    let entries = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetExecutionHistoryCommand({
          executionArn: arn,
          reverseOrder: true,
          includeExecutionData: false,
          maxResults: PAGE,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const e of page.events ?? []) {
        newestFirst.push(e);
        if (e.type?.endsWith('StateEntered')) entries++;
      }
      nextToken = page.nextToken;
    } while (nextToken && entries <= limit);
    const kept = latest(statesOf(newestFirst.reverse(), status), limit);
    return {
      name,
      status,
      ...(execution.startDate ? { startedAt: execution.startDate.toISOString() } : {}),
      ...(execution.stopDate ? { stoppedAt: execution.stopDate.toISOString() } : {}),
      states: kept.states,
      truncated: kept.truncated || nextToken !== undefined,
    };
  }
}
