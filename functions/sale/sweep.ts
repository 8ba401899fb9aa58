/**
 * The scheduled sweep of orders in doubt (deployed on EventBridge Scheduler; the local stack runs the
 * same function on the same schedule). Every order in doubt in the account is looked up again (by
 * identifier, then in the closed-order list of its market and window by the sale's identifier
 * prefix). While its sale still runs, the sale's own steps resolve it; once the sale has ended:
 *  - found with fills: booked on the case as a post-settlement adjustment (`adjustSale`: the coins
 *    sold, the money applied in the legal order, a surplus refunded, a notice), exactly once (an
 *    idempotency record per order in the same transaction), then the order is DONE (`lateFill`);
 *  - found without fills: DONE, nothing to book; found still open: cancelled first;
 *  - not found: still in doubt, counted; past the bound it keeps the officers' alarm up.
 */
import { adjustSale, type Seizure } from '#domain/case';
import { IdempotencyKeyTakenError } from '#domain/case-store';
import { kstDate } from '#domain/dates';
import { ZERO } from '#domain/money';
import { heldInDoubt, inDoubt, type OrderRecord } from '#adapters/dynamodb/sale-store';
import { isFinal } from '#adapters/exchange/exchange';
import { loadCase, type NoticePublisher, type SaleDeps } from './context';
import { inDoubtFor, lookUpOrders, recordFills, type OrderExchange } from './orders-in-doubt';
import { finalShare, type DeskOrder, type DeskStore } from '#adapters/dynamodb/desk-store';
import { allocated, withTrades } from './desk-shares';

export interface OrderSweepDeps extends Omit<SaleDeps, 'policy'> {
  exchange: OrderExchange;
  /** The sale desks: a case's share in doubt is resolved from its desk order, looked up here too. */
  desks?: DeskStore;
  notices: NoticePublisher;
  /** The served cities: their SELLING cases are checked for sales running past SALE_MAX_DAYS. */
  cities: readonly string[];
}

export interface SweepReport {
  inDoubt: number;
  /** Found final after their sale had ended, with fills: booked as adjustments. */
  booked: number;
  /** Found final without fills, or while their sale still ran (left to it). */
  resolved: number;
  waitingOnSale: number;
  pastBound: number;
  /** Cases SELLING a sale older than SALE_MAX_DAYS (stuck: an officer ends it). */
  overdueSales: number;
}

/** How often the sweep runs (EventBridge Scheduler on AWS, the local stack's scheduler locally). */
export const ORDERS_IN_DOUBT_SWEEP_RATE = 'rate(5 minutes)';
export const SWEEP_SERVICE = 'sweep-orders-in-doubt';

/** An adjustment's idempotency record lives as long as any record may (ten years). */
const KEEP_S = 10 * 365 * 86_400;

