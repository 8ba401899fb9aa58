/**
 * Looking orders in doubt up again. An order sent without a reliable answer and not found by its
 * identifier is IN_DOUBT, never "absent": a request that timed out can still be processed seconds
 * later. Every lookup asks the exchange twice, in two ways: the orders by their identifiers, and the
 * closed-order search of the order's market over the window since it was sent, filtered by the
 * sale's identifier prefix (`<city>.<saleId>.s`), so an order the by-identifier lookup misses is
 * still found. Used by the market steps (before the next slice, before settlement, before a failure
 * is recorded) and by the scheduled sweep.
 */
import { type Exchange, type ExchangeOrder, type OrderHistory } from '#adapters/exchange/exchange';
import type { OrderRecord } from '#adapters/dynamodb/sale-store';

/** The closed-order search reaches back at most this far (the exchange's own window). */
const WEEK_MS = 7 * 86_400_000;
/** Searched from a little before the send: the exchange stamps the order when it processes it. */
const SEARCH_MARGIN_MS = 60_000;

export type OrderExchange = Exchange & OrderHistory;

/** The identifier prefix of every order of one sale. */
export const salePrefix = (o: Pick<OrderRecord, 'cityId' | 'saleId'>): string => `${o.cityId}.${o.saleId}.s`;

/** The exchange's record of each order asked about (absent: not found by either lookup). */
export async function lookUpOrders(
  exchange: OrderExchange,
  orders: readonly OrderRecord[],
  now: Date,
): Promise<Map<string, ExchangeOrder>> {
  const found = new Map<string, ExchangeOrder>();
  if (orders.length === 0) return found;
  for (let i = 0; i < orders.length; i += 100) {
    const chunk = orders.slice(i, i + 100);
    for (const o of await exchange.ordersByRefs({ identifiers: chunk.map((x) => x.identifier) }))
      if (o.identifier) found.set(o.identifier, o);
  }
  const missing = orders.filter((o) => !found.has(o.identifier));
  for (const market of new Set(missing.map((o) => o.market))) {
    const here = missing.filter((o) => o.market === market);
    const since = Math.min(...here.map((o) => Date.parse(o.sentAt ?? o.plannedAt))) - SEARCH_MARGIN_MS;
    const from = new Date(Math.max(since, now.getTime() - WEEK_MS));
    const prefixes = new Set(here.map(salePrefix));
    const closed = await exchange.closedOrders({ market, from, to: now, limit: 1000 });
    for (const o of closed) {
      if (
        o.identifier &&
        [...prefixes].some((p) => o.identifier!.startsWith(p)) &&
        here.some((x) => x.identifier === o.identifier)
      )
        found.set(o.identifier, o);
    }
  }
  return found;
}

/** How long an order has been in doubt. */
export const inDoubtFor = (o: OrderRecord, now: Date): number =>
  now.getTime() - Date.parse(o.inDoubtSince ?? o.sentAt ?? o.plannedAt);

/** The order as final here: the exchange's fills, written once (DONE). */
export function recordFills(order: OrderRecord, ex: ExchangeOrder, now: Date): OrderRecord {
  const first = ex.trades.map((t) => t.createdAt.getTime()).sort((a, b) => a - b)[0];
  return {
    ...order,
    status: 'DONE',
    exchangeUuid: ex.uuid,
    exchangeState: ex.state,
    executedVolume: ex.executedVolume,
    grossKrw: ex.executedFunds,
    feeKrw: ex.paidFee,
    tradeCount: ex.trades.length,
    ...(first !== undefined ? { firstTradeAt: new Date(first).toISOString() } : {}),
    reconciledAt: now.toISOString(),
  };
}
