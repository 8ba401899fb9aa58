/**
 * A case's quote before it joins its market's desk, read from the exchange once per market, not once
 * per case (docs/SALE-DESK.md "Exchange calls"): the latest full quote of each market (ticker, book,
 * rules) is shared on one item per market by whoever read it (the desk's turns, a case's own quote),
 * and a case uses it while it is fresh. A crowd of cases starting at once (the deadline day's 09:00)
 * finds no fresh quote: one of them takes the market's refresh lease and reads the exchange, the
 * others wait a moment for its quote, and read the exchange themselves only if it does not come.
 *
 * Why this is safe: this quote only plans what the case offers the desk and passes the market guards
 * before it joins. No order is priced or sized on it: the desk quotes the market itself on every
 * turn, prices and sizes every order from that book, re-plans each member's offer at its own quote
 * and runs the guards again. A case selling alone (SALE_DESK=off) prices its orders from its quote,
 * so it always reads the exchange itself.
 */
import type { Exchange } from '#adapters/exchange/exchange';
import type { DeskStore, SharedQuote } from '#adapters/dynamodb/desk-store';
import type { MarketSnapshot } from '#adapters/dynamodb/sale-store';

export interface SharedQuoteRules {
  /** A shared quote read longer ago than this is not used (one slice interval: what a desk's turns refresh). */
  maxReadAgeMs: number;
  /** ...nor one the market guards would judge stale (the policy's `maxPriceAgeMs`). */
  maxPriceAgeMs: number;
  /** ...nor one whose rules are older than the desk keeps its own (`rulesMaxAgeMs`). */
  rulesMaxAgeMs: number;
  /** How long a refresh lease holds (the holder's clock); the lease ends when its quote is shared. */
  leaseMs: number;
  /** Real time a case waits for another's refresh, in polls of `pollMs`, before reading itself. */
  polls: number;
  pollMs: number;
}

export const SHARED_QUOTE_RULES: Omit<SharedQuoteRules, 'maxReadAgeMs' | 'maxPriceAgeMs' | 'rulesMaxAgeMs'> = {
  leaseMs: 10_000,
  polls: 50,
  pollMs: 100,
};

/** Whether a shared quote may stand in for a case's own read at `now`. */
export function isFresh(q: SharedQuote | undefined, now: number, rules: SharedQuoteRules): q is SharedQuote {
  if (!q?.snapshot) return false;
  const read = now - Date.parse(q.readAt);
  const quoted = now - Date.parse(q.snapshot.quotedAt);
  const rulesAge = now - Date.parse(q.rulesReadAt);
  // A quote read after `now` (shared while this caller waited, or by a Lambda whose clock runs a
  // little ahead) is as fresh as one read now; one stamped far ahead of this clock is not believed.
  return (
    Math.abs(read) <= rules.maxReadAgeMs && quoted <= rules.maxPriceAgeMs && Math.abs(rulesAge) < rules.rulesMaxAgeMs
  );
}

/** The snapshot of one market from the exchange's answers (undefined: no price or no book for it). */
export function snapshotOf(
  market: string,
  ticker: Awaited<ReturnType<Exchange['quotes']>>[number] | undefined,
  book: Awaited<ReturnType<Exchange['orderBooks']>>[number] | undefined,
  rule: {
    tickSize: MarketSnapshot['tickSize'];
    askFee: MarketSnapshot['askFee'];
    minOrderKrw: MarketSnapshot['minOrderKrw'];
  },
): MarketSnapshot | undefined {
  const bestBid = book?.bids[0]?.price;
  const bestAsk = book?.asks[0]?.price;
  if (!ticker || !book || !bestBid || !bestAsk) return undefined;
  return {
    market,
    quotedAt: new Date(
      Math.min(ticker.timestamp.getTime(), ticker.tradeTimestamp.getTime(), book.timestamp.getTime()),
    ).toISOString(),
    tradePrice: ticker.tradePrice,
    bestBid,
    bestAsk,
    mid: bestBid.add(bestAsk).div(2),
    bids: book.bids.map((l) => ({ price: l.price, size: l.size })),
    tickSize: rule.tickSize,
    askFee: rule.askFee,
    minOrderKrw: rule.minOrderKrw,
    accTradeVolume24h: ticker.accTradeVolume24h,
    accTradeValue24h: ticker.accTradeValue24h,
  };
}

