/**
 * Simulated time for the local stack: one clock shared by the schedules, the exchange simulator and
 * every handler (each takes "now" from it), and a scheduler that plays EventBridge Scheduler on it.
 *
 * The clock runs at a rate (simulated ms per real ms; 0 = paused) and can be moved forward at once.
 * The demo moves it event to event ("discrete-event" fast-forward: nothing happens between two
 * firings, so there is no point waiting for them); afterwards it runs at a steady rate while the
 * API is served. Time never goes backwards.
 */
import { SimClock } from './exchange-sim';

export class StackClock extends SimClock {
  #anchorSim: number;
  #anchorReal: number;
  #rate: number;

  constructor(start: Date | string | number, rate = 0) {
    super(start);
    this.#anchorSim = toMs(start);
    this.#anchorReal = Date.now();
    this.#rate = checkedRate(rate);
  }

  override nowMs(): number {
    return this.#anchorSim + Math.floor((Date.now() - this.#anchorReal) * this.#rate);
  }

  override now(): Date {
    return new Date(this.nowMs());
  }

  /** Moves the clock to an instant; an instant in the past is refused (schedules and prices only go forward). */
  override set(instant: Date | string | number): void {
    const ms = toMs(instant);
    const current = this.nowMs();
    if (ms < current)
      throw new RangeError(
        `the clock does not go back (from ${new Date(current).toISOString()} to ${new Date(ms).toISOString()})`,
      );
    this.#anchorSim = ms;
    this.#anchorReal = Date.now();
  }

