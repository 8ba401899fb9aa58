/**
 * The sale steps that meet the market (the market-steps Lambda, behind the fixed egress IP with the
 * exchange keys): QuoteMarket, PlanNextSlice, PlaceOrder, ReconcileOrder and ResolveOpenOrders.
 *
 * A coin is never sold twice: every slice is one order whose identifier is derived from city, sale
 * (which names the case) and slice number, issued once (the slice counter and the order record are
 * written in one transaction). The order record is marked SENDING before the exchange is called, so
 * whatever happens next (a timeout, a lost answer, the function dying) the next attempt sees it and
 * looks the order up by its identifier before placing anything; the exchange refuses an identifier
 * twice in any case. Fills are written once, when the exchange reports the order final.
 */
import { isSaleStopRequested, saleBlock } from '#domain/case';
import { kstDate } from '#domain/dates';
import { guardMarket, nextSlice, type GuardDecision } from '#domain/execution-policy';
import { Decimal, sum, ZERO } from '#domain/money';
import type { SalePlan } from '#domain/sale-plan';
import {
  executed,
  inDoubt,
  orderIdentifier,
  ownOrders,
  type Arrival,
  type OrderRecord,
  type OrderStatus,
  type SaleRecord,
} from '#adapters/dynamodb/sale-store';
import { isFinal, isRefusal, OrderNotFound, type ExchangeOrder } from '#adapters/exchange/exchange';
import {
  isSelling,
  leftToSell,
  STOPPED_BY_OFFICER,
  loadCase,
  loadSale,
  approvalToAsk,
  askApproval,
  planFor,
  plannedValueOf,
  policyFor,
  requireSelling,
  saleOrders,
  seconds,
  stillNeeded,
  today,
  type SaleDeps,
} from './context';
import { inDoubtFor, lookUpOrders, recordFills, type OrderExchange } from './orders-in-doubt';
import { pendingShares, resolveShares } from './desk-shares';
import { quotesForDesk, readMarkets, SHARED_QUOTE_RULES } from './shared-quotes';
import { deskIdOf, type DeskStore } from '#adapters/dynamodb/desk-store';
import { InvalidStepInputError, OrderInDoubtError } from './errors';
import type {
  FillResult,
  GuardResult,
  InDoubtResult,
  DeskStep,
  MarketStep,
  OrderResult,
  SaleRef,
  SliceResult,
  StepEvent,
} from './steps';

export interface MarketStepDeps extends SaleDeps {
  /** The exchange, with its order history (orders in doubt are searched for there). */
  exchange: OrderExchange;
  /**
   * The price poller's minute series (shared/adapters/dynamodb/price-store.ts), so the circuit
   * breaker sees the market's recent moves even on a sale's first quote; the sale's own quotes
   * are used as well.
   */
  priceHistory?: { series(market: string, from: Date, to: Date): Promise<{ at: Date; price: Decimal }[]> };
  /** The sale desks (docs/SALE-DESK.md): with `limits.desk`, a case sells through its market's desk. */
  desks?: DeskStore;
}

const DAY_MS = 86_400_000;
const OPEN: readonly OrderStatus[] = ['PLANNED', 'SENDING', 'PLACED'];

export type MarketSteps = Record<Exclude<MarketStep, DeskStep>, (event: StepEvent) => Promise<unknown>>;

/** The decision the sale's quality is measured against: the first slice's plan (a market first sold later gets its mid then). */
function arrivalOf(
  sale: SaleRecord,
  salePlan: SalePlan,
  market: string,
  mid: Decimal,
  need: Decimal,
  plannedValue: Decimal,
  now: Date,
): Arrival {
  if (sale.arrival) return { ...sale.arrival, mids: { [market]: mid, ...sale.arrival.mids } };
  return {
    decidedAt: now.toISOString(),
    needKrw: need,
    legs: salePlan.legs.map((l) => ({ market: l.market, quantity: l.quantity })),
    mids: Object.fromEntries(
      salePlan.legs.flatMap((l) => (sale.lastQuotes[l.market] ? [[l.market, sale.lastQuotes[l.market]!.mid]] : [])),
    ),
    plannedValueKrw: plannedValue,
  };
}

