/**
 * The pre-sale notice run (징수법 §71③, 징수령 §70): every case of a served city that is IN_CUSTODY
 * on or after the city's notice date gets its pre-sale notice, valued at the price poller's latest
 * bids; the deadline follows from the city's notice window. Written in the shape of a scheduled
 * handler (deps in, one run function out) because no Lambda does this yet: the local stack runs it
 * daily at 09:00 KST, after the morning deadline check and reminders, right after a price poll.
 *
 * A case changed meanwhile is re-read (3 attempts); a case whose notice is already recorded fails
 * its commit on the notice record and counts as sent. Failures are collected and thrown at the end.
 */
import { available, sendPreSaleNotice, type Actor, type Valuation } from '#domain/case';
import { ConcurrencyConflictError, DuplicateRecordError, type CaseStore } from '#domain/case-store';
import type { CitySettings } from '#domain/city-settings';
import { isBefore, kstDate, type LocalDate } from '#domain/dates';
import type { Decimal } from '#domain/money';
import type { PublishNotices } from '#adapters/sqs/notice-queue';

export interface PreSaleNoticeDeps {
  store: Pick<CaseStore, 'get' | 'commit' | 'listByStatus'>;
  prices: { latestBids(markets: string[]): Promise<Record<string, { bid: Decimal; at: string; flags?: readonly string[] }>> };
  publishNotices: PublishNotices;
  cities: readonly string[];
  settingsFor: (cityId: string) => CitySettings;
  /** Runs a price poll now (a notice values the coins at a fresh price); called when the latest is older than `maxPriceAgeMs`. */
  refreshPrices?(): Promise<unknown>;
  maxPriceAgeMs?: number;
  /** The first day the city sends pre-sale notices (its campaign); absent: at once. */
  noticeFrom?(cityId: string): LocalDate | undefined;
  now: () => Date;
}

export interface PreSaleNoticeResult {
  sent: number;
  alreadySent: number;
  /** No usable price for a held coin: tried again on the next run. */
  unpriced: number;
}

export class PreSaleNoticeRunError extends Error {
  override readonly name = 'PreSaleNoticeRunError';
}

const ACTOR: Actor = { kind: 'SYSTEM', id: 'pre-sale-notices' };
const ATTEMPTS = 3;

export function createPreSaleNoticeRun(deps: PreSaleNoticeDeps): () => Promise<PreSaleNoticeResult> {
  return async function run() {
    const now = deps.now();
    const today = kstDate(now);
    const result: PreSaleNoticeResult = { sent: 0, alreadySent: 0, unpriced: 0 };
    const failures: string[] = [];
    for (const cityId of deps.cities) {
      const from = deps.noticeFrom?.(cityId);
      if (from && isBefore(today, from)) continue;
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.store.listByStatus(cityId, 'IN_CUSTODY', { limit: 100, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((i) => i.caseId));
        cursor = page.cursor;
      } while (cursor);
      for (const caseId of ids) {
        try {
          const outcome = await notify(cityId, caseId, now);
          if (outcome === 'SENT') result.sent++;
          else if (outcome === 'ALREADY_SENT') result.alreadySent++;
          else if (outcome === 'UNPRICED') result.unpriced++;
        } catch (error) {
          failures.push(`${caseId}: ${error instanceof Error ? error.name : 'NonError'}`);
        }
      }
    }
    if (failures.length > 0) throw new PreSaleNoticeRunError(`${failures.length} pre-sale notice(s) failed: ${failures.slice(0, 5).join(', ')}`);
    return result;
  };

  async function notify(cityId: string, caseId: string, now: Date): Promise<'SENT' | 'ALREADY_SENT' | 'UNPRICED' | 'SKIPPED'> {
    for (let attempt = 1; ; attempt++) {
      const c = await deps.store.get(cityId, caseId);
      if (!c || c.status !== 'IN_CUSTODY') return 'SKIPPED';
      const markets = c.holdings.filter((h) => available(h).gt(0)).map((h) => h.market);
      let bids = await deps.prices.latestBids(markets);
      const fresh = (at: string | undefined) => at !== undefined && now.getTime() - Date.parse(at) <= (deps.maxPriceAgeMs ?? 5 * 60_000);
      if (deps.refreshPrices && !markets.every((m) => fresh(bids[m]?.at))) {
        await deps.refreshPrices();
        bids = await deps.prices.latestBids(markets);
      }
      // A notice states what the coins are worth now: never on a stale or disputed price.
      const valuation: Valuation[] = [];
      for (const market of markets) {
        const price = bids[market];
        if (!price || (price.flags?.length ?? 0) > 0) return 'UNPRICED';
        valuation.push({ market, bid: price.bid });
      }
      const transition = sendPreSaleNotice(c, valuation, { now, actor: ACTOR, settings: deps.settingsFor(cityId) });
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
}
