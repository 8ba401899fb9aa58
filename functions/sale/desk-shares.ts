/**
 * A case's shares of its desk's orders, as the case reads them (docs/SALE-DESK.md). A share in doubt
 * is resolved from its desk order, never from the exchange (the exchange knows the desk's order, not
 * the share): once the desk (or the sweep) has found the order, the share becomes DONE with this
 * case's part of the allocation stored on it (or ABSENT), and its marker goes.
 */
import type { Case } from '#domain/case';
import type { CitySettings } from '#domain/city-settings';
import { kstDate } from '#domain/dates';
import { allocateOrder, deskOffer, type CaseFill } from '#domain/desk-allocation';
import { sum, ZERO, type Decimal } from '#domain/money';
import { deskQuantity } from '#domain/sale-plan';
import {
  finalShare,
  type DeskMember,
  type DeskOrder,
  type DeskRecord,
  type DeskStore,
} from '#adapters/dynamodb/desk-store';
import type { Exchange, ExchangeOrder } from '#adapters/exchange/exchange';
import {
  approvalToAsk,
  isSelling,
  leftToSell,
  planFor,
  plannedValueOf,
  stillNeeded,
  stopReason,
  type SaleDeps,
} from './context';
import { OrderInDoubtError } from './errors';
import { recordFills } from './orders-in-doubt';
import { executed, inDoubt, type OrderRecord, type SaleRecord, type SaleStore } from '#adapters/dynamodb/sale-store';

export interface ShareDeps {
  sales: Pick<SaleStore, 'getOrder'>;
  desks: DeskStore;
  clock: () => Date;
}

/**
 * A case in a desk looks at its membership every this many slice intervals: the desk applies its
 * checks on every turn, so a hold or a payment stops its share from the next slice all the same;
 * the look only notices that the desk is done with it (then it settles or re-plans within minutes).
 */
export const DESK_LOOK_INTERVALS = 5;

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

/**
 * Closes a desk order not executed (ABSENT) or in doubt, each case's share with it, in one transaction
 * (with `deskChange` made to the desk record in it).
 */
export async function closeWithShares(
  deps: ShareDeps,
  order: DeskOrder,
  from: readonly OrderRecord['status'][],
  deskChange?: (desk: DeskRecord) => DeskRecord,
): Promise<void> {
  const now = deps.clock();
  const shares = (await deps.desks.shares(order)).map((s) =>
    order.status === 'IN_DOUBT'
      ? { ...s, status: 'IN_DOUBT' as const, inDoubtSince: order.inDoubtSince ?? now.toISOString(), lookups: 0 }
      : finalShare(s, order, now),
  );
  const desk = await deps.desks.get(order.cityId, order.saleId);
  await deps.desks.closeOrder(order, from, shares, desk && deskChange ? deskChange(desk) : desk);
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

/**
 * What the desk decides for one member on its turn: it leaves (with the reason; with the value an
 * officer must approve when a bill raised it across the approval threshold), or it offers this much.
 */
export type MemberReview = { leave: string; approval?: Decimal } | { offered: Decimal };

/**
 * One member's own checks and offer, on the desk's turn (docs/SALE-DESK.md): the rules its sale
 * applies selling alone (`stopReason`; a bill raised across the approval threshold, `approvalToAsk`),
 * then its offer re-planned on its real net proceeds at the desk's last quote, as a case selling
 * alone re-plans before each slice (`deskOffer`): the desk never sells more of it than it still
 * needs, whatever the price did since it joined. `orders` are the sale's (`saleOrders`).
 */
export function reviewMember(
  deps: Pick<SaleDeps, 'limits' | 'policy'>,
  c: Case,
  sale: SaleRecord,
  orders: readonly OrderRecord[],
  member: DeskMember,
  desk: DeskRecord,
  now: Date,
  settings: CitySettings,
): MemberReview {
  if (!isSelling(c, member.saleId)) return { leave: `CASE_${c.status}` };
  if (sale.status === 'AWAITING_APPROVAL') return { leave: 'AWAITING_APPROVAL' };
  const stop = stopReason(deps, c, sale, orders, now, settings);
  if (stop) return { leave: stop };
  const need = stillNeeded(c, orders, kstDate(now), settings);
  const left = leftToSell(c, sale, orders);
  // A bill update raised the sale across the approval threshold: out of the desk, and an officer
  // approves before it goes on (as PlanNextSlice asks on the case's own path).
  const asked = planFor(deps, need, sale, left);
  const approval = asked && approvalToAsk(c, sale, orders, plannedValueOf(asked, sale), deps.policy);
  if (approval) return { leave: 'AWAITING_APPROVAL', approval };
  // At the desk's last quote, or its own when newer (it joined after the desk's turn).
  const quote = desk.lastQuote;
  if (!quote) return { offered: member.offered };
  const own = sale.lastQuotes[desk.market];
  const priced =
    own && own.quotedAt > quote.quotedAt ? sale : { ...sale, lastQuotes: { ...sale.lastQuotes, [desk.market]: quote } };
  const plan = planFor(deps, need, priced, left);
  const mine = orders.filter(
    (o) => o.deskId === desk.deskId && o.saleId === member.saleId && o.slice > member.joinedAtSlice,
  );
  return {
    offered: deskOffer({
      sold: sum(executed(mine).map((o) => o.executedVolume ?? ZERO)),
      onTheWay: sum(pendingShares(mine).map((o) => o.volume)).add(sum(inDoubt(mine).map((o) => o.volume))),
      // Its dust too while it still owes: the desk's pooled order can sell what alone it could not.
      stillToSell: plan ? deskQuantity(plan, desk.market) : ZERO,
    }),
  };
}