export function createMarketSteps(deps: MarketStepDeps): MarketSteps {
  const { exchange, sales, clock } = deps;

  async function lookUp(identifier: string): Promise<ExchangeOrder | undefined> {
    try {
      return await exchange.getOrder({ identifier });
    } catch (error) {
      if (error instanceof OrderNotFound) return undefined;
      throw error;
    }
  }

  const withFills = (order: OrderRecord, ex: ExchangeOrder): OrderRecord => recordFills(order, ex, clock());

  /** Makes a final exchange order final here too (cancelling it first if it is somehow still open). */
  async function finalOrder(order: OrderRecord, ex: ExchangeOrder, force: boolean): Promise<ExchangeOrder | undefined> {
    if (isFinal(ex)) return ex;
    const age = clock().getTime() - ex.createdAt.getTime();
    if (!force && age < deps.limits.maxOpenOrderMs) return undefined;
    deps.logger.warn('an IOC order is still open: cancelling it', { identifier: order.identifier, state: ex.state });
    return exchange.cancelOrder({ identifier: order.identifier });
  }

  async function close(ref: SaleRef, order: OrderRecord, from: readonly OrderStatus[]): Promise<void> {
    const sale = await loadSale(deps, ref);
    await sales.closeOrder(order, from, sale);
  }

  /**
   * Looks every order in doubt of the case up again (the sale's own and earlier attempts'): found
   * final, its fills are recorded (DONE) if its sale is this one; found open, it is PLACED again for
   * ReconcileOrder; not found, it stays IN_DOUBT with the lookup counted. Orders of an earlier,
   * settled attempt are left to the sweep (which books them as a post-settlement adjustment).
   * Returns the orders as they now stand.
   */
  async function lookUpInDoubt(ref: SaleRef, orders: OrderRecord[]): Promise<OrderRecord[]> {
    // Shares of desk orders: from their desk order (the desk and the sweep look it up on the exchange).
    const shares = deps.desks ? await resolveShares({ sales, desks: deps.desks, clock }, orders) : 0;
    const doubtful = ownOrders(inDoubt(orders)).filter((o) => o.saleId === ref.saleId);
    if (doubtful.length === 0) return shares > 0 ? saleOrders(deps, ref) : orders;
    const now = clock();
    const found = await lookUpOrders(exchange, doubtful, now);
    for (const order of doubtful) {
      const ex = found.get(order.identifier);
      if (ex && isFinal(ex)) {
        await close(ref, withFills(order, ex), ['IN_DOUBT']);
        deps.metrics.addMetric('OrdersInDoubtResolved', 'Count', 1);
        deps.logger.warn('an order in doubt was found on the exchange: its fills are recorded', {
          identifier: order.identifier,
          executedVolume: ex.executedVolume.toFixed(),
        });
      } else if (ex) {
        await sales.updateOrder(
          { ...order, status: 'PLACED', exchangeUuid: ex.uuid, exchangeState: ex.state, resolvedByLookup: true },
          ['IN_DOUBT'],
        );
      } else {
        await sales.updateOrder({ ...order, lookups: (order.lookups ?? 0) + 1, lastLookupAt: now.toISOString() }, [
          'IN_DOUBT',
        ]);
      }
    }
    return saleOrders(deps, ref);
  }

  /** A wait never outlasts `longestWaitSeconds`: an officer's stop, a hold or a payment is seen within it. */
  const waitSecondsFor = (ms: number): number => Math.min(seconds(ms), deps.limits.longestWaitSeconds);

  /** Why the order must not go out now, read right before the exchange is called; undefined when it may. */
  async function lastMomentBlock(ref: SaleRef, order: OrderRecord): Promise<string | undefined> {
    const c = await loadCase(deps, ref);
    if (c.status === 'CANCELLED') return 'CANCELLED';
    if (!isSelling(c, ref.saleId)) return `CASE_${c.status}`;
    if (isSaleStopRequested(c, ref.saleId)) return STOPPED_BY_OFFICER;
    const on = today(deps);
    const settings = await deps.settings.get(c.cityId);
    const block = saleBlock(c, on, settings);
    if (block) return block;
    const orders = await saleOrders(deps, ref);
    if (stillNeeded(c, orders, on, settings).lte(0)) return 'COVERED';
    const left = leftToSell(c, await loadSale(deps, ref), orders).get(order.market) ?? ZERO;
    if (left.lt(order.volume)) return 'COINS_NOT_AVAILABLE';
    return undefined;
  }

  function record(ref: SaleRef, identifier: string | undefined): string {
    if (!identifier) throw new InvalidStepInputError(`${ref.saleId}: the step needs an order identifier`);
    return identifier;
  }

  return {
    /**
     * Quotes every market the sale may still sell (ticker, order book, the exchange's rules), keeps
     * them on the sale record, and runs the market guards on the market the plan sells next: a stale
     * or disputed price or a volatile market pauses the sale; too many pauses in a row escalate.
     */
    async QuoteMarket(event): Promise<GuardResult> {
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      let sale = await loadSale(deps, event);
      const orders = await saleOrders(deps, event);
      const left = leftToSell(c, sale, orders);
      const markets = [...left.keys()].sort();
      if (markets.length === 0) return { action: 'GO', waitSeconds: 0 };

      // Joining a desk, the case plans on the market's shared quote when it is fresh (the desk prices
      // every order from its own book); selling alone, it prices its orders from its own read.
      const quoted =
        deps.limits.desk && deps.desks
          ? (
              await quotesForDesk({ exchange, desks: deps.desks, clock }, markets, {
                ...SHARED_QUOTE_RULES,
                maxReadAgeMs: deps.policy.sliceIntervalMs,
                maxPriceAgeMs: deps.policy.maxPriceAgeMs,
                rulesMaxAgeMs: deps.limits.rulesMaxAgeMs,
              })
            ).snapshots
          : await readMarkets(exchange, markets);
      const now = clock();
      const window = deps.policy.circuitBreakerWindowMs;
      const lastQuotes = { ...sale.lastQuotes };
      const history = { ...sale.priceHistory };
      const prior: Record<string, { at: Date; price: Decimal }[]> = {};
      for (const market of markets) {
        const snapshot = quoted.get(market);
        if (!snapshot) continue; // no price, no plan for it
        lastQuotes[market] = snapshot;
        const kept = (history[market] ?? []).filter(
          (p) => Date.parse(p.at) >= now.getTime() - window && p.at !== snapshot.quotedAt,
        );
        prior[market] = kept.map((p) => ({ at: new Date(p.at), price: p.price }));
        history[market] = [...kept, { at: snapshot.quotedAt, price: snapshot.tradePrice }];
      }
      sale = { ...sale, lastQuotes, priceHistory: history };

      const need = stillNeeded(c, orders, today(deps), await deps.settings.get(c.cityId));
      const leg = need.gt(0) ? planFor(deps, need, sale, left)?.legs[0] : undefined;
      const quote = leg ? lastQuotes[leg.market] : undefined;
      if (!leg || !quote) {
        await sales.save(sale);
        return { action: 'GO', waitSeconds: 0 };
      }
      const polled = deps.priceHistory
        ? await deps.priceHistory.series(leg.market, new Date(now.getTime() - window), now)
        : [];
      const decision: GuardDecision = guardMarket({
        policy: policyFor(deps.policy, sale, leg.market),
        now,
        quote: {
          tradePrice: quote.tradePrice,
          bookMid: quote.mid,
          bestBid: quote.bestBid,
          quotedAt: new Date(quote.quotedAt),
        },
        recentPrices: [...polled.map((p) => ({ at: p.at, price: p.price })), ...(prior[leg.market] ?? [])],
        consecutivePauses: sale.consecutivePauses,
      });
      if (decision.action === 'GO') {
        await sales.save({ ...sale, consecutivePauses: 0 });
        return { action: 'GO', market: leg.market, waitSeconds: 0 };
      }
      const pause = { at: now.toISOString(), market: leg.market, reason: decision.reason, action: decision.action };
      sale = {
        ...sale,
        consecutivePauses: decision.consecutivePauses,
        pauses: [...sale.pauses, pause],
        pauseCount: sale.pauseCount + 1,
      };
      if (decision.action === 'ESCALATE') {
        await sales.save({ ...sale, escalation: { at: pause.at, market: leg.market, reason: decision.reason } });
        return { action: 'ESCALATE', market: leg.market, reason: decision.reason, waitSeconds: 0 };
      }
      await sales.save(sale);
      deps.metrics.addMetric('SalePaused', 'Count', 1);
      // The taxpayer's floor is not reached in a minute: look again at a pace fitted to it.
      const waitMs =
        decision.reason === 'LIMIT_PRICE_NOT_REACHED'
          ? Math.max(decision.resumeAt.getTime() - now.getTime(), deps.limits.floorRecheckSeconds * 1000)
          : decision.resumeAt.getTime() - now.getTime();
      return { action: 'PAUSE', market: leg.market, reason: decision.reason, waitSeconds: waitSecondsFor(waitMs) };
    },

    /**
     * Re-plans with the real proceeds so far and sizes the next slice of the first leg (the domain's
     * planner and execution policy), asks for an officer's approval before the first order of a sale
     * at or above the threshold, and issues the slice's order identifier. An order already planned
     * and not yet reconciled is returned again instead (a retried step issues nothing new).
     */
    async PlanNextSlice(event): Promise<SliceResult> {
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      let sale = await loadSale(deps, event);
      // Before the next slice: every order in doubt is looked up again.
      const orders = await lookUpInDoubt(event, await saleOrders(deps, event));
      sale = await loadSale(deps, event);
      const open = orders.find((o) => o.identifier === sale.openOrder && OPEN.includes(o.status));
      if (open)
        return {
          action: 'SELL',
          identifier: open.identifier,
          market: open.market,
          quantity: open.volume.toFixed(),
          limitPrice: open.limitPrice.toFixed(),
          reason: 'RESUMED',
          waitSeconds: 0,
        };

      const now = clock();
      const on = kstDate(now);
      // Coins in a desk order on the way are neither sold nor free: wait for the desk to finish it.
      if (pendingShares(orders).length > 0)
        return wait(sale, pendingShares(orders)[0]!.market, 'DESK_ORDER_PENDING', deps.limits.fillPollSeconds * 1000);
      const need = stillNeeded(c, orders, on, await deps.settings.get(c.cityId));
      if (need.lte(0)) return settle('COVERED');
      const left = leftToSell(c, sale, orders);
      if (left.size === 0) return settle('ALL_SOLD');
      const salePlan = planFor(deps, need, sale, left);
      if (!salePlan) return wait(sale, [...left.keys()][0] ?? '', 'NO_PRICE', deps.policy.sliceIntervalMs);
      const leg = salePlan.legs[0];
      if (!leg) {
        // Nothing left can raise anything: below the exchange minimum, it goes back as dust.
        const dust = { ...sale.dust };
        for (const r of salePlan.release) dust[r.market] = (dust[r.market] ?? ZERO).add(r.quantity);
        await sales.save({ ...sale, dust });
        return settle('ONLY_DUST_LEFT');
      }
      const snapshot = sale.lastQuotes[leg.market];
      if (!snapshot) return wait(sale, leg.market, 'NO_PRICE', deps.policy.sliceIntervalMs);
      // Nothing new on a market with an order in doubt: it may still sell, and the need would be
      // overshot. Past the bound an officer is alerted and the sale goes on without those coins.
      const doubtful = inDoubt(orders).filter((o) => o.market === leg.market);
      if (doubtful.length > 0) {
        const oldest = Math.max(...doubtful.map((o) => inDoubtFor(o, now)));
        if (oldest < deps.limits.inDoubtBoundMs)
          return wait(sale, leg.market, 'ORDER_IN_DOUBT', deps.limits.inDoubtRecheckSeconds * 1000);
        deps.metrics.addMetric('OrdersInDoubtPastBound', 'Count', doubtful.length);
        deps.logger.error(
          'orders in doubt past the bound: an officer must look; the sale goes on without their coins',
          { saleId: event.saleId, orders: doubtful.map((o) => o.identifier) },
        );
      }
      const plannedValue = plannedValueOf(salePlan, sale);

      // Approval before the first order at or above the threshold, or a sale raised across it.
      const value = approvalToAsk(c, sale, orders, plannedValue, deps.policy);
      if (value) {
        sale = await askApproval(deps, sale, value, now);
        return {
          action: 'AWAIT_APPROVAL',
          reason: `planned ₩${plannedValue.toFixed()} at or above the approval threshold`,
          waitSeconds: 0,
        };
      }

      if (deps.limits.desk && deps.desks) {
        // The market's desk sells it, with every other case selling that coin (JoinDesk).
        const arrival = arrivalOf(sale, salePlan, leg.market, snapshot.mid, need, plannedValue, now);
        await sales.save({
          ...sale,
          status: 'RUNNING',
          arrival,
          desk: {
            deskId: deskIdOf(leg.market, on),
            market: leg.market,
            day: on,
            offered: leg.quantity,
            joinedAt: now.toISOString(),
          },
        });
        return {
          action: 'JOIN',
          market: leg.market,
          quantity: leg.quantity.toFixed(),
          reason: deskIdOf(leg.market, on),
          waitSeconds: 0,
        };
      }
      const policy = policyFor(deps.policy, sale, leg.market);
      const arrivalLeg = sale.arrival?.legs.find((l) => l.market === leg.market);
      const soldToday = sum(
        executed(orders)
          .filter((o) => o.market === leg.market && kstDate(o.firstTradeAt ?? o.plannedAt) === on)
          .map((o) => o.executedVolume ?? ZERO),
      );
      const decision = nextSlice({
        policy,
        now,
        remainingQuantity: leg.quantity,
        referencePrice: snapshot.mid,
        bids: snapshot.bids,
        tickSize: snapshot.tickSize,
        lotSize: deps.limits.lotSize,
        minOrderKrw: snapshot.minOrderKrw,
        recentTradedVolume: snapshot.accTradeVolume24h.mul(policy.volumeLookbackMs).div(DAY_MS),
        plannedTotalQuantity: arrivalLeg?.quantity ?? leg.quantity,
        soldTodayQuantity: soldToday,
        averageDailyTradedValue: snapshot.accTradeValue24h,
      });

      switch (decision.action) {
        case 'SELL': {
          const slice = sale.sliceCount + 1;
          const identifier = orderIdentifier(event.cityId, event.saleId, slice);
          const arrival = arrivalOf(sale, salePlan, leg.market, snapshot.mid, need, plannedValue, now);
          const order: OrderRecord = {
            identifier,
            cityId: event.cityId,
            caseId: event.caseId,
            saleId: event.saleId,
            slice,
            market: leg.market,
            volume: decision.quantity,
            limitPrice: decision.limitPrice,
            binding: decision.binding,
            referencePrice: snapshot.mid,
            status: 'PLANNED',
            plannedAt: now.toISOString(),
            sendAttempts: 0,
          };
          await sales.planOrder(
            { ...sale, status: 'RUNNING', sliceCount: slice, openOrder: identifier, arrival },
            order,
          );
          return {
            action: 'SELL',
            identifier,
            market: leg.market,
            quantity: decision.quantity.toFixed(),
            limitPrice: decision.limitPrice.toFixed(),
            reason: decision.binding,
            waitSeconds: 0,
          };
        }
        case 'WAIT':
          return wait(sale, leg.market, decision.reason, decision.resumeAt.getTime() - now.getTime());
        case 'RELEASE_DUST':
          await sales.save({
            ...sale,
            dust: { ...sale.dust, [leg.market]: (sale.dust[leg.market] ?? ZERO).add(decision.quantity) },
          });
          return { action: 'NEXT', market: leg.market, reason: 'DUST', waitSeconds: 0 };
        case 'DONE':
          return { action: 'NEXT', market: leg.market, reason: 'LEG_DONE', waitSeconds: 0 };
      }

      async function settle(reason: string): Promise<SliceResult> {
        await sales.save({ ...(await loadSale(deps, event)), stopReason: reason });
        return { action: 'SETTLE', reason, waitSeconds: 0 };
      }
      async function wait(s: SaleRecord, market: string, reason: string, ms: number): Promise<SliceResult> {
        const pause = { at: now.toISOString(), market, reason, action: 'WAIT' as const };
        await sales.save({ ...s, pauses: [...s.pauses, pause], pauseCount: s.pauseCount + 1 });
        return { action: 'WAIT', market, reason, waitSeconds: waitSecondsFor(ms) };
      }
    },

    /**
     * Places the slice's limit IOC order once. An order marked SENDING by an earlier attempt is
     * first looked up by its identifier; then the order is sent with `placeOrResolve`, which, on any
     * doubt, looks it up again instead of sending another. Sent and still not found, the order is
     * IN_DOUBT (it may execute late): never re-sent, looked up again later. Refused by the exchange,
     * it was never placed: ABSENT with the refusal, and the next slice gets a new identifier.
     */
    async PlaceOrder(event): Promise<OrderResult> {
      const identifier = record(event, event.identifier);
      let order = await sales.getOrder(event.cityId, event.caseId, identifier);
      if (!order || order.saleId !== event.saleId)
        throw new InvalidStepInputError(`no order ${identifier} in sale ${event.saleId}`);
      if (
        order.status === 'PLACED' ||
        order.status === 'DONE' ||
        order.status === 'ABSENT' ||
        order.status === 'IN_DOUBT'
      ) {
        return { identifier, status: order.status, resolvedByLookup: order.resolvedByLookup ?? false };
      }
      if (order.status === 'SENDING') {
        const found = await lookUp(identifier);
        if (found) {
          await sales.updateOrder(
            {
              ...order,
              status: 'PLACED',
              exchangeUuid: found.uuid,
              exchangeState: found.state,
              resolvedByLookup: true,
            },
            ['SENDING'],
          );
          deps.metrics.addMetric('OrdersResolvedByLookup', 'Count', 1);
          deps.logger.info('order found by its identifier, not sent again', { identifier });
          return { identifier, status: 'PLACED', resolvedByLookup: true };
        }
      }
      // The last moment: holds, full payment, cancellation, what is still needed and still there.
      const blockedBy = await lastMomentBlock(event, order);
      if (blockedBy) {
        // Never sent: not placed. SENDING and not found: an earlier attempt may have gone out.
        const neverSent = order.status === 'PLANNED';
        const closed: OrderRecord = neverSent
          ? { ...order, status: 'ABSENT', absentReason: `blocked: ${blockedBy}` }
          : {
              ...order,
              status: 'IN_DOUBT',
              inDoubtSince: clock().toISOString(),
              lookups: 1,
              absentReason: `blocked: ${blockedBy}`,
            };
        await close(event, closed, [order.status]);
        deps.metrics.addMetric('OrdersBlocked', 'Count', 1);
        deps.logger.info('order blocked at the last moment: not sent', { identifier, blockedBy });
        return { identifier, status: neverSent ? 'ABSENT' : 'IN_DOUBT', resolvedByLookup: false, blockedBy };
      }
      order = { ...order, status: 'SENDING', sendAttempts: order.sendAttempts + 1, sentAt: clock().toISOString() };
      await sales.updateOrder(order, ['PLANNED', 'SENDING']);
      let outcome;
      try {
        outcome = await exchange.placeOrResolve({
          type: 'limit',
          timeInForce: 'ioc',
          market: order.market,
          identifier,
          volume: order.volume,
          price: order.limitPrice,
        });
      } catch (error) {
        // A refusal is an answer: the order was never placed.
        if (isRefusal(error)) {
          await close(
            event,
            { ...order, status: 'ABSENT', absentReason: `refused: ${error.name} ${error.exchangeName ?? ''}`.trim() },
            ['SENDING'],
          );
        }
        throw error;
      }
      if (outcome.outcome === 'inDoubt') {
        await close(event, { ...order, status: 'IN_DOUBT', inDoubtSince: clock().toISOString(), lookups: 0 }, [
          'SENDING',
        ]);
        deps.metrics.addMetric('OrdersInDoubt', 'Count', 1);
        deps.logger.warn(
          'order sent without an answer and not found yet: in doubt, never re-sent; looked up again before anything else',
          { identifier, reason: outcome.reason },
        );
        return { identifier, status: 'IN_DOUBT', resolvedByLookup: false };
      }
      if (outcome.outcome === 'absent') {
        await close(event, { ...order, status: 'ABSENT', absentReason: outcome.reason }, ['SENDING']);
        deps.metrics.addMetric('OrdersAbsent', 'Count', 1);
        deps.logger.warn('order not on the exchange: its identifier is spent, the next slice gets a new one', {
          identifier,
          reason: outcome.reason,
        });
        return { identifier, status: 'ABSENT', resolvedByLookup: true };
      }
      const placed = outcome.order;
      await sales.updateOrder(
        {
          ...order,
          status: 'PLACED',
          exchangeUuid: placed.uuid,
          exchangeState: placed.state,
          resolvedByLookup: outcome.resolvedByLookup,
        },
        ['SENDING'],
      );
      deps.metrics.addMetric('OrdersPlaced', 'Count', 1);
      if (outcome.resolvedByLookup) deps.metrics.addMetric('OrdersResolvedByLookup', 'Count', 1);
      return { identifier, status: 'PLACED', resolvedByLookup: outcome.resolvedByLookup };
    },

    /** Reads the order's final state from the exchange and records its fills, once. */
    async ReconcileOrder(event): Promise<FillResult> {
      const identifier = record(event, event.identifier);
      const order = await sales.getOrder(event.cityId, event.caseId, identifier);
      if (!order || order.saleId !== event.saleId)
        throw new InvalidStepInputError(`no order ${identifier} in sale ${event.saleId}`);
      if (order.status !== 'DONE' && order.status !== 'ABSENT') {
        const seen = await lookUp(identifier);
        if (!seen)
          throw new OrderInDoubtError(`order ${identifier} is ${order.status} here but the exchange has no such order`);
        const final = await finalOrder(order, seen, false);
        if (!final)
          return {
            identifier,
            final: false,
            more: true,
            executedVolume: seen.executedVolume.toFixed(),
            waitSeconds: deps.limits.fillPollSeconds,
          };
        const done = withFills(order, final);
        await close(event, done, ['PLACED', 'SENDING']);
        deps.metrics.addMetric('SoldKrw', 'Count', Number((done.grossKrw ?? ZERO).toFixed(0)));
      }
      const after = await sales.getOrder(event.cityId, event.caseId, identifier);
      const c = await loadCase(deps, event);
      const sale = await loadSale(deps, event);
      const orders = await saleOrders(deps, event);
      const more =
        stillNeeded(c, orders, today(deps), await deps.settings.get(c.cityId)).gt(0) &&
        leftToSell(c, sale, orders).size > 0;
      return {
        identifier,
        final: true,
        more,
        executedVolume: (after?.executedVolume ?? ZERO).toFixed(),
        waitSeconds: seconds(deps.policy.sliceIntervalMs),
      };
    },

    /**
     * Before settlement: every order in doubt is looked up again. While one stays in doubt and is
     * younger than the bound, the state machine waits and asks again; past the bound an officer is
     * alerted and the sale settles what is known, the order's coins held back (neither sold nor
     * released) for the sweep.
     */
    async LookUpOrdersInDoubt(event): Promise<InDoubtResult> {
      const orders = await lookUpInDoubt(event, await saleOrders(deps, event));
      const now = clock();
      // A desk order with this case's share is on the way (the case has left the desk): it ends in seconds.
      const pending = pendingShares(orders).filter((o) => o.saleId === event.saleId);
      if (pending.length > 0) return { inDoubt: pending.length, wait: true, waitSeconds: deps.limits.fillPollSeconds };
      const mine = inDoubt(orders).filter((o) => o.saleId === event.saleId);
      if (mine.length === 0) return { inDoubt: 0, wait: false, waitSeconds: 0 };
      const oldest = Math.max(...mine.map((o) => inDoubtFor(o, now)));
      if (oldest < deps.limits.inDoubtBoundMs)
        return { inDoubt: mine.length, wait: true, waitSeconds: deps.limits.inDoubtRecheckSeconds };
      deps.metrics.addMetric('OrdersInDoubtPastBound', 'Count', mine.length);
      deps.logger.error('settling with orders still in doubt: their coins are held back; an officer must look', {
        saleId: event.saleId,
        orders: mine.map((o) => o.identifier),
      });
      return { inDoubt: mine.length, wait: false, waitSeconds: 0 };
    },

    /**
     * After a failure: every order of the sale not yet final here is resolved against the exchange
     * (by identifier), so that the recorded failure settles exactly what was sold; orders in doubt
     * are looked up again, and one sent but not found becomes IN_DOUBT (never ABSENT: it may still
     * execute). Throws, and so stops the execution with the case still SELLING, when an order the
     * exchange acknowledged cannot be found.
     */
    async ResolveOpenOrders(event): Promise<{ resolved: number }> {
      // In a desk: leave it first, so no new order takes this case's coins; wait for one on the way.
      const sale = await sales.get(event.cityId, event.caseId, event.saleId);
      if (sale?.desk && deps.desks) {
        await deps.desks.withdraw(event.cityId, sale.desk.deskId, event.caseId, 'SALE_FAILED');
        if (pendingShares(await saleOrders(deps, event)).length > 0)
          throw new OrderInDoubtError(`${event.saleId}: a desk order with this case's share is on the way`);
      }
      const orders = await lookUpInDoubt(event, await sales.orders(event.cityId, event.caseId, event.saleId));
      let resolved = 0;
      for (const order of orders.filter((o) => OPEN.includes(o.status))) {
        if (order.status === 'PLANNED') {
          await close(event, { ...order, status: 'ABSENT', absentReason: 'never sent' }, ['PLANNED']);
        } else {
          const seen = await lookUp(order.identifier);
          if (!seen) {
            if (order.status === 'PLACED')
              throw new OrderInDoubtError(`order ${order.identifier} was placed but the exchange does not find it`);
            await close(event, { ...order, status: 'IN_DOUBT', inDoubtSince: clock().toISOString(), lookups: 0 }, [
              'SENDING',
            ]);
            deps.metrics.addMetric('OrdersInDoubt', 'Count', 1);
          } else {
            const final = await finalOrder(order, seen, true);
            if (!final) throw new OrderInDoubtError(`order ${order.identifier} is still open`);
            await close(event, withFills(order, final), ['PLACED', 'SENDING']);
          }
        }
        resolved += 1;
      }
      return { resolved };
    },
  };
}
