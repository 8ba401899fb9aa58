/**
 * One price poll: which markets the open cases hold → their tickers and order books in as few
 * exchange calls as the per-call market limit allows → each price judged (stale, sources disagree,
 * no book) and stored (latest + minute point) → each open case's coverage, one sheet per city.
 *
 * Markets come from the byStatus index (one query per open status and city, small projection) rather
 * than from a "markets held" item kept up to date by every commit: the coverage pass has to read every
 * open case's holdings and recorded arrears anyway, so the same read finds the markets at no extra
 * cost, and the commit path (optimistic locking, transactions) gains no hot shared item.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ExchangeError, type Exchange, type OrderBook, type Quote } from '#adapters/exchange/exchange';
import type {
  CoverageEntry,
  CoverageSheet,
  OpenCase,
  PriceSnapshot,
  StoredCoverageSheet,
} from '#adapters/dynamodb/price-store';
import { arrears, type Case } from '#domain/case';
import type { CitySettingsSource } from '#domain/city-settings';
import { coverage, type BidPrice, type CoverageState } from '#domain/coverage';
import { kstDate } from '#domain/dates';
import { Decimal, max, wonString, ZERO } from '#domain/money';
import { assessPrice, type PriceChecks } from './assess';

/** What the poller needs from the exchange: public quotation calls only (no API key is used). */
export type PriceFeed = Pick<Exchange, 'quotes' | 'orderBooks'>;

/** What the poller needs from the table (DynamoDbPriceStore implements it). */
export interface PollStore {
  openCases(cityId: string): Promise<OpenCase[]>;
  cases(keys: readonly { cityId: string; caseId: string }[]): Promise<Case[]>;
  putPrices(snapshots: readonly PriceSnapshot[], minute: Date): Promise<unknown>;
  coverageSheet(cityId: string): Promise<StoredCoverageSheet | undefined>;
  putCoverageSheet(sheet: CoverageSheet, previousParts?: number): Promise<unknown>;
}

export interface PollSettings {
  cities: readonly string[];
  checks: PriceChecks;
  /** Markets per ticker / order-book call (Upbit takes many per call). */
  maxMarketsPerCall: number;
}