export function createOrderSweep(deps: OrderSweepDeps): () => Promise<SweepReport> {
  const { sales, clock } = deps;

  async function book(order: OrderRecord, done: OrderRecord): Promise<boolean> {
    const c = await loadCase(deps, order);
    const others = inDoubt(await sales.caseOrders(order.cityId, order.caseId)).filter(
      (o) => o.identifier !== order.identifier,
    );
    const heldBack: Seizure[] = [...new Set(others.map((o) => o.market))].map((market) => ({
      market,
      quantity: heldInDoubt(others, market),
    }));
    const now = clock();
    const t = adjustSale(
      c,
      {
        saleId: order.saleId,
        identifier: order.identifier,
        market: order.market,
        quantity: done.executedVolume!,
        grossKrw: done.grossKrw!,
        feeKrw: done.feeKrw!,
        settledOn: kstDate(now),
        heldBack,
      },
      { now, actor: { kind: 'SYSTEM', id: 'sweep-orders-in-doubt' }, settings: await deps.settings.get(c.cityId) },
    );
    try {
      await deps.store.commit(c.version, t, {
        idempotency: {
          cityId: c.cityId,
          key: `late-fill.${order.identifier}`,
          fingerprint: order.identifier,
          response: { statusCode: 200, headers: {}, body: JSON.stringify({ caseVersion: t.case.version }) },
          createdAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + KEEP_S,
        },
      });
    } catch (error) {
      if (error instanceof IdempotencyKeyTakenError) return false; // booked by an earlier run that stopped before the order was marked
      throw error;
    }
    await deps.notices.publish(
      c,
      t.notices.map((n) => n.noticeId),
    );
    return true;
  }

  /**
   * A desk order in doubt, looked up again (while its desk runs, the desk does it too: whoever finds
   * it first closes it, the other's write is refused). Returns the desk order as it now stands.
   */
  async function lookUpDeskOrder(desks: DeskStore, order: DeskOrder, now: Date): Promise<DeskOrder> {
    if (order.status !== 'IN_DOUBT') return order;
    let ex = (await lookUpOrders(deps.exchange, [order], now)).get(order.identifier);
    if (!ex) {
      await desks.updateOrder({ ...order, lookups: (order.lookups ?? 0) + 1, lastLookupAt: now.toISOString() }, [
        'IN_DOUBT',
      ]);
      return order;
    }
    if (!isFinal(ex)) ex = await deps.exchange.cancelOrder({ identifier: order.identifier });
    const done = allocated(order, await withTrades(deps.exchange, ex), deps.limits.lotSize, now);
    await desks.closeOrder(done, ['IN_DOUBT'], [], await desks.get(order.cityId, order.saleId));
    deps.logger.warn('a desk order in doubt was found by the sweep: its fills are allocated by its split', {
      identifier: order.identifier,
      executedVolume: ex.executedVolume.toFixed(),
    });
    return done;
  }

  /** SELLING cases whose sale started more than SALE_MAX_DAYS ago: a sale that should have ended. */
  async function overdueSales(): Promise<number> {
    const now = clock().getTime();
    let overdue = 0;
    for (const cityId of deps.cities) {
      let cursor: string | undefined;
      do {
        const page = await deps.store.listByStatus(cityId, 'SELLING', { limit: 100, ...(cursor ? { cursor } : {}) });
        for (const summary of page.items) {
          const c = await deps.store.get(summary.cityId, summary.caseId);
          const sale = c?.status === 'SELLING' && c.saleId ? await sales.get(c.cityId, c.caseId, c.saleId) : undefined;
          if (sale && now - Date.parse(sale.startedAt) > deps.limits.maxSaleDurationMs) overdue += 1;
        }
        cursor = page.cursor;
      } while (cursor);
    }
    if (overdue > 0) deps.logger.error('sales still SELLING past SALE_MAX_DAYS: an officer must end them', { overdue });
    return overdue;
  }

  return async function sweep(): Promise<SweepReport> {
    const report: SweepReport = {
      inDoubt: 0,
      booked: 0,
      resolved: 0,
      waitingOnSale: 0,
      pastBound: 0,
      overdueSales: await overdueSales(),
    };
    for (const marker of await sales.ordersInDoubt()) {
      const order = await sales.getOrder(marker.cityId, marker.caseId, marker.identifier);
      if (order?.status !== 'IN_DOUBT') continue;
      report.inDoubt += 1;
      const now = clock();
      const pastBound = inDoubtFor(order, now) >= deps.limits.inDoubtBoundMs ? 1 : 0;
      if (order.deskOrder && order.deskId && deps.desks) {
        // A case's share of a desk order: the desk order is what the exchange knows.
        const deskOrder = await deps.desks.order(order.cityId, order.deskId, order.deskOrder);
        const now2 = clock();
        const known = deskOrder ? await lookUpDeskOrder(deps.desks, deskOrder, now2) : undefined;
        const sale = await sales.get(order.cityId, order.caseId, order.saleId);
        if (!known || known.status === 'IN_DOUBT') {
          report.pastBound += pastBound;
          continue;
        }
        if (sale && sale.status !== 'SETTLED' && sale.status !== 'FAILED') {
          report.waitingOnSale += 1; // its case turns the share DONE from the desk order
          continue;
        }
        const done = finalShare(order, known, now2);
        const sold = (done.executedVolume ?? ZERO).gt(0);
        if (sold) {
          await book(order, done);
          report.booked += 1;
        } else report.resolved += 1;
        await deps.desks.resolveShare({ ...done, ...(sold ? { lateFill: true } : {}) });
        continue;
      }
      const sale = await sales.get(order.cityId, order.caseId, order.saleId);
      if (sale && sale.status !== 'SETTLED' && sale.status !== 'FAILED') {
        report.waitingOnSale += 1; // its own steps look it up before the next slice and before settling
        report.pastBound += pastBound;
        continue;
      }
      let ex = (await lookUpOrders(deps.exchange, [order], now)).get(order.identifier);
      if (!ex) {
        await sales.updateOrder({ ...order, lookups: (order.lookups ?? 0) + 1, lastLookupAt: now.toISOString() }, [
          'IN_DOUBT',
        ]);
        report.pastBound += pastBound;
        continue;
      }
      if (!isFinal(ex)) ex = await deps.exchange.cancelOrder({ identifier: order.identifier });
      const done = recordFills(order, ex, now);
      const sold = (done.executedVolume ?? ZERO).gt(0);
      if (sold) {
        await book(order, done);
        report.booked += 1;
      } else {
        report.resolved += 1;
      }
      await sales.updateOrder({ ...done, ...(sold ? { lateFill: true } : {}) }, ['IN_DOUBT']);
      if (sold)
        deps.logger.warn('a fill found after its sale was settled: booked as a post-settlement adjustment', {
          identifier: order.identifier,
          executedVolume: ex.executedVolume.toFixed(),
        });
    }
    deps.metrics.addMetric('OrdersInDoubt', 'Count', report.inDoubt);
    deps.metrics.addMetric('OrdersInDoubtPastBound', 'Count', report.pastBound);
    deps.metrics.addMetric('LateFillsBooked', 'Count', report.booked);
    deps.metrics.addMetric('SalesOverdue', 'Count', report.overdueSales);
    deps.logger.info('orders in doubt swept', { ...report });
    return report;
  };
}
