/**
 * The sale workflow in the local stack: the state machine the CDK stack synthesizes, run by the sale
 * engineers' local starter (aws-local-stepfunctions) with every Task state bound to the real step
 * handlers, on the shared simulated clock.
 *
 * Waits pass in simulated time. The interpreter's Wait states are overridden to 0 ms; instead, after
 * a step returns, the definition itself says which Wait (if any) comes next and for how long (Choice
 * rules evaluated on the step's result, then the Wait's Seconds or SecondsPath), and the step's
 * answer is held back until the shared clock reaches the end of that wait. The stack's fast-forward
 * jumps the clock to the earliest such wake-up once every running sale is waiting, so a sale that
 * waits a day for its daily cap costs no real time, and one that sells every minute sees its minutes.
 *
 * The definition is synthesized in a child process (CDK is slow to load) and cached under
 * `.local/cache/`, keyed by a hash of what it is built from (infra/, cdk.json, the step contract and
 * the CDK version).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AslDefinition } from '#adapters/workflow/definition';
import { taskFunctions } from '#adapters/workflow/definition';
import { LocalSaleWorkflowStarter, type LocalTaskHandler } from '#adapters/workflow/local-starter';
import { saleExecutionName, type DeskWorkflowStarter } from '#adapters/workflow/sale-workflow';
import { latest, statesOf, type HistoryEventLike, type SaleExecutions } from '#adapters/workflow/execution-history';
import type { StackClock } from './clock';

// ---------------------------------------------------------------- the definition

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** A hash of everything the synthesized definition depends on. */
export function definitionFingerprint(root: string): string {
  const hash = createHash('sha256');
  const cdkVersion = (
    JSON.parse(readFileSync(join(root, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')) as { version: string }
  ).version;
  hash.update(`aws-cdk-lib@${cdkVersion}\n`);
  const files = [
    ...filesUnder(join(root, 'infra')),
    join(root, 'cdk.json'),
    join(root, 'functions', 'sale', 'steps.ts'),
    join(root, 'shared', 'adapters', 'workflow', 'definition.ts'),
  ].sort();
  for (const file of files)
    hash
      .update(`${relative(root, file)}\n`)
      .update(readFileSync(file))
      .update('\n');
  return hash.digest('hex');
}

function runChild(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`synthesizing the sale state machine failed (${signal ?? code}): ${output}`)),
    );
  });
}

export interface LoadedDefinition {
  definition: AslDefinition;
  /** The sale desk's state machine (docs/SALE-DESK.md), synthesized beside the sale's. */
  deskDefinition: AslDefinition;
  /** Reused from the cache (same sources), or synthesized now. */
  cached: boolean;
}

export async function loadSaleDefinition(root: string, cacheDir: string): Promise<LoadedDefinition> {
  const fingerprint = definitionFingerprint(root);
  const file = join(cacheDir, 'sale-definition.json');
  if (existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as {
        fingerprint: string;
        definition: AslDefinition;
        deskDefinition?: AslDefinition;
      };
      if (cached.fingerprint === fingerprint && cached.deskDefinition)
        return { definition: cached.definition, deskDefinition: cached.deskDefinition, cached: true };
    } catch {
      // unreadable: synthesize again
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `sale-definition.${process.pid}.${Date.now()}.tmp`);
  try {
    await runChild(['--import', 'tsx', join(root, 'local', 'synth-sale-definition.ts'), tmp], root);
    const { definition, deskDefinition } = JSON.parse(readFileSync(tmp, 'utf8')) as {
      definition: AslDefinition;
      deskDefinition: AslDefinition;
    };
    writeFileSync(tmp, JSON.stringify({ fingerprint, definition, deskDefinition }));
    renameSync(tmp, file);
    return { definition, deskDefinition, cached: false };
  } finally {
    rmSync(tmp, { force: true });
  }
}

// ---------------------------------------------------------------- waits in simulated time

/**
 * Tells waiters that something changed (a step parked, an execution ended), so the timeline looks
 * again at once instead of polling; `next` also settles after `timeoutMs` (work that ends without a
 * signal, such as a retry's real-time pause).
 */
export class ChangeSignal {
  private waiters: (() => void)[] = [];

  notify(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w();
  }

  next(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      this.waiters.push(done);
    });
  }
}

/** Steps held until the shared clock reaches their wake-up time. */
export class SimTimeGate {
  private waiters: { until: number; resolve: () => void }[] = [];
  /** Notified whenever a step parks here. */
  readonly parked = new ChangeSignal();

  constructor(private readonly clock: StackClock) {}

