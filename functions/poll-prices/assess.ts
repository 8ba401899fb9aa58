/**
 * One market's ticker and order book, judged against the execution policy's own thresholds (the same
 * ones the sale engine's guards use, `guardMarket` in #domain/execution-policy): the flags are stored
 * with the price so officers and the sale engine see them; the guards re-check at decision time.
 */
import type { OrderBook, Quote } from '#adapters/exchange/exchange';
import type { PriceFlag, PriceSnapshot } from '#adapters/dynamodb/price-store';
import type { ExecutionPolicy } from '#domain/execution-policy';
import { bps, Decimal } from '#domain/money';

export type PriceChecks = Pick<ExecutionPolicy, 'maxPriceAgeMs' | 'maxSourceGapBps'>;

/**
 * - STALE_PRICE: the oldest of the exchange's timestamps (last trade, ticker snapshot, book) is more
 *   than `maxPriceAgeMs` before `polledAt` (a coin that has not traded for minutes has a stale last
 *   price even when the snapshot is fresh).
 * - SOURCES_DISAGREE: |last trade - book mid| / mid above `maxSourceGapBps` (as the guard computes it).
 * - NO_BOOK: no book, or an empty side: no bid to value coins at and no mid to check against.
 */
export function assessPrice(
  quote: Quote,
  book: OrderBook | undefined,
  polledAt: Date,
  checks: PriceChecks,
): PriceSnapshot {
  const bestBid = book?.bids[0]?.price;
  const bestAsk = book?.asks[0]?.price;
  const mid = bestBid && bestAsk ? bestBid.add(bestAsk).div(2) : undefined;
  const stamps = [quote.tradeTimestamp, quote.timestamp, ...(book ? [book.timestamp] : [])];
  const quotedAt = new Date(Math.min(...stamps.map((d) => d.getTime())));
  const ageMs = polledAt.getTime() - quotedAt.getTime();

  const flags: PriceFlag[] = [];
  if (ageMs > checks.maxPriceAgeMs) flags.push('STALE_PRICE');
  let gapBps: Decimal | undefined;
  if (mid && mid.gt(0)) {
    const gap = quote.tradePrice.sub(mid).abs().div(mid);
    gapBps = gap.mul(10_000).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (gap.gt(bps(checks.maxSourceGapBps))) flags.push('SOURCES_DISAGREE');
  } else {
    flags.push('NO_BOOK');
  }

  return {
    market: quote.market,
    polledAt,
    tradePrice: quote.tradePrice,
    ...(bestBid ? { bestBid } : {}),
    ...(bestAsk ? { bestAsk } : {}),
    ...(mid ? { mid } : {}),
    ...(gapBps ? { gapBps } : {}),
    tradeAt: quote.tradeTimestamp,
    tickerAt: quote.timestamp,
    ...(book ? { bookAt: book.timestamp } : {}),
    quotedAt,
    ageMs,
    flags,
    accTradeVolume24h: quote.accTradeVolume24h,
    accTradeValue24h: quote.accTradeValue24h,
  };
}
