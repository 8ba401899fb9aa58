/**
 * Runs the stack's clock through the demo's months, event to event ("discrete-event" simulation):
 * between two firings nothing happens, so the clock jumps to the next one. While work is in flight
 * (queued messages, a sale step running) the clock holds still and the work finishes in real time;
 * once every running sale is waiting (between slices, for tomorrow's daily cap, for an officer) the
 * clock jumps to the earliest of their wake-ups and the next scheduled firing.
 */
import { kstDate } from '#domain/dates';
import { DAY, MINUTE } from './clock';
import type { LocalStack } from './stack';

export interface TimelineOptions {
  /** Stop here at the latest. */
  until: Date;
  /** Stop earlier once this says so (checked when nothing is in flight and no event is left). */
  done?(): Promise<boolean>;
  /** Real pause while work is in flight (default 20 ms). */
  busyPauseMs?: number;
  /**
   * In a jump, frequent jobs (price poll, outbox sweep) run at most this often unless a job that
   * needs them follows: every `busy` while sales are running (their circuit breaker reads the
   * poller's series), every `idle` otherwise (default 15 minutes and 7 days).
   */
  frequentGapMs?: { busy: number; idle: number };
  /** Called once per simulated day on which something fired. */
  onDay?(date: string): Promise<void> | void;
}

export interface TimelineResult {
  /** Clock moves. */
  steps: number;
  /** Real pauses while work was in flight. */
  busySteps: number;
  endedAt: Date;
  reason: 'done' | 'until';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTimeline(
  stack: Pick<LocalStack, 'clock' | 'scheduler' | 'pendingWork' | 'wake' | 'activeSteps' | 'workChanged'>,
  options: TimelineOptions,
): Promise<TimelineResult> {
  const { clock, scheduler } = stack;
  const until = options.until.getTime();
  const busyPause = options.busyPauseMs ?? 20;
  const gaps = options.frequentGapMs ?? { busy: 15 * MINUTE, idle: 7 * DAY };
  let steps = 0;
  let busySteps = 0;
  let day = kstDate(clock.now());
  let active = false;

  const dayTurn = async () => {
    const today = kstDate(clock.now());
    if (today !== day) {
      if (active) await options.onDay?.(day);
      day = today;
      active = false;
    }
  };

  for (;;) {
    // Sale steps running: busy whatever the queues hold. Woken when one parks or ends (no polling
    // of the queues and the table meanwhile), or after the pause at the latest.
    if (stack.activeSteps() > 0) {
      busySteps++;
      await stack.workChanged(busyPause);
      continue;
    }
    const pending = await stack.pendingWork();
    // Delayed messages (sale requests deferred at the cap) wait for running sales, which may be
    // waiting for the clock: then the clock moves on to their wake-up, not beyond.
    if (pending.messages > 0 || pending.active > 0 || (pending.delayed > 0 && pending.nextWake === undefined)) {
      busySteps++;
      await (pending.active > 0 ? stack.workChanged(busyPause) : sleep(busyPause));
      continue;
    }
    if (pending.waiting === 0 && scheduler.eventsLeft === 0 && options.done && (await options.done())) {
      await options.onDay?.(day);
      return { steps, busySteps, endedAt: clock.now(), reason: 'done' };
    }
    const firing = scheduler.nextFiring();
    const candidates = (pending.delayed > 0 ? [pending.nextWake] : [firing, pending.nextWake]).filter(
      (t): t is number => t !== undefined,
    );
    if (candidates.length === 0) break;
    const next = Math.min(...candidates);
    if (next > until) break;
    steps++;
    // Frequent jobs (price poll, outbox sweep) were due long ago, so they sort first and run once,
    // just before the firing, instead of at every period skipped.
    clock.set(Math.max(clock.nowMs(), next));
    await dayTurn();
    if (stack.wake() > 0) active = true;
    if ((await scheduler.runDue({ frequentGapMs: pending.waiting > 0 ? gaps.busy : gaps.idle })) > 0) active = true;
  }
  if (clock.nowMs() < until) clock.set(until);
  stack.wake();
  await options.onDay?.(day);
  return { steps, busySteps, endedAt: clock.now(), reason: 'until' };
}