  wait(until: number): Promise<void> {
    if (this.clock.nowMs() >= until) return Promise.resolve();
    const held = new Promise<void>((resolve) => this.waiters.push({ until, resolve }));
    this.parked.notify();
    return held;
  }

  /** Lets go of every step whose time has come; returns how many. */
  release(): number {
    const now = this.clock.nowMs();
    const due = this.waiters.filter((w) => w.until <= now);
    this.waiters = this.waiters.filter((w) => w.until > now);
    for (const w of due) w.resolve();
    return due.length;
  }

  get blocked(): number {
    return this.waiters.length;
  }

  nextWake(): number | undefined {
    return this.waiters.length > 0 ? Math.min(...this.waiters.map((w) => w.until)) : undefined;
  }

  /** On stop: nothing stays parked. */
  releaseAll(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.resolve();
  }
}

type Json = unknown;

function getPath(data: Json, path: string): unknown {
  if (path === '$') return data;
  let value: unknown = data;
  for (const key of path.replace(/^\$\./, '').split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function setPath(path: string, value: unknown): Json {
  if (path === '$') return value;
  const keys = path.replace(/^\$\./, '').split('.');
  const root: Record<string, unknown> = {};
  let at = root;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) at[key] = value;
    else at = at[key] = {} as Record<string, unknown>;
  });
  return root;
}

/** A Choice rule on the data (the comparison operators the definition can use; a missing variable is false). */
function matches(rule: Record<string, unknown>, data: Json): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Record<string, unknown>[]).every((r) => matches(r, data));
  if (Array.isArray(rule.Or)) return (rule.Or as Record<string, unknown>[]).some((r) => matches(r, data));
  if (rule.Not) return !matches(rule.Not as Record<string, unknown>, data);
  const value = getPath(data, String(rule.Variable));
  for (const [op, expected] of Object.entries(rule)) {
    if (op === 'Variable' || op === 'Next') continue;
    if (op === 'IsPresent') return (value !== undefined) === expected;
    if (value === undefined) return false;
    if (op === 'StringEquals' || op === 'BooleanEquals' || op === 'NumericEquals') return value === expected;
    if (op === 'NumericGreaterThan') return typeof value === 'number' && value > Number(expected);
    if (op === 'NumericLessThan') return typeof value === 'number' && value < Number(expected);
    if (op === 'NumericGreaterThanEquals') return typeof value === 'number' && value >= Number(expected);
    if (op === 'NumericLessThanEquals') return typeof value === 'number' && value <= Number(expected);
    throw new Error(`the local sale clock cannot read Choice operator ${op}`);
  }
  return false;
}

/**
 * Seconds the machine waits after a Task state returned `result`: follows Next through Choice states
 * (their rules read only this step's result) to a Wait, or returns 0 when a Task or an end comes first.
 */
export function waitAfter(definition: AslDefinition, stateName: string, result: Json): number {
  return nextWait(definition, stateName, result)?.seconds ?? 0;
}

/** The Wait state that follows a Task's result (through Choice states), and its seconds. */
export function nextWait(
  definition: AslDefinition,
  stateName: string,
  result: Json,
): { state: string; seconds: number } | undefined {
  const task = definition.States[stateName];
  if (!task) return undefined;
  const data = setPath(typeof task.ResultPath === 'string' ? task.ResultPath : '$', result);
  let next = typeof task.Next === 'string' ? task.Next : undefined;
  for (let hops = 0; next && hops < 10; hops++) {
    const state = definition.States[next];
    if (!state) return undefined;
    if (state.Type === 'Choice') {
      const choices = (state.Choices as Record<string, unknown>[] | undefined) ?? [];
      const chosen = choices.find((rule) => matches(rule, data));
      next = (chosen?.Next as string | undefined) ?? (state.Default as string | undefined);
      continue;
    }
    if (state.Type === 'Wait') {
      const seconds =
        typeof state.Seconds === 'number'
          ? state.Seconds
          : typeof state.SecondsPath === 'string'
            ? getPath(data, state.SecondsPath)
            : 0;
      return { state: next, seconds: typeof seconds === 'number' && seconds > 0 ? seconds : 0 };
    }
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------- the local workflow

export interface LocalSaleWorkflowOptions {
  definition: AslDefinition;
  /** The desk's state machine, run by a second starter on the same handlers, clock and history. */
  deskDefinition?: AslDefinition;
  clock: StackClock;
  /** The two step Lambdas' handlers, by the logical id prefix of their function in the template. */
  caseSteps: (event: unknown) => Promise<unknown>;
  marketSteps: (event: unknown) => Promise<unknown>;
  onExecutionEnd?(name: string, status: string): void;
  /** The market steps' reserved concurrency (`concurrencyLimit`): a step beyond it waits its turn, as Step Functions retries a throttled Lambda. */
  concurrency?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** At most `limit` pieces of work at once; the others queue in order. */
export function concurrencyLimit(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/**
 * The definition as the local interpreter runs it: Task states without `TimeoutSeconds`. The
 * interpreter counts a task's timeout in real time, and here a task's answer is held until the
 * simulated wait after it has passed, and a market step may queue for the exchange lock, as a
 * throttled Lambda would be retried on AWS; nothing else changes.
 */
export function withoutTaskTimeouts(definition: AslDefinition): AslDefinition {
  const States = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type !== 'Task') return [name, state];
      const { TimeoutSeconds: _timeout, ...rest } = state;
      return [name, rest];
    }),
  );
  return { ...definition, States };
}

