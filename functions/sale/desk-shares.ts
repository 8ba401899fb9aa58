/**
 * A case's shares of its desk's orders, as the case reads them (docs/SALE-DESK.md). A share in doubt
 * is resolved from its desk order, never from the exchange (the exchange knows the desk's order, not
 * the share): once the desk (or the sweep) has found the order, the share becomes DONE with this
 * case's part of the allocation stored on it (or ABSENT), and its marker goes.
 */
import { allocateOrder, type CaseFill } from '#domain/desk-allocation';
import type { Decimal } from '#domain/money';
import { finalShare, type DeskOrder, type DeskStore } from '#adapters/dynamodb/desk-store';
import type { Exchange, ExchangeOrder } from '#adapters/exchange/exchange';
import { OrderInDoubtError } from './errors';
import { recordFills } from './orders-in-doubt';
import type { OrderRecord, SaleStore } from '#adapters/dynamodb/sale-store';

export interface ShareDeps {
  sales: Pick<SaleStore, 'getOrder'>;
  desks: DeskStore;
  clock: () => Date;
}

/** Shares of a desk order not yet final: their coins are in an order on the way. */
export const pendingShares = (orders: readonly OrderRecord[]): OrderRecord[] =>
  orders.filter((o) => o.deskOrder && (o.status === 'PLANNED' || o.status === 'SENDING' || o.status === 'PLACED'));

/** Resolves the shares in doubt whose desk order is final now; returns how many. */
export async function resolveShares(deps: ShareDeps, orders: readonly OrderRecord[]): Promise<number> {
  let resolved = 0;
  for (const share of orders.filter((o) => o.deskOrder && o.deskId && o.status === 'IN_DOUBT')) {
    const order = await deps.desks.order(share.cityId, share.deskId!, share.deskOrder!);
    if (!order || (order.status !== 'DONE' && order.status !== 'ABSENT')) continue;
    await deps.desks.resolveShare(finalShare(share, order, deps.clock()));
    resolved += 1;
  }
  return resolved;
}

/** The desk's order as final: the exchange's fills, shared among the cases by the stored split. */
export function allocated(order: DeskOrder, ex: ExchangeOrder, lotSize: Decimal, now: Date): DeskOrder {
  const done = recordFills(order, ex, now);
  if (ex.executedVolume.gt(0) && ex.trades.length === 0)
    throw new OrderInDoubtError(`desk order ${order.identifier}: executed but its trades are not listed yet`);
  const allocation: CaseFill[] = ex.executedVolume.gt(0)
    ? allocateOrder({
        lotSize,
        offers: order.offers,
        execution: {
          trades: ex.trades.map((t) => ({ price: t.price, quantity: t.volume })),
          grossKrw: ex.executedFunds,
          feeKrw: ex.paidFee,
        },
      })
    : [];
  return { ...order, ...done, allocation };
}

/** The order with its trades: the list lookups (by identifiers, closed orders) give totals only. */
export async function withTrades(exchange: Pick<Exchange, 'getOrder'>, ex: ExchangeOrder): Promise<ExchangeOrder> {
  if (!ex.executedVolume.gt(0) || ex.trades.length > 0) return ex;
  return exchange.getOrder(ex.identifier ? { identifier: ex.identifier } : { uuid: ex.uuid });
}
