/**
 * Runs the stack's clock through the demo's months, event to event. Between firings nothing
 * happens, so the clock jumps to the next one (running the frequent jobs, such as the price poll,
 * once just before it). While work is in flight (queued messages, running sales) it slows to a
 * simulated minute per step, so the sales see prices move and their waits pass in simulated time.
 */
import { kstDate } from '#domain/dates';
import { HOUR, MINUTE } from './clock';
import type { LocalStack } from './stack';

export interface TimelineOptions {
  /** Stop here at the latest. */
  until: Date;
  /** Stop earlier once this says so (checked when nothing is in flight and no event is left). */
  done?(): Promise<boolean>;
  /** Simulated time per step while work is in flight (default 1 minute). */
  busyStepMs?: number;
  /** Real pause per busy step, letting the work progress (default 15 ms). */
  busyPauseMs?: number;
  /** In a jump, frequent jobs run at most this often unless a recurring job follows (default 6 hours). */
  frequentGapMs?: number;
  /** Called once per simulated day on which something fired. */
  onDay?(date: string): Promise<void> | void;
}

export interface TimelineResult {
  steps: number;
  busySteps: number;
  endedAt: Date;
  reason: 'done' | 'until';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTimeline(stack: Pick<LocalStack, 'clock' | 'scheduler' | 'pendingWork'>, options: TimelineOptions): Promise<TimelineResult> {
  const { clock, scheduler } = stack;
  const until = options.until.getTime();
  const busyStep = options.busyStepMs ?? MINUTE;
  const busyPause = options.busyPauseMs ?? 15;
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
    steps++;
    const pending = await stack.pendingWork();
    if (pending.messages + pending.running > 0) {
      busySteps++;
      // Notices only need the dispatcher to catch up; sales need time to pass (waits, prices).
      if (pending.needsClock) {
        if (clock.nowMs() + busyStep > until) break;
        clock.advance(busyStep);
        await dayTurn();
        if ((await scheduler.runDue()) > 0) active = true;
      }
      await sleep(busyPause);
      continue;
    }
    if (scheduler.eventsLeft === 0 && options.done && (await options.done())) {
      await options.onDay?.(day);
      return { steps, busySteps, endedAt: clock.now(), reason: 'done' };
    }
    const next = scheduler.nextFiring();
    if (next === undefined || next > until) break;
    // Frequent jobs (price poll, outbox sweep) were due long ago, so they sort first and run
    // once, just before the firing, instead of at every period skipped.
    clock.set(Math.max(clock.nowMs(), next));
    await dayTurn();
    if ((await scheduler.runDue({ frequentGapMs: options.frequentGapMs ?? 6 * HOUR })) > 0) active = true;
  }
  if (clock.nowMs() < until) clock.set(until);
  await options.onDay?.(day);
  return { steps, busySteps, endedAt: clock.now(), reason: 'until' };
}