/** One event of an execution's history as the console shows it. */
export interface HistoryEvent {
  /** Simulated time. */
  at: string;
  type: string;
  state?: string;
  /** The state's type (Task, Choice, Wait, …). */
  stateType?: string;
  error?: string;
}

/**
 * The local event log as Step Functions' GetExecutionHistory gives it: `<Type>StateEntered` and
 * `<Type>StateExited` with the state's name, a failed attempt as LambdaFunctionFailed (the Task
 * states call their functions directly; a retry stays in its
 * visit: the interpreter's StateRetried and StateCaught have no event of their own there), the
 * execution's start and end.
 */
export function asStepFunctionsHistory(events: readonly HistoryEvent[]): HistoryEventLike[] {
  return events.flatMap((e): HistoryEventLike[] => {
    const timestamp = new Date(e.at);
    const type = e.stateType ?? 'Task';
    switch (e.type) {
      case 'StateEntered':
        return [{ timestamp, type: `${type}StateEntered` as never, stateEnteredEventDetails: { name: e.state } }];
      case 'StateExited':
        return [{ timestamp, type: `${type}StateExited` as never, stateExitedEventDetails: { name: e.state } }];
      case 'StateFailed':
        return [{ timestamp, type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: e.error } }];
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionAborted':
        return [{ timestamp, type: e.type }];
      case 'ExecutionFailed':
        return [{ timestamp, type: e.type, executionFailedEventDetails: { error: e.error } }];
      case 'ExecutionTimeout':
        return [{ timestamp, type: 'ExecutionTimedOut' }];
      default:
        return [];
    }
  });
}

export interface LocalSaleWorkflow {
  starter: LocalSaleWorkflowStarter;
  /** The desks' executions (`<city>_desk_<market>_<yyyymmdd>`), when the stack runs the desk. */
  deskStarter?: LocalSaleWorkflowStarter & DeskWorkflowStarter;
  gate: SimTimeGate;
  /** An execution's events, oldest first (what the Step Functions console shows). */
  history(executionName: string): HistoryEvent[];
  /** The executions' states as the API reads them on AWS (Step Functions' history), from this event log. */
  executions: SaleExecutions;
  /** The same for the desks' executions. */
  deskExecutions: SaleExecutions;
  /** Executions still running, and how many of them are waiting for simulated time. */
  running(): { running: number; waiting: number };
  /** Settles when a step parks for simulated time or an execution ends, or after `timeoutMs`. */
  changed(timeoutMs: number): Promise<void>;
}

