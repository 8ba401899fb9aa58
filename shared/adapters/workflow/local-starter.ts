/**
 * The SaleWorkflowStarter of the local stack and the tests: runs the state machine definition the
 * CDK stack synthesizes (resolved by definition.ts) in-process with aws-local-stepfunctions, its
 * Task states bound by name to local handlers (the real step handlers). A second start of the same
 * execution name is a no-op, as on Step Functions. The interpreter supports JSONPath only (no
 * JSONata, no variables) and has no task tokens: the definition keeps to that.
 *
 * A development dependency: never imported by a Lambda entry.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from './definition';
import {
  deskExecutionName,
  type DeskExecutionInput,
  type DeskWorkflowStarter,
  saleExecutionName,
  type SaleExecutionInput,
  type SaleWorkflowStarter,
  type StartOutcome,
} from './sale-workflow';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type LocalTaskHandler = (input: Json) => Promise<Json> | Json;

/** One event of an execution's history (aws-local-stepfunctions' event log). */
export interface ExecutionEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}

export interface LocalExecution {
  name: string;
  input: SaleExecutionInput;
  /** The history so far (complete once `done` settles). */
  events: ExecutionEvent[];
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: unknown;
  /** Settles when the execution ends (never rejects). */
  done: Promise<void>;
}

export interface LocalStarterOptions {
  /** Task state name → local handler. */
  taskHandlers: Record<string, LocalTaskHandler>;
  /** Wait state name → milliseconds (e.g. 0 in tests, scaled in the local stack). */
  waitTimeOverrides?: Record<string, number>;
  /** State name → milliseconds before each retry. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  onEvent?(execution: LocalExecution, event: ExecutionEvent): void;
  /** The execution name of an input (default: a sale's, `saleExecutionName`); the desk's machine names its own. */
  executionName?(input: never): string;
}

export class LocalSaleWorkflowStarter implements SaleWorkflowStarter {
  /** The desk's machine: the same interpreter, the desk's input and names. */
  static forDesk(
    definition: AslDefinition,
    options: LocalStarterOptions,
  ): DeskWorkflowStarter & LocalSaleWorkflowStarter {
    const starter = new LocalSaleWorkflowStarter(definition, {
      ...options,
      executionName: (input: DeskExecutionInput) => deskExecutionName(input),
    });
    return starter as unknown as DeskWorkflowStarter & LocalSaleWorkflowStarter;
  }

  readonly executions = new Map<string, LocalExecution>();
  private readonly machine: StateMachine;

  constructor(
    definition: AslDefinition,
    private readonly options: LocalStarterOptions,
  ) {
    // Paths and ARNs are checked by the interpreter's validator (the synthesized ARNs are placeholders).
    this.machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
  }

  async start(input: SaleExecutionInput): Promise<StartOutcome> {
    const name = this.options.executionName
      ? this.options.executionName(input as never)
      : saleExecutionName(input.cityId, input.saleId, input.continuation);
    const existing = this.executions.get(name);
    if (existing) return { started: false, executionName: name, running: existing.status === 'RUNNING' };
    const execution: LocalExecution = { name, input, events: [], status: 'RUNNING', done: Promise.resolve() };
    this.executions.set(name, execution);
    const run = this.machine.run(input as unknown as Json, {
      overrides: {
        taskResourceLocalHandlers: this.options.taskHandlers,
        ...(this.options.waitTimeOverrides ? { waitTimeOverrides: this.options.waitTimeOverrides } : {}),
        ...(this.options.retryIntervalOverrides ? { retryIntervalOverrides: this.options.retryIntervalOverrides } : {}),
      },
      context: { Execution: { Name: name, Id: `arn:aws:states:local:000000000000:execution:sale:${name}` } },
    });
    const logging = (async () => {
      for await (const event of run.eventLogs) {
        const e = event as unknown as ExecutionEvent;
        execution.events.push(e);
        this.options.onEvent?.(execution, e);
      }
    })();
    execution.done = run.result.then(
      async (output) => {
        await logging;
        execution.status = 'SUCCEEDED';
        execution.output = output;
      },
      async (error: unknown) => {
        await logging.catch(() => undefined);
        execution.status = 'FAILED';
        execution.error = error;
      },
    );
    return {
      started: true,
      executionName: name,
      executionArn: `arn:aws:states:local:000000000000:execution:sale:${name}`,
    };
  }

  /** Waits until every execution started so far (and any they lead to) has ended. */
  async settle(): Promise<void> {
    let pending = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    while (pending.length > 0) {
      await Promise.all(pending.map((e) => e.done));
      pending = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    }
  }
}
