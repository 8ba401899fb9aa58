/**
 * A case's shares of its desk's orders, as the case reads them (docs/SALE-DESK.md). A share in doubt
 * is resolved from its desk order, never from the exchange (the exchange knows the desk's order, not
 * the share): once the desk (or the sweep) has found the order, the share becomes DONE with this
 * case's part of the allocation stored on it (or ABSENT), and its marker goes.
 */
import { allocateOrder, type CaseFill } from '#domain/desk-allocation';
import type { Decimal } from '#domain/money';
import { finalShare, type DeskOrder, type DeskRecord, type DeskStore } from '#adapters/dynamodb/desk-store';
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

/** Each case's share of a desk order, as the cases' partitions hold them. */
export async function sharesOf(deps: Pick<ShareDeps, 'sales'>, order: DeskOrder): Promise<OrderRecord[]> {
  const shares: OrderRecord[] = [];
  for (const offer of order.offers) {
    const share = await deps.sales.getOrder(order.cityId, offer.caseId, `${order.identifier}.${offer.caseId}`);
    if (share) shares.push(share);
  }
  return shares;
}

/** Closes a desk order not executed (ABSENT) or in doubt, each case's share with it, in one transaction. */
export async function closeWithShares(
  deps: ShareDeps,
  order: DeskOrder,
  from: readonly OrderRecord['status'][],
): Promise<void> {
  const now = deps.clock();
  const shares = (await sharesOf(deps, order)).map((s) =>
    order.status === 'IN_DOUBT'
      ? { ...s, status: 'IN_DOUBT' as const, inDoubtSince: order.inDoubtSince ?? now.toISOString(), lookups: 0 }
      : finalShare(s, order, now),
  );
  await deps.desks.closeOrder(order, from, shares, await deps.desks.get(order.cityId, order.saleId));
}

/**
 * A desk whose run ended without ending the desk (its ResolveDeskOrders failed for good, its
 * execution timed out or was aborted) still reads RUNNING, and nobody sells for its members. Its
 * orders are settled as far as the table alone knows (the next run asks the exchange): one never
 * sent is ABSENT; one being sent is IN_DOUBT (the next run looks it up by identifier before any new
 * order, the sweep after the bound: never re-sent, never forgotten); one placed stays for the next run
 * to reconcile. Then the desk opens its next run (`_r<n>`) with its members, who go on selling.
 */
export async function reopenDeadRun(deps: ShareDeps, dead: DeskRecord): Promise<DeskRecord> {
  const now = deps.clock();
  for (const id of dead.openOrders) {
    const order = await deps.desks.order(dead.cityId, dead.deskId, id);
    if (order?.status === 'PLANNED')
      await closeWithShares(deps, { ...order, status: 'ABSENT', absentReason: `never sent: run ${dead.run} ended` }, [
        'PLANNED',
      ]);
    else if (order?.status === 'SENDING')
      await closeWithShares(deps, { ...order, status: 'IN_DOUBT', inDoubtSince: now.toISOString(), lookups: 0 }, [
        'SENDING',
      ]);
  }
  const desk = await deps.desks.get(dead.cityId, dead.deskId);
  if (!desk || desk.status !== 'RUNNING' || desk.run !== dead.run) return desk ?? dead;
  return deps.desks.save({
    ...desk,
    run: desk.run + 1,
    startedAt: now.toISOString(),
    consecutivePauses: 0,
    lastDecision: { at: now.toISOString(), action: 'RESTART', reason: `RUN_${dead.run}_ENDED` },
  });
}