  override advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance by ${ms}`);
    this.set(this.nowMs() + ms);
  }

  get rate(): number {
    return this.#rate;
  }

  /** 0 pauses; 1 is real time; 60 runs a simulated minute per real second. */
  setRate(rate: number): void {
    const now = this.nowMs();
    this.#anchorSim = now;
    this.#anchorReal = Date.now();
    this.#rate = checkedRate(rate);
  }
}

function checkedRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`not a clock rate: ${rate}`);
  return rate;
}

function toMs(instant: Date | string | number): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}

// ---------------------------------------------------------------- recurrences

/** The next firing strictly after an instant. */
export type Recurrence = (afterMs: number) => number;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Every `period`, aligned on the epoch (so "every minute" fires on the minute). */
export function every(periodMs: number, offsetMs = 0): Recurrence {
  if (!(periodMs > 0)) throw new RangeError('a period must be positive');
  return (after) => Math.floor((after - offsetMs) / periodMs) * periodMs + periodMs + offsetMs;
}

/** Fixed-offset zones only (no daylight saving): enough for Korea, which has none. */
const ZONE_OFFSET_MINUTES: Record<string, number> = { 'Asia/Seoul': 540, UTC: 0, 'Etc/UTC': 0 };

export function zoneOffsetMinutes(timezone: string): number {
  const offset = ZONE_OFFSET_MINUTES[timezone];
  if (offset === undefined)
    throw new RangeError(
      `the local scheduler knows fixed-offset zones only (${Object.keys(ZONE_OFFSET_MINUTES).join(', ')}), not ${timezone}`,
    );
  return offset;
}

/** Daily at hh:mm in a zone. */
export function dailyAt(hour: number, minute: number, timezone = 'Asia/Seoul'): Recurrence {
  return every(DAY, ((hour * 60 + minute - zoneOffsetMinutes(timezone)) * MINUTE + DAY) % DAY);
}

/**
 * The EventBridge Scheduler expressions the stack is configured with (cdk.json `schedules`):
 * `rate(N minute|minutes|hour|hours|day|days)` and daily or sub-daily `cron(m h * * ? *)` whose
 * minute and hour fields are a number, `*` or `a/b`.
 */
export function parseScheduleExpression(expression: string, timezone = 'Asia/Seoul'): Recurrence {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const unit = rate[2]!.startsWith('minute') ? MINUTE : rate[2]!.startsWith('hour') ? HOUR : DAY;
    return every(Number(rate[1]) * unit);
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression.trim());
  if (!cron) throw new RangeError(`not a schedule expression: ${expression}`);
  const [, min, hour, dom, month, dow, year] = cron as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!['*', '?'].includes(dom) || month !== '*' || !['*', '?'].includes(dow) || !['*', '?'].includes(year)) {
    throw new RangeError(`the local scheduler runs daily and sub-daily cron expressions only: ${expression}`);
  }
  const values = (field: string, max: number): number[] => {
    if (field === '*') return Array.from({ length: max }, (_, i) => i);
    const step = /^(\d+)\/(\d+)$/.exec(field);
    if (step) {
      const out: number[] = [];
      for (let v = Number(step[1]); v < max; v += Number(step[2])) out.push(v);
      return out;
    }
    const list = field.split(',').map(Number);
    if (list.some((v) => !Number.isInteger(v) || v < 0 || v >= max))
      throw new RangeError(`cannot read cron field ${field} in ${expression}`);
    return list;
  };
  const offset = zoneOffsetMinutes(timezone);
  // Every firing in a day, as minutes after local midnight, sorted.
  const firings = values(hour, 24)
    .flatMap((h) => values(min, 60).map((m) => h * 60 + m))
    .sort((a, b) => a - b);
  if (firings.length === 0) throw new RangeError(`cron expression never fires: ${expression}`);
  return (after) => {
    const local = after + offset * MINUTE;
    const dayStart = Math.floor(local / DAY) * DAY;
    for (const dayOffset of [0, DAY]) {
      for (const f of firings) {
        const at = dayStart + dayOffset + f * MINUTE - offset * MINUTE;
        if (at > after) return at;
      }
    }
    throw new Error('unreachable: a daily cron fires within two days');
  };
}

// ---------------------------------------------------------------- scheduler

export interface ScheduledJob {
  name: string;
  recurrence: Recurrence;
  /** Invoked with the clock's instant; the scheduler waits for it (a job never overlaps itself). */
  run(at: Date): Promise<unknown>;
  /**
   * Frequent background work (price poll, outbox sweep). A fast-forward runs it once before each
   * other firing instead of at every period it skips, as a missed run of EventBridge Scheduler
   * outside its window is not caught up either.
   */
  frequent?: boolean;
  /** Frequent jobs that must run right before this one even in a fast-forward (e.g. a fresh price poll). */
  after?: readonly string[];
}

export interface JobRun {
  name: string;
  at: Date;
  ms: number;
  error?: unknown;
}

interface Pending {
  name: string;
  at: number;
  seq: number;
  job?: ScheduledJob;
  once?: () => Promise<unknown>;
}

export class Scheduler {
  readonly errors: JobRun[] = [];
  readonly runs = new Map<string, number>();
  /** Real milliseconds spent per job name. */
  readonly spentMs = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private seq = 0;
  private readonly lastRun = new Map<string, number>();
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly clock: StackClock,
    private readonly onRun: (run: JobRun) => void = () => {},
  ) {}

  /** A recurring job; its first firing is the first occurrence after now. */
  add(job: ScheduledJob): void {
    if (this.pending.some((p) => p.job?.name === job.name))
      throw new Error(`a job named ${job.name} is scheduled already`);
    this.pending.push({ name: job.name, at: job.recurrence(this.clock.nowMs()), seq: this.seq++, job });
  }

  /** A one-off event at an instant (the demo's taxpayers and city system act through these). */
  at(instant: Date | number, name: string, run: () => Promise<unknown>): void {
    this.pending.push({
      name,
      at: typeof instant === 'number' ? instant : instant.getTime(),
      seq: this.seq++,
      once: run,
    });
  }

  /** The next firing (of recurring jobs other than frequent ones, and one-off events), if any. */
  nextFiring(options: { includeFrequent?: boolean } = {}): number | undefined {
    const candidates = this.pending.filter((p) => options.includeFrequent || !p.job?.frequent).map((p) => p.at);
    return candidates.length > 0 ? Math.min(...candidates) : undefined;
  }

  /** The recurring jobs' names. */
  jobNames(): string[] {
    return this.pending.filter((p) => p.job).map((p) => p.name);
  }

  /** One-off events still to come. */
  get eventsLeft(): number {
    return this.pending.filter((p) => p.once).length;
  }

  /**
   * Fires everything due at the clock's current instant, oldest first, one at a time. A recurring
   * job fires once however many of its periods passed (missed periods are not caught up) and is
   * rescheduled after now. Returns how many firings other than frequent jobs ran.
   *
   * `frequentGapMs` (fast-forward): a frequent job that ran less than this long ago is skipped
   * unless a job due at the same instant names it in `after` (the price poll still runs right
   * before the deadline check), so skipping a quiet week costs a handful of polls, not thousands.
   */
  runDue(options: { frequentGapMs?: number } = {}): Promise<number> {
    // Callers (the real-time ticker and a fast-forward) never run firings at the same time.
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.then(() => this.fire(options.frequentGapMs ?? 0));
    this.running = next;
    return next;
  }

  private async fire(frequentGapMs: number): Promise<number> {
    let count = 0;
    for (;;) {
      const now = this.clock.nowMs();
      const dueNow = this.pending.filter((p) => p.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      const due = dueNow[0];
      if (!due) return count;
      this.pending.splice(this.pending.indexOf(due), 1);
      if (due.job) this.pending.push({ ...due, at: due.job.recurrence(now), seq: this.seq++ });
      if (due.job?.frequent && frequentGapMs > 0) {
        const recent = now - (this.lastRun.get(due.name) ?? -Infinity) < frequentGapMs;
        const wanted = dueNow.some((p) => p.job?.after?.includes(due.name));
        if (recent && !wanted) continue;
      }
      this.lastRun.set(due.name, now);
      const at = this.clock.now();
      const started = Date.now();
      let error: unknown;
      try {
        await (due.job ? due.job.run(at) : due.once?.());
      } catch (e) {
        error = e;
      }
      if (!due.job?.frequent) count++;
      this.runs.set(due.name, (this.runs.get(due.name) ?? 0) + 1);
      const kind = due.job ? due.name : due.name.replace(/ \d+$/, '');
      this.spentMs.set(kind, (this.spentMs.get(kind) ?? 0) + Date.now() - started);
      const run: JobRun = { name: due.name, at, ms: Date.now() - started, ...(error === undefined ? {} : { error }) };
      if (error !== undefined) this.errors.push(run);
      this.onRun(run);
    }
  }

  /** Fires due work every `tickMs` of real time while the clock runs at its rate. */
  startTicking(tickMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runDue(), tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
