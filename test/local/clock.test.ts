/** The local stack's simulated clock, schedule expressions and scheduler. */
import { DEFAULT_REMINDERS_CRON, DEFAULT_SWEEP_RATE } from '../../infra/constructs/notices';
import { DAY, dailyAt, every, HOUR, MINUTE, parseScheduleExpression, Scheduler, StackClock } from '../../local/clock';
import { stackSchedules } from '../../local/stack';

const at = (iso: string) => Date.parse(iso);

describe('StackClock', () => {
  it('stands still at rate 0, moves forward on demand and never back', () => {
    const clock = new StackClock('2026-09-14T01:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-09-14T01:00:00.000Z');
    clock.advance(90 * MINUTE);
    expect(clock.now().toISOString()).toBe('2026-09-14T02:30:00.000Z');
    expect(() => clock.set('2026-09-14T01:00:00Z')).toThrow(/does not go back/);
    expect(() => clock.advance(-1)).toThrow();
  });

  it('runs faster than real time at its rate', async () => {
    const clock = new StackClock('2026-09-14T01:00:00Z', 3600);
    await new Promise((r) => setTimeout(r, 50));
    // 50 ms real at 3600x is three simulated minutes (allow for timer slack).
    expect(clock.nowMs() - at('2026-09-14T01:00:00Z')).toBeGreaterThanOrEqual(170_000);
    clock.setRate(0);
    const frozen = clock.nowMs();
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.nowMs()).toBe(frozen);
  });
});

describe('schedule expressions', () => {
  it('fire on the minute for rates and at local time for cron in Asia/Seoul', () => {
    const minute = parseScheduleExpression('rate(1 minute)');
    expect(new Date(minute(at('2026-09-14T01:00:30Z'))).toISOString()).toBe('2026-09-14T01:01:00.000Z');
    const nine = parseScheduleExpression('cron(0 9 * * ? *)', 'Asia/Seoul');
    // 09:00 KST is 00:00 UTC; strictly after the instant given.
    expect(new Date(nine(at('2026-09-14T00:00:00Z'))).toISOString()).toBe('2026-09-15T00:00:00.000Z');
    expect(new Date(nine(at('2026-09-13T23:59:59Z'))).toISOString()).toBe('2026-09-14T00:00:00.000Z');
    const twice = parseScheduleExpression('cron(30 10,15 * * ? *)', 'Asia/Seoul');
    expect(new Date(twice(at('2026-09-14T01:31:00Z'))).toISOString()).toBe('2026-09-14T06:30:00.000Z');
    expect(dailyAt(9, 0)(at('2026-09-14T00:00:00Z'))).toBe(nine(at('2026-09-14T00:00:00Z')));
    expect(every(5 * MINUTE)(at('2026-09-14T00:04:59Z'))).toBe(at('2026-09-14T00:05:00Z'));
  });

  it('refuses what it cannot run faithfully', () => {
    expect(() => parseScheduleExpression('cron(0 9 ? * MON *)')).toThrow(/daily/);
    expect(() => parseScheduleExpression('cron(0 9 * * ? *)', 'America/New_York')).toThrow(/fixed-offset/);
    expect(() => parseScheduleExpression('every minute')).toThrow();
  });

  it('are the schedules the CDK stack deploys', () => {
    const s = stackSchedules();
    expect(s.remindersCron).toBe(DEFAULT_REMINDERS_CRON);
    expect(s.outboxSweepRate).toBe(DEFAULT_SWEEP_RATE);
    expect(s.timezone).toBe('Asia/Seoul');
    expect(() => parseScheduleExpression(s.pricePollRate, s.timezone)).not.toThrow();
    expect(() => parseScheduleExpression(s.deadlineCheckCron, s.timezone)).not.toThrow();
  });
});

describe('Scheduler', () => {
  it('fires due work oldest first, once per job however many periods passed', async () => {
    const clock = new StackClock('2026-09-14T00:00:30Z');
    const fired: string[] = [];
    const scheduler = new Scheduler(clock);
    scheduler.add({
      name: 'poll',
      recurrence: every(MINUTE),
      frequent: true,
      run: async (t) => void fired.push(`poll ${t.toISOString()}`),
    });
    scheduler.add({ name: 'daily', recurrence: dailyAt(9, 0), run: async () => void fired.push('daily') });
    scheduler.at(at('2026-09-14T00:10:00Z'), 'event 1', async () => void fired.push('event'));
    expect(new Date(scheduler.nextFiring() ?? 0).toISOString()).toBe('2026-09-14T00:10:00.000Z');
    clock.set('2026-09-14T03:00:00Z');
    expect(await scheduler.runDue()).toBe(1); // frequent runs are not counted
    expect(fired).toEqual(['poll 2026-09-14T03:00:00.000Z', 'event']);
    expect(scheduler.eventsLeft).toBe(0);
  });

  it('skips a frequent job in a fast-forward unless a job due with it asks for it', async () => {
    const clock = new StackClock('2026-09-14T00:00:30Z');
    const runs = { poll: 0, check: 0 };
    const scheduler = new Scheduler(clock);
    scheduler.add({ name: 'poll', recurrence: every(MINUTE), frequent: true, run: async () => void runs.poll++ });
    scheduler.add({ name: 'quiet', recurrence: every(HOUR), run: async () => undefined });
    scheduler.add({ name: 'check', recurrence: dailyAt(9, 0), after: ['poll'], run: async () => void runs.check++ });
    for (let h = 1; h <= 48; h++) {
      clock.set(at('2026-09-14T00:00:30Z') + h * HOUR);
      await scheduler.runDue({ frequentGapMs: DAY });
    }
    // Once on the first hour, then before each day's check (the gap alone would allow one a day).
    expect(runs.check).toBe(2);
    expect(runs.poll).toBeLessThanOrEqual(3);
    expect(scheduler.runs.get('quiet')).toBe(48);
  });

  it('keeps a failing job scheduled and records the failure', async () => {
    const clock = new StackClock('2026-09-14T00:00:00Z');
    const scheduler = new Scheduler(clock);
    scheduler.add({
      name: 'flaky',
      recurrence: every(MINUTE),
      run: async () => {
        throw new Error('boom');
      },
    });
    clock.advance(MINUTE);
    await scheduler.runDue();
    clock.advance(MINUTE);
    await scheduler.runDue();
    expect(scheduler.errors.map((e) => e.name)).toEqual(['flaky', 'flaky']);
  });
});
