/**
 * The daily deadline check (EventBridge Scheduler, 09:00 Asia/Seoul; also invoked on demand).
 *
 * Reads the sparse deadline index for cases waiting on a date before today (never a scan) and
 * re-checks each case with the domain:
 *  - NOTICE_SENT past its deadline: `markDue` (or, nothing owed, closes it as PAID and releases the
 *    coins), then a sale request for its next attempt;
 *  - DUE without a running sale: a sale request for its next attempt.
 * Retry cadence for a DUE case whose last attempt stopped or failed: at most one new attempt a day
 * (the daily run; none on the day the last one ended), and at most SALE_MAX_ATTEMPTS attempts in
 * all, after which the case waits for an officer (metric SaleAttemptsExhausted, alarmed).
 * Running twice on a day sends the same request twice at most: the queue deduplicates by sale id
 * and the starter makes a repeat a no-op.
 *
 * One case failing does not stop the others; the run then ends with DeadlineCheckIncompleteError
 * so that the Scheduler retries it (every step is idempotent) and, at the end, dead-letters it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { CaseRuleError, markDue, nextSaleId, saleBlock, type Case, type Transition } from '#domain/case';
import { ConcurrencyConflictError, type CaseStore, type Cursor, type DeadlineEntry } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { kstDate, type LocalDate } from '#domain/dates';
import type { SaleRequestQueue } from '#adapters/workflow/sale-requests';

export interface DeadlineCheckDeps {
  store: CaseStore;
  saleRequests: SaleRequestQueue;
  /** Sends a committed transition's notices (best effort: the outbox sweeper re-sends). */
  publishNotices(transition: Pick<Transition, 'case' | 'notices'>): Promise<unknown>;
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  settings: CitySettingsSource;
  clock: () => Date;
  maxSaleAttempts: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Flushed by the Lambda composition (functions/lambda.ts) after each run. */
  metrics: Pick<Metrics, 'addMetric'>;
}

export interface DeadlineCheckSummary {
  date: LocalDate;
  checked: number;
  markedDue: number;
  closedAsPaid: number;
  saleRequests: number;
  waiting: number;
  exhausted: number;
  failed: number;
}

export class DeadlineCheckIncompleteError extends Error {
  override readonly name = 'DeadlineCheckIncompleteError';
}

type Outcome = 'MARKED_DUE' | 'CLOSED_AS_PAID' | 'REQUESTED' | 'WAITING' | 'EXHAUSTED' | 'NOT_DUE';

const COMMIT_ATTEMPTS = 3;
const PAGE = 100;

export function createDeadlineCheck(deps: DeadlineCheckDeps) {
  async function requestSale(c: Case, now: Date): Promise<void> {
    await deps.saleRequests.send({
      cityId: c.cityId,
      caseId: c.caseId,
      saleId: nextSaleId(c),
      requestedBy: c.saleRequest ? 'TAXPAYER' : 'DEADLINE',
      requestedAt: now.toISOString(),
    });
  }

  async function checkOne(entry: DeadlineEntry, now: Date): Promise<Outcome> {
    const on = kstDate(now);
    for (let attempt = 1; ; attempt++) {
      const c = await deps.store.get(entry.cityId, entry.caseId);
      if (!c) return 'NOT_DUE';
      const settings = await deps.settings.get(c.cityId);
      if (c.status === 'NOTICE_SENT') {
        let t: Transition;
        try {
          t = markDue(c, { now, actor: { kind: 'SYSTEM', id: 'deadline-check' }, settings });
        } catch (error) {
          if (!(error instanceof CaseRuleError)) throw error;
          deps.logger.info('not due', { caseId: c.caseId, code: error.code });
          return 'NOT_DUE';
        }
        try {
          await deps.store.commit(c.version, t);
        } catch (error) {
          if (error instanceof ConcurrencyConflictError && attempt < COMMIT_ATTEMPTS) continue;
          throw error;
        }
        await deps.publishNotices(t);
        if (t.case.status !== 'DUE') return 'CLOSED_AS_PAID';
        await requestSale(t.case, now);
        return 'MARKED_DUE';
      }
      if (c.status !== 'DUE') return 'NOT_DUE';
      if (saleBlock(c, on, settings) !== null) return 'NOT_DUE';
      if (c.saleAttempts >= deps.maxSaleAttempts) {
        deps.logger.warn('sale attempts exhausted: the case waits for an officer', {
          caseId: c.caseId,
          attempts: c.saleAttempts,
          lastError: c.lastError,
        });
        return 'EXHAUSTED';
      }
      // A DUE case whose last attempt ended today gets its next one tomorrow.
      if (c.saleAttempts > 0 && kstDate(c.updatedAt) >= on) return 'WAITING';
      await requestSale(c, now);
      return 'REQUESTED';
    }
  }

  return async function handler(_event: unknown = {}): Promise<DeadlineCheckSummary> {
    const now = deps.clock();
    const date = kstDate(now);
    const summary: DeadlineCheckSummary = {
      date,
      checked: 0,
      markedDue: 0,
      closedAsPaid: 0,
      saleRequests: 0,
      waiting: 0,
      exhausted: 0,
      failed: 0,
    };
    const failures: string[] = [];
    let cursor: Cursor | undefined;
    try {
      do {
        const page = await deps.store.dueByDeadline(date, { limit: PAGE, ...(cursor ? { cursor } : {}) });
        for (const entry of page.items) {
          summary.checked += 1;
          try {
            const outcome = await checkOne(entry, now);
            if (outcome === 'MARKED_DUE') {
              summary.markedDue += 1;
              summary.saleRequests += 1;
            } else if (outcome === 'REQUESTED') summary.saleRequests += 1;
            else if (outcome === 'CLOSED_AS_PAID') summary.closedAsPaid += 1;
            else if (outcome === 'WAITING') summary.waiting += 1;
            else if (outcome === 'EXHAUSTED') summary.exhausted += 1;
          } catch (error) {
            summary.failed += 1;
            failures.push(entry.caseId);
            deps.logger.error('deadline check failed for a case', {
              caseId: entry.caseId,
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            });
          }
        }
        cursor = page.cursor;
      } while (cursor);
    } finally {
      deps.metrics.addMetric('CasesMarkedDue', 'Count', summary.markedDue);
      deps.metrics.addMetric('SaleRequestsSent', 'Count', summary.saleRequests);
      deps.metrics.addMetric('SaleAttemptsExhausted', 'Count', summary.exhausted);
      deps.metrics.addMetric('DeadlineCheckFailures', 'Count', summary.failed);
    }
    deps.logger.info('deadline check', { ...summary });
    if (failures.length > 0)
      throw new DeadlineCheckIncompleteError(
        `${failures.length} of ${summary.checked} cases failed; the run is retried (every step is idempotent)`,
      );
    return summary;
  };
}