export function createLocalSaleWorkflow(options: LocalSaleWorkflowOptions): LocalSaleWorkflow {
  const { definition, clock } = options;
  const gate = new SimTimeGate(clock);
  const history = new Map<string, HistoryEvent[]>();
  /** Executions whose step answer is held for a simulated wait: since when, and which Wait ends it. */
  const held = new Map<string, { from: string; wait: string }>();
  const handlers: Record<string, LocalTaskHandler> = {};
  // Like the market steps' reserved concurrency on AWS. The exchange's limits are kept by the rate
  // budget every caller shares (the same DynamoDB buckets as deployed), not by this.
  const marketSteps = options.concurrency
    ? (event: unknown) => options.concurrency!(() => options.marketSteps(event))
    : options.marketSteps;
  const tasks = {
    ...taskFunctions(definition),
    ...(options.deskDefinition ? taskFunctions(options.deskDefinition) : {}),
  };
  const definitions = [definition, ...(options.deskDefinition ? [options.deskDefinition] : [])];
  for (const [stateName, logicalId] of Object.entries(tasks)) {
    const owner = definitions.find((d) => d.States[stateName]) ?? definition;
    const fn = logicalId.startsWith('SaleCaseSteps')
      ? options.caseSteps
      : logicalId.startsWith('SaleMarketSteps')
        ? marketSteps
        : undefined;
    if (!fn) throw new Error(`no local handler for ${stateName} (function ${logicalId})`);
    handlers[stateName] = async (input) => {
      // As Lambda does: JSON in, JSON out.
      const output = JSON.parse(JSON.stringify((await fn(JSON.parse(JSON.stringify(input)))) ?? null)) as never;
      const wait = nextWait(owner, stateName, output);
      if (wait && wait.seconds > 0) {
        const ref = input as { cityId?: string; saleId?: string; executionName?: string };
        const name =
          ref.executionName ?? (ref.cityId && ref.saleId ? saleExecutionName(ref.cityId, ref.saleId) : undefined);
        // The history shows the wait where it belongs: everything up to the Wait's exit happened now.
        if (name) held.set(name, { from: clock.now().toISOString(), wait: wait.state });
        await gate.wait(clock.nowMs() + wait.seconds * 1000);
      }
      return output;
    };
  }
  const waitsOf = (d: AslDefinition) =>
    Object.entries(d.States)
      .filter(([, s]) => s.Type === 'Wait')
      .map(([name]) => name);
  const waits = waitsOf(definition);
  const onEvent: NonNullable<ConstructorParameters<typeof LocalSaleWorkflowStarter>[1]['onEvent']> = (
    execution,
    event,
  ) => {
    // The console's history, stamped with the simulated clock (the interpreter stamps real time).
    const list = history.get(execution.name) ?? history.set(execution.name, []).get(execution.name)!;
    const hold = held.get(execution.name);
    const waitEnds = hold !== undefined && event.type === 'StateExited' && event.state?.name === hold.wait;
    if (waitEnds) held.delete(execution.name);
    const at = hold && !waitEnds ? hold.from : clock.now().toISOString();
    list.push({
      at,
      type: event.type,
      ...(event.state ? { state: event.state.name, stateType: event.state.type } : {}),
      ...(event.Error ? { error: event.Error } : {}),
    });
    if (event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed' || event.type === 'ExecutionAborted') {
      options.onExecutionEnd?.(execution.name, event.type);
      // Its status is set once `done` settles: a waiter that looks then sees it ended.
      void execution.done.then(() => gate.parked.notify());
    }
  };
  const deskStarter = options.deskDefinition
    ? LocalSaleWorkflowStarter.forDesk(withoutTaskTimeouts(options.deskDefinition), {
        taskHandlers: handlers,
        waitTimeOverrides: Object.fromEntries(waitsOf(options.deskDefinition).map((w) => [w, 0])),
        onEvent,
      })
    : undefined;
  const starter = new LocalSaleWorkflowStarter(withoutTaskTimeouts(definition), {
    taskHandlers: handlers,
    // The waits happen in simulated time, above. Retry pauses keep the definition's real intervals:
    // they answer the exchange's rate limits and bans, which count real seconds.
    waitTimeOverrides: Object.fromEntries(waits.map((w) => [w, 0])),
    onEvent,
  });
  /** A starter's executions' states as the API reads them on AWS, from this event log. */
  const executionsOf = (from: LocalSaleWorkflowStarter | undefined): SaleExecutions => ({
    async states(name, limit) {
      const execution = from?.executions.get(name);
      if (!execution) return undefined;
      const events = history.get(name) ?? [];
      const kept = latest(statesOf(asStepFunctionsHistory(events), execution.status), limit);
      const ended = events.find((e) => /^Execution(Succeeded|Failed|Aborted|Timeout)$/.test(e.type));
      return {
        name,
        status: execution.status,
        ...(events[0] ? { startedAt: events[0].at } : {}),
        ...(ended ? { stoppedAt: ended.at } : {}),
        ...kept,
      };
    },
  });
  return {
    starter,
    ...(deskStarter ? { deskStarter } : {}),
    gate,
    history: (name) => history.get(name) ?? [],
    executions: executionsOf(starter),
    deskExecutions: executionsOf(deskStarter),
    running() {
      let running = 0;
      for (const e of starter.executions.values()) if (e.status === 'RUNNING') running++;
      for (const e of deskStarter?.executions.values() ?? []) if (e.status === 'RUNNING') running++;
      return { running, waiting: gate.blocked };
    },
    changed: (timeoutMs) => gate.parked.next(timeoutMs),
  };
}
