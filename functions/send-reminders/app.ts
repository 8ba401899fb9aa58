/**
 * The daily reminder run (scheduled at 09:00 KST): for each number of days a served city reminds
 * before a deadline (city setting `reminderDaysBefore`, default 7 and 1), query the sparse deadline
 * index for cases whose deadline is exactly that many days ahead (never a scan), and for each one
 * still NOTICE_SENT: load → `sendReminder` → commit → publish.
 *
 * The reminder's notice id names the deadline and the day, so a second run on the same day (a retry,
 * an on-demand run) fails the commit on the existing notice record: that is "already sent", not an
 * error. A case changed meanwhile is re-read and re-checked. Any other failure is collected and the
 * run throws at the end (after every other case had its reminder), so the scheduler retries it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { reminderDue, sendReminder, type Actor } from '#domain/case';
import { ConcurrencyConflictError, DuplicateRecordError, type CaseStore } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { addDays, kstDate } from '#domain/dates';
import type { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import type { PublishNotices } from '#adapters/sqs/notice-queue';

export interface ReminderDeps {
  store: Pick<CaseStore, 'get' | 'commit'>;
  deadlines: Pick<DynamoDbOutboxStore, 'waitingOn'>;
  publishNotices: PublishNotices;
  /** The cities this deployment serves, and their settings. */
  cities: readonly string[];
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  settings: CitySettingsSource;
  logger: Logger;
  now?: () => Date;
}

export interface ReminderRunResult {
  date: string;
  sent: number;
  alreadySent: number;
  /** Found in the index but no reminder due (another city's day, changed meanwhile). */
  skipped: number;
}

export class ReminderRunError extends Error {
  override readonly name = 'ReminderRunError';
  constructor(readonly failures: { caseId: string; error: string }[]) {
    super(`${failures.length} reminder(s) failed: ${[...new Set(failures.map((f) => f.error))].join(', ')}`);
  }
}

const ACTOR: Actor = { kind: 'SYSTEM', id: 'send-reminders' };
const ATTEMPTS = 3;

export function createReminderRun(deps: ReminderDeps): () => Promise<ReminderRunResult> {
  const clock = deps.now ?? (() => new Date());

  type Outcome = 'SENT' | 'ALREADY_SENT' | 'SKIPPED';

  async function remind(cityId: string, caseId: string): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const c = await deps.store.get(cityId, caseId);
      if (!c) return 'SKIPPED';
      const ctx = { now: clock(), actor: ACTOR, settings: await deps.settings.get(cityId) };
      if (reminderDue(c, kstDate(ctx.now), ctx.settings) === null) return 'SKIPPED';
      const transition = sendReminder(c, ctx);
      try {
        await deps.store.commit(c.version, transition);
      } catch (error) {
        if (error instanceof DuplicateRecordError && error.kind === 'NOTICE') return 'ALREADY_SENT';
        if (error instanceof ConcurrencyConflictError && attempt < ATTEMPTS) continue;
        throw error;
      }
      await deps.publishNotices(transition);
      return 'SENT';
    }
  }

  return async function run() {
    const today = kstDate(clock());
    const served = new Set(deps.cities);
    const all = await Promise.all(deps.cities.map((city) => deps.settings.get(city)));
    const days = [...new Set(all.flatMap((s) => s.reminderDaysBefore))].sort((a, b) => b - a);
    const result: ReminderRunResult = { date: today, sent: 0, alreadySent: 0, skipped: 0 };
    const failures: { caseId: string; error: string }[] = [];
    for (const d of days) {
      const entries = await deps.deadlines.waitingOn(addDays(today, d));
      for (const entry of entries) {
        if (entry.status !== 'NOTICE_SENT' || !served.has(entry.cityId)) continue;
        try {
          const outcome = await remind(entry.cityId, entry.caseId);
          if (outcome === 'SENT') result.sent += 1;
          else if (outcome === 'ALREADY_SENT') result.alreadySent += 1;
          else result.skipped += 1;
        } catch (error) {
          const name = error instanceof Error ? error.name : 'NonError';
          failures.push({ caseId: entry.caseId, error: name });
          deps.logger.error('reminder failed', {
            cityId: entry.cityId,
            caseId: entry.caseId,
            daysBefore: d,
            error: name,
          });
        }
      }
    }
    deps.logger.info('reminders run', { ...result, failed: failures.length });
    if (failures.length > 0) throw new ReminderRunError(failures);
    return result;
  };
}