export interface PollDeps {
  exchange: PriceFeed;
  store: PollStore;
  settings: PollSettings;
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  citySettings: CitySettingsSource;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface PollTimes {
  /** The poller's clock when it reads prices (ages are measured against it). */
  now: Date;
  /** The schedule's minute, when the scheduler gave one: a retried poll rewrites the same point. */
  scheduledAt?: Date;
}

export interface PollReport {
  cities: number;
  openCases: number;
  markets: string[];
  exchangeCalls: { ticker: number; orderbook: number };
  stale: string[];
  sourcesDisagree: string[];
  noBook: string[];
  /** Held markets the exchange does not know (delisted, misspelt): never priced. */
  unknown: string[];
  /** Cases whose arrears were projected again (new day, or the case changed). */
  reprojected: number;
  coverage: Record<CoverageState, number>;
}

/** Cities are polled a few at a time: each is a handful of index queries and one small sheet. */
const CITY_CONCURRENCY = 4;

export async function pollPrices(deps: PollDeps, times: PollTimes): Promise<PollReport> {
  const { settings } = deps;
  const openByCity = await mapLimit(settings.cities, CITY_CONCURRENCY, (cityId) => deps.store.openCases(cityId));
  const markets = [
    ...new Set(
      openByCity.flat().flatMap((c) =>
        Object.entries(c.available)
          .filter(([, q]) => q.gt(0))
          .map(([m]) => m),
      ),
    ),
  ].sort();

  const calls = { ticker: 0, orderbook: 0 };
  const { quotes, books, unknown } = await fetchMarkets(deps.exchange, markets, settings.maxMarketsPerCall, calls);
  const bookOf = new Map(books.map((b) => [b.market, b]));
  const snapshots = quotes.map((q) => assessPrice(q, bookOf.get(q.market), times.now, settings.checks));
  if (snapshots.length > 0) await deps.store.putPrices(snapshots, times.scheduledAt ?? times.now);

  const prices: Record<string, BidPrice> = {};
  for (const s of snapshots) if (s.bestBid) prices[s.market] = { bid: s.bestBid, flags: s.flags };
  const counts: Record<CoverageState, number> = { UNDER: 0, COVERED: 0, NOTHING_OWED: 0, NO_COINS: 0, UNPRICED: 0 };
  const reprojected = await mapLimit(settings.cities, CITY_CONCURRENCY, async (cityId, i) => {
    const result = await coverCity(deps, cityId, openByCity[i] ?? [], prices, times.now);
    for (const e of result.entries) counts[e.state]++;
    return result.reprojected;
  });

  const flagged = (flag: PriceSnapshot['flags'][number]) =>
    snapshots.filter((s) => s.flags.includes(flag)).map((s) => s.market);
  const report: PollReport = {
    cities: settings.cities.length,
    openCases: openByCity.reduce((n, cs) => n + cs.length, 0),
    markets,
    exchangeCalls: calls,
    stale: flagged('STALE_PRICE'),
    sourcesDisagree: flagged('SOURCES_DISAGREE'),
    noBook: flagged('NO_BOOK'),
    unknown,
    reprojected: reprojected.reduce((a, b) => a + b, 0),
    coverage: counts,
  };
  if (report.stale.length + report.sourcesDisagree.length + report.noBook.length + unknown.length > 0) {
    deps.logger.warn('flagged prices', {
      stale: report.stale,
      sourcesDisagree: report.sourcesDisagree,
      noBook: report.noBook,
      unknown,
    });
  }
  return report;
}

// ---------------------------------------------------------------- exchange

interface Fetched {
  quotes: Quote[];
  books: OrderBook[];
  unknown: string[];
}

/**
 * Tickers and books for `markets`, `limit` markets per call, chunk after chunk (the quotation rate
 * limit is per IP, shared with the sale engine). Upbit refuses a whole call when one code is unknown
 * (404): that chunk is halved until the unknown code stands alone, so one delisted coin costs a few
 * extra calls and never the other markets' prices.
 */
async function fetchMarkets(
  exchange: PriceFeed,
  markets: readonly string[],
  limit: number,
  calls: { ticker: number; orderbook: number },
): Promise<Fetched> {
  const out: Fetched = { quotes: [], books: [], unknown: [] };
  const fetchChunk = async (chunk: readonly string[]): Promise<void> => {
    try {
      calls.ticker++;
      calls.orderbook++;
      const [quotes, books] = await Promise.all([exchange.quotes(chunk), exchange.orderBooks(chunk)]);
      out.quotes.push(...quotes.filter((q) => chunk.includes(q.market)));
      out.books.push(...books.filter((b) => chunk.includes(b.market)));
      const answered = new Set(quotes.map((q) => q.market));
      out.unknown.push(...chunk.filter((m) => !answered.has(m)));
    } catch (error) {
      if (!(error instanceof ExchangeError && error.status === 404)) throw error;
      if (chunk.length === 1) {
        out.unknown.push(...chunk);
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      await fetchChunk(chunk.slice(0, half));
      await fetchChunk(chunk.slice(half));
    }
  };
  for (let i = 0; i < markets.length; i += limit) await fetchChunk(markets.slice(i, i + limit));
  return out;
}

// ---------------------------------------------------------------- coverage

/**
 * Coverage of a city's open cases at this poll's bids. Arrears are projected to today (KST) by the
 * domain's surcharge rules from the full case; the previous sheet's projection is reused while the
 * day, the case's update time and its recorded arrears are the same, so a full case item is read
 * about once a day per case instead of every minute.
 */
async function coverCity(
  deps: PollDeps,
  cityId: string,
  open: readonly OpenCase[],
  prices: Record<string, BidPrice>,
  now: Date,
): Promise<{ entries: CoverageEntry[]; reprojected: number }> {
  const asOf = kstDate(now);
  const previous = await deps.store.coverageSheet(cityId);
  const cached = new Map((previous?.entries ?? []).map((e) => [e.caseId, e]));
  const reusable = (c: OpenCase): CoverageEntry | undefined => {
    const e = cached.get(c.caseId);
    return e && e.asOf === asOf && e.updatedAt === c.updatedAt && e.recordedArrearsKrw === wonString(c.recordedArrears)
      ? e
      : undefined;
  };
  const stale = open.filter((c) => !reusable(c));
  const settings = await deps.citySettings.get(cityId);
  const projected = new Map<string, Decimal>();
  for (const c of await deps.store.cases(stale.map((s) => ({ cityId, caseId: s.caseId })))) {
    projected.set(c.caseId, max(ZERO, arrears(c, asOf, settings)));
  }

  const entries = open.map((c): CoverageEntry => {
    const reused = reusable(c);
    // A case the index lists but the table no longer returns is valued against its recorded arrears.
    const owed = reused ? new Decimal(reused.arrearsKrw) : (projected.get(c.caseId) ?? c.recordedArrears);
    const cover = coverage({ arrears: owed, holdings: c.available, prices });
    return {
      caseId: c.caseId,
      status: c.status,
      updatedAt: c.updatedAt,
      recordedArrearsKrw: wonString(c.recordedArrears),
      asOf: asOf,
      arrearsKrw: wonString(cover.arrears),
      valueKrw: wonString(cover.value),
      ratio: cover.ratio === null ? null : cover.ratio.toFixed(),
      state: cover.state,
      shortfallKrw: wonString(cover.shortfall),
      surplusKrw: wonString(cover.surplus),
      unpriced: [...cover.unpriced],
      flagged: [...cover.flagged],
    };
  });
  await deps.store.putCoverageSheet(
    { cityId, computedAt: now.toISOString(), asOf, entries },
    previous?.storedParts ?? 0,
  );
  return { entries, reprojected: stale.length };
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