/** Reads `markets` from the exchange: tickers and books in one request each, the rules of each. */
export async function readMarkets(
  exchange: Pick<Exchange, 'quotes' | 'orderBooks' | 'marketRules'>,
  markets: readonly string[],
): Promise<Map<string, MarketSnapshot>> {
  const out = new Map<string, MarketSnapshot>();
  if (markets.length === 0) return out;
  const [tickers, books] = await Promise.all([exchange.quotes(markets), exchange.orderBooks(markets)]);
  const rules = await Promise.all(markets.map((m) => exchange.marketRules(m)));
  for (const market of markets) {
    const rule = rules.find((r) => r.market === market);
    if (!rule) continue;
    const snapshot = snapshotOf(
      market,
      tickers.find((t) => t.market === market),
      books.find((b) => b.market === market),
      { tickSize: rule.tickSize, askFee: rule.askFee, minOrderKrw: rule.minOrderTotal },
    );
    if (snapshot) out.set(market, snapshot);
  }
  return out;
}

export interface QuoteSource {
  exchange: Pick<Exchange, 'quotes' | 'orderBooks' | 'marketRules'>;
  desks: Pick<DeskStore, 'sharedQuotes' | 'leaseQuote' | 'shareQuote' | 'endQuoteLease'>;
  clock: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The markets' quotes for a case about to join its desk: fresh shared quotes where there are some,
 * the exchange for the rest (each read shared in turn). `fromExchange` names the markets read here.
 */
export async function quotesForDesk(
  source: QuoteSource,
  markets: readonly string[],
  rules: SharedQuoteRules,
): Promise<{ snapshots: Map<string, MarketSnapshot>; fromExchange: string[] }> {
  const sleep = source.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const snapshots = new Map<string, MarketSnapshot>();
  const now = source.clock().getTime();
  const take = (found: Map<string, SharedQuote>, list: readonly string[]): string[] =>
    list.filter((m) => {
      const q = found.get(m);
      if (!isFresh(q, now, rules)) return true;
      snapshots.set(m, q.snapshot);
      return false;
    });

  let missing = take(await source.desks.sharedQuotes(markets), markets);
  if (missing.length === 0) return { snapshots, fromExchange: [] };
  const nowIso = new Date(now).toISOString();
  const until = new Date(now + rules.leaseMs).toISOString();
  const leased = await Promise.all(missing.map((m) => source.desks.leaseQuote(m, nowIso, until)));
  const mine = missing.filter((_, i) => leased[i]);
  let waiting = missing.filter((_, i) => !leased[i]);
  // Another case is reading these: wait a moment for its quote rather than read them again.
  for (let poll = 0; poll < rules.polls && waiting.length > 0; poll++) {
    await sleep(rules.pollMs);
    waiting = take(await source.desks.sharedQuotes(waiting), waiting);
  }
  missing = [...mine, ...waiting].sort();
  let read: Map<string, MarketSnapshot>;
  try {
    read = await readMarkets(source.exchange, missing);
  } catch (error) {
    // The next caller reads them itself rather than wait for a quote that will not come.
    await Promise.allSettled(mine.map((m) => source.desks.endQuoteLease(m)));
    throw error;
  }
  const readAt = source.clock().toISOString();
  await Promise.all(
    missing.map(async (m) => {
      const snapshot = read.get(m);
      if (snapshot) {
        snapshots.set(m, snapshot);
        await source.desks.shareQuote({ snapshot, readAt, rulesReadAt: readAt });
      } else if (mine.includes(m)) await source.desks.endQuoteLease(m);
    }),
  );
  return { snapshots, fromExchange: missing };
}
