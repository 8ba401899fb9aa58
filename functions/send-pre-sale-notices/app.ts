/**
 * The daily pre-sale notice run (EventBridge Scheduler, 09:00 Asia/Seoul; 징수법 §71③, 징수령 §70).
 *
 * Reads the sparse deadline index's pre-sale partitions for cases in custody, not held back, whose
 * custody became complete on or before today minus the shortest waiting period of the served cities
 * (never a scan), and sends the notice to each case whose own city's waiting period has passed
 * (city setting `preSaleNoticeAfterCustodyDays`, may be 0). The notice values the coins at the
 * price poller's latest bids; a case with a stale or disputed price waits for the next run.
 *
 * One notice per custody: sending moves the case out of IN_CUSTODY (and out of the index) in the
 * transaction that writes the notice record, so a re-run, a retry or an officer's "send now" in
 * between finds nothing to send. A case changed meanwhile is re-read (3 attempts). One case failing
 * does not stop the others; the run then throws at the end so that the Scheduler retries it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  available,
  preSaleNoticeDue,
  sendPreSaleNotice,
  type Actor,
  type Case,
  type Transition,
  type Valuation,
} from '#domain/case';
import { ConcurrencyConflictError, DuplicateRecordError, type CaseStore, type Cursor } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { addDays, kstDate, type LocalDate } from '#domain/dates';
import type { Decimal } from '#domain/money';
import type { PublishNotices } from '#adapters/sqs/notice-queue';

/** The price poller's latest bids (DynamoDbPriceStore). */
export interface LatestBids {
  latestBids(markets: string[]): Promise<Record<string, { bid: Decimal; at: string; flags?: readonly string[] }>>;
}

export interface PreSaleNoticeDeps {
  store: Pick<CaseStore, 'get' | 'commit' | 'awaitingPreSaleNotice'>;
  prices: LatestBids;
  publishNotices: PublishNotices;
  cities: readonly string[];
  /** Each city's settings (docs/LEGAL.md "Many cities"): its waiting period and notice window. */
  settings: CitySettingsSource;
  /** A notice states what the coins are worth now: prices older than this are not used. */
  maxPriceAgeMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => Date;
}

export interface PreSaleNoticeResult {
  date: LocalDate;
  sent: number;
  /** Found in the index but not due (its city's waiting period not over, changed meanwhile). */
  skipped: number;
  /** No usable price for a held coin: tried again on the next run. */
  unpriced: number;
  failed: number;
}

export class PreSaleNoticeRunError extends Error {
  override readonly name = 'PreSaleNoticeRunError';
}

/** Why no notice could be valued now (a stale or disputed price). */
export class NoCurrentPriceError extends Error {
  override readonly name = 'NoCurrentPriceError';
  constructor(readonly market: string) {
    super(`no current, undisputed price for ${market}`);
  }
}

const SYSTEM: Actor = { kind: 'SYSTEM', id: 'send-pre-sale-notices' };
const ATTEMPTS = 3;
const PAGE = 100;

/** The coins' value for the notice: the latest bids, fresh and undisputed, or NoCurrentPriceError. */
export async function currentValuation(
  c: Case,
  prices: LatestBids,
  now: Date,
  maxPriceAgeMs: number,
): Promise<Valuation[]> {
  const markets = c.holdings.filter((h) => available(h).gt(0)).map((h) => h.market);
  const bids = await prices.latestBids(markets);
  return markets.map((market) => {
    const price = bids[market];
    if (!price || (price.flags?.length ?? 0) > 0 || now.getTime() - Date.parse(price.at) > maxPriceAgeMs)
      throw new NoCurrentPriceError(market);
    return { market, bid: price.bid };
  });
}

export type SendOutcome = 'SENT' | 'NOT_DUE' | 'UNPRICED';

/**
 * Sends one case's pre-sale notice when `due` says so: load → value → transition → commit → publish.
 * Shared by the daily run and the officers' "send now" route.
 */
export async function sendOne(
  deps: Pick<PreSaleNoticeDeps, 'store' | 'prices' | 'publishNotices' | 'settings' | 'maxPriceAgeMs'>,
  ref: { cityId: string; caseId: string },
  ctx: { now: Date; actor: Actor; due: (c: Case) => boolean },
): Promise<{ outcome: SendOutcome; transition?: Transition }> {
  for (let attempt = 1; ; attempt++) {
    const c = await deps.store.get(ref.cityId, ref.caseId);
    if (!c || !ctx.due(c)) return { outcome: 'NOT_DUE' };
    let valuation: Valuation[];
    try {
      valuation = await currentValuation(c, deps.prices, ctx.now, deps.maxPriceAgeMs);
    } catch (error) {
      if (error instanceof NoCurrentPriceError) return { outcome: 'UNPRICED' };
      throw error;
    }
    const transition = sendPreSaleNotice(c, valuation, {
      now: ctx.now,
      actor: ctx.actor,
      settings: await deps.settings.get(c.cityId),
    });
    try {
      await deps.store.commit(c.version, transition);
    } catch (error) {
      // Sent meanwhile by another run (its notice record exists) or changed: re-read and re-check.
      if (
        (error instanceof ConcurrencyConflictError ||
          (error instanceof DuplicateRecordError && error.kind === 'NOTICE')) &&
        attempt < ATTEMPTS
      )
        continue;
      throw error;
    }
    await deps.publishNotices(transition);
    return { outcome: 'SENT', transition };
  }
}

export function createPreSaleNoticeRun(deps: PreSaleNoticeDeps): (event?: unknown) => Promise<PreSaleNoticeResult> {
  return async function run() {
    const now = deps.now();
    const date = kstDate(now);
    const result: PreSaleNoticeResult = { date, sent: 0, skipped: 0, unpriced: 0, failed: 0 };
    // The index is shared by every city: read up to the shortest waiting period, decide per city.
    const served = new Map(
      await Promise.all(deps.cities.map(async (cityId) => [cityId, await deps.settings.get(cityId)] as const)),
    );
    const shortestWait = Math.min(...[...served.values()].map((s) => s.preSaleNoticeAfterCustodyDays));
    if (!Number.isFinite(shortestWait)) return result;
    const failures: string[] = [];
    let cursor: Cursor | undefined;
    do {
      const page = await deps.store.awaitingPreSaleNotice(addDays(date, -shortestWait), {
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const entry of page.items) {
        const settings = served.get(entry.cityId);
        if (!settings) {
          result.skipped += 1;
          continue;
        }
        try {
          const { outcome } = await sendOne(deps, entry, {
            now,
            actor: SYSTEM,
            due: (c) => preSaleNoticeDue(c, date, settings),
          });
          if (outcome === 'SENT') result.sent += 1;
          else if (outcome === 'UNPRICED') result.unpriced += 1;
          else result.skipped += 1;
        } catch (error) {
          result.failed += 1;
          failures.push(entry.caseId);
          deps.logger.error('pre-sale notice failed for a case', {
            caseId: entry.caseId,
            error: error instanceof Error ? error.name : 'NonError',
          });
        }
      }
      cursor = page.cursor;
    } while (cursor);
    deps.logger.info('pre-sale notice run', { ...result });
    if (failures.length > 0)
      throw new PreSaleNoticeRunError(
        `${failures.length} pre-sale notice(s) failed: ${failures.slice(0, 5).join(', ')}; the run is retried (each step is idempotent)`,
      );
    return result;
  };
}
