/**
 * The sale desk's steps (docs/SALE-DESK.md), run by the market-steps function for the desk's own
 * state machine: one execution per (city account, market, Korean day), looping
 *
 *   PlanDeskSlice → PlaceDeskOrder → WaitForDeskFill → ReconcileDeskOrder → WaitBetweenDeskSlices → …
 *
 * until no member is left. Each turn looks the desk's orders in doubt up again, loads the cases
 * taking part (their memberships), quotes the market once, runs the market guards, and plans ONE
 * order for all of them (`nextDeskSlice`: the schedule and the policy's caps on the aggregate, split
 * pro rata). The order's identifier is `<city>.<deskId>.s<n>`, issued once (the desk's counter and
 * the order are written in one transaction with each case's share). Placement follows the same rules
 * as a case's own order (SENDING before the call, looked up by identifier before anything is sent
 * again, IN_DOUBT when sent without an answer and not found, ABSENT only when provably never placed);
 * the fills are allocated to the cases trade by trade (`allocateOrder`) and each case's share written
 * in the transaction that marks the order DONE.
 */
import { isSaleStopRequested, saleBlock } from '#domain/case';
import { CaseNotFoundError, ConcurrencyConflictError } from '#domain/case-store';
import { kstDate } from '#domain/dates';
import type { DeskParticipant } from '#domain/desk-allocation';
import { guardMarket } from '#domain/execution-policy';
import { nextDeskSlice } from '#domain/sale-desk';
import { Decimal, sum, ZERO } from '#domain/money';
import {
  deskOrderIdentifier,
  deskShortfallBps,
  finalShare,
  MAX_OFFERS_PER_ORDER,
  memberLeft,
  plannedShare,
  type DeskMember,
  type DeskOrder,
  type DeskRecord,
  type DeskRules,
  type DeskStore,
} from '#adapters/dynamodb/desk-store';
import type { MarketSnapshot, OrderRecord } from '#adapters/dynamodb/sale-store';
import {
  BelowMinimum,
  InvalidTick,
  isFinal,
  isRefusal,
  OrderNotFound,
  type ExchangeOrder,
} from '#adapters/exchange/exchange';
import { askApproval, isSelling, saleOrders, seconds, STOPPED_BY_OFFICER, today, type SaleDeps } from './context';
import { InvalidStepInputError, OrderInDoubtError } from './errors';
import { inDoubtFor, lookUpOrders, type OrderExchange } from './orders-in-doubt';
import { snapshotOf } from './shared-quotes';
import {
  allocated,
  closeWithShares as closeOrderWithShares,
  resolveShares,
  reviewMember,
  withTrades,
} from './desk-shares';
import type { DeskSliceResult, DeskStep, DeskStepEvent, OrderResult, FillResult } from './steps';

export interface DeskStepDeps extends SaleDeps {
  exchange: OrderExchange;
  desks: DeskStore;
  priceHistory?: { series(market: string, from: Date, to: Date): Promise<{ at: Date; price: Decimal }[]> };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const OPEN = ['PLANNED', 'SENDING', 'PLACED'] as const;
/** Members reviewed side by side on a turn (each: its case, its sale, its orders). */
const REVIEWED_TOGETHER = 8;
/** A desk's run ends after this (about 27 history events a slice: 400 slices stay well under 25,000). */
export const DESK_RUN_MS = 6 * 3_600_000;

export type DeskSteps = Record<DeskStep, (event: DeskStepEvent) => Promise<unknown>>;

export function createDeskSteps(deps: DeskStepDeps): DeskSteps {
  const { exchange, desks, clock } = deps;
  const waitFor = (ms: number): number => Math.min(seconds(ms), deps.limits.longestWaitSeconds);

  async function loadDesk(event: DeskStepEvent): Promise<DeskRecord> {
    const desk = await desks.get(event.cityId, event.deskId);
    if (!desk) throw new InvalidStepInputError(`no desk ${event.deskId}: no case joined it`);
    return desk;
  }

  async function lookUp(identifier: string): Promise<ExchangeOrder | undefined> {
    try {
      return await exchange.getOrder({ identifier });
    } catch (error) {
      if (error instanceof OrderNotFound) return undefined;
      throw error;
    }
  }

  /** Closes the order final from the exchange's record: DONE with each case's share, in one transaction. */
  async function closeFinal(order: DeskOrder, ex: ExchangeOrder, from: readonly OrderRecord['status'][]) {
    const now = clock();
    const done = allocated(order, ex, deps.limits.lotSize, now);
    const inDoubt = from.includes('IN_DOUBT');
    // Found late: the shares are in doubt in the cases' partitions; each case turns its own DONE
    // from the allocation (or the sweep, once its sale has ended).
    const shares = inDoubt ? [] : (await desks.shares(order)).map((s) => finalShare(s, done, now));
    const desk = await desks.get(order.cityId, order.saleId);
    await desks.closeOrder(done, from, shares, desk);
    deps.metrics.addMetric('DeskOrdersFilled', 'Count', 1);
    return done;
  }

  const closeWithShares = (
    order: DeskOrder,
    from: readonly OrderRecord['status'][],
    deskChange?: (desk: DeskRecord) => DeskRecord,
  ) => closeOrderWithShares(deps, order, from, deskChange);

  /** Every order of the desk not final: in doubt looked up again, found final closed; the rest as they stand. */
  async function openOrders(desk: DeskRecord): Promise<DeskOrder[]> {
    const open: DeskOrder[] = [];
    for (const id of desk.openOrders) {
      const o = await desks.order(desk.cityId, desk.deskId, id);
      if (o && o.status !== 'DONE' && o.status !== 'ABSENT') open.push(o);
    }
    const doubtful = open.filter((o) => o.status === 'IN_DOUBT');
    if (doubtful.length === 0) return open;
    const now = clock();
    const found = await lookUpOrders(exchange, doubtful, now);
    for (const order of doubtful) {
      const ex = found.get(order.identifier);
      if (ex && isFinal(ex)) {
        await closeFinal(order, await withTrades(exchange, ex), ['IN_DOUBT']);
        deps.metrics.addMetric('OrdersInDoubtResolved', 'Count', 1);
        deps.logger.warn('a desk order in doubt was found on the exchange: its fills are allocated by its split', {
          identifier: order.identifier,
          executedVolume: ex.executedVolume.toFixed(),
        });
      } else {
        await desks.updateOrder({ ...order, lookups: (order.lookups ?? 0) + 1, lastLookupAt: now.toISOString() }, [
          'IN_DOUBT',
        ]);
      }
    }
    const fresh = await loadDesk({ cityId: desk.cityId, deskId: desk.deskId } as DeskStepEvent);
    const still: DeskOrder[] = [];
    for (const id of fresh.openOrders) {
      const o = await desks.order(desk.cityId, desk.deskId, id);
      if (o && o.status !== 'DONE' && o.status !== 'ABSENT') still.push(o);
    }
    return still;
  }

  /**
   * Each member's own checks and offer, on the desk's turn (`reviewMember`: the rules its sale
   * applies alone): a member that must leave is withdrawn with the reason (its sale settles or
   * re-plans when it next looks, ReadDeskShare) and takes no part from this order; the others'
   * offers follow what each still needs. Its shares in doubt are resolved from their desk orders first.
   */
  async function reviewMembers(desk: DeskRecord, active: readonly DeskMember[], now: Date): Promise<DeskMember[]> {
    const settings = await deps.settings.get(desk.cityId);
    // Every member's case and sale in one batch read each (BatchGetItem, strongly consistent), not two
    // reads a member; its orders are one query of its partition.
    const [cases, sales] = await Promise.all([
      deps.store.getMany(
        desk.cityId,
        active.map((m) => m.caseId),
      ),
      deps.sales.getMany(desk.cityId, active),
    ]);
    const review = async (m: DeskMember): Promise<DeskMember | undefined> => {
      const ref = { cityId: m.cityId, caseId: m.caseId, saleId: m.saleId };
      const c = cases.get(m.caseId);
      if (!c) throw new CaseNotFoundError(m.cityId, m.caseId);
      const found = sales.get(m.caseId);
      const sale = found?.saleId === m.saleId ? found : undefined;
      let orders = await saleOrders(deps, ref);
      if ((await resolveShares({ sales: deps.sales, desks, clock }, orders)) > 0) orders = await saleOrders(deps, ref);
      const verdict = sale ? reviewMember(deps, c, sale, orders, m, desk, now, settings) : { leave: 'NO_SALE' };
      if ('leave' in verdict) {
        await desks.withdraw(m.cityId, m.deskId, m.caseId, verdict.leave);
        deps.logger.info('a member leaves the desk', { deskId: m.deskId, caseId: m.caseId, reason: verdict.leave });
        if (sale && verdict.approval) {
          // The sale waits for an officer (AwaitApproval once it looks); a sale that changed meanwhile
          // (it saw the withdrawal first) asks on its own path, PlanNextSlice.
          const { desk: _left, ...rest } = sale;
          await askApproval(deps, rest, verdict.approval, now).catch((error: unknown) => {
            if (!(error instanceof ConcurrencyConflictError)) throw error;
          });
        }
        return undefined;
      }
      if (verdict.offered.eq(m.offered)) return m;
      // Not re-offered: its membership changed meanwhile (withdrawn, or joined again); not in this order.
      return (await desks.reoffer(m, verdict.offered)) ? { ...m, offered: verdict.offered } : undefined;
    };
    const kept: DeskMember[] = [];
    for (let i = 0; i < active.length; i += REVIEWED_TOGETHER) {
      const reviewed = await Promise.all(active.slice(i, i + REVIEWED_TOGETHER).map(review));
      kept.push(...reviewed.filter((m): m is DeskMember => m !== undefined));
    }
    return kept;
  }

  /**
   * The market's rules as the desk keeps them (instruments and chance, two requests): read again once
   * older than `rulesMaxAgeMs`, and at the next turn after the exchange refused an order on a rule.
   */
  async function rulesOf(desk: DeskRecord, now: Date): Promise<DeskRules> {
    const age = desk.rules ? now.getTime() - Date.parse(desk.rules.readAt) : Infinity;
    if (desk.rules && age >= 0 && age < deps.limits.rulesMaxAgeMs) return desk.rules;
    const rule = await exchange.marketRules(desk.market);
    return { tickSize: rule.tickSize, askFee: rule.askFee, minOrderKrw: rule.minOrderTotal, readAt: now.toISOString() };
  }

  async function quote(
    desk: DeskRecord,
    now: Date,
  ): Promise<{ snapshot: MarketSnapshot; rules: DeskRules } | undefined> {
    const market = desk.market;
    const [tickers, books, rules] = await Promise.all([
      exchange.quotes([market]),
      exchange.orderBooks([market]),
      rulesOf(desk, now),
    ]);
    const snapshot = snapshotOf(
      market,
      tickers.find((t) => t.market === market),
      books.find((b) => b.market === market),
      rules,
    );
    if (!snapshot) return undefined;
    // Shared for the cases about to join (their plans, never an order: docs/SALE-DESK.md "Exchange calls").
    await desks.shareQuote({ snapshot, readAt: now.toISOString(), rulesReadAt: rules.readAt });
    return { snapshot, rules };
  }

  return {
    /**
     * One turn of the desk: orders in doubt looked up, the members loaded, the market quoted and
     * guarded, one order planned for all the cases taking part (or a wait, or the end).
     */
    async PlanDeskSlice(event): Promise<DeskSliceResult> {
      let desk = await loadDesk(event);
      const now = clock();
      const open = await openOrders(desk);
      desk = await loadDesk(event);
      const resumed = open.find((o) => OPEN.includes(o.status as (typeof OPEN)[number]));
      if (resumed)
        return {
          action: 'SELL',
          identifier: resumed.identifier,
          quantity: resumed.volume.toFixed(),
          limitPrice: resumed.limitPrice.toFixed(),
          reason: 'RESUMED',
          waitSeconds: 0,
        };
      const decide = async (result: DeskSliceResult): Promise<DeskSliceResult> => {
        desk = await desks.save({
          ...desk,
          lastDecision: {
            at: now.toISOString(),
            action: result.action,
            ...(result.reason ? { reason: result.reason } : {}),
          },
        });
        return result;
      };
      const end = async (reason: string, members: readonly DeskMember[]): Promise<DeskSliceResult> => {
        if (members.length > 0) desk = await desks.finishMembers(desk, members, reason);
        await desks.save({
          ...desk,
          status: 'ENDED',
          endedAt: now.toISOString(),
          lastDecision: { at: now.toISOString(), action: 'END', reason },
        });
        deps.logger.info('desk ended', { deskId: desk.deskId, reason, ...figuresOf(desk) });
        return { action: 'END', reason, waitSeconds: 0 };
      };

      const active = (await desks.members(desk.cityId, desk.deskId)).filter((m) => m.status === 'ACTIVE');
      // The desk sells for its Korean day; its members join the next day's desk. A run that has gone
      // on for hours ends too (Step Functions keeps 25,000 events); its members join it again. Only
      // orders in doubt can be open here (one on the way was resumed above): the sweep follows them.
      if (kstDate(now) !== desk.day) return end('DAY_OVER', active);
      if (now.getTime() - Date.parse(desk.startedAt) >= DESK_RUN_MS) return end('RUN_SPAN', active);
      // Nothing new on the market while an order is in doubt, up to the bound (then an officer is alerted).
      const doubtful = open.filter((o) => o.status === 'IN_DOUBT');
      if (doubtful.length > 0) {
        const oldest = Math.max(...doubtful.map((o) => inDoubtFor(o, now)));
        if (oldest < deps.limits.inDoubtBoundMs)
          return decide({ action: 'WAIT', reason: 'ORDER_IN_DOUBT', waitSeconds: deps.limits.inDoubtRecheckSeconds });
        deps.metrics.addMetric('OrdersInDoubtPastBound', 'Count', doubtful.length);
      }
      const members = await reviewMembers(desk, active, now);
      const lot = deps.limits.lotSize;
      const left = new Map(members.map((m) => [m.caseId, memberLeft(m, open)]));
      const sold = members.filter((m) => (left.get(m.caseId) ?? ZERO).lt(lot));
      if (sold.length > 0) desk = await desks.finishMembers(desk, sold, 'OFFER_SOLD');
      const taking = members.filter((m) => !(left.get(m.caseId) ?? ZERO).lt(lot));
      if (taking.length === 0)
        return doubtful.length > 0
          ? decide({ action: 'WAIT', reason: 'ORDER_IN_DOUBT', waitSeconds: deps.limits.inDoubtRecheckSeconds })
          : end('NO_MEMBERS', []);

      const quoted = await quote(desk, now);
      if (!quoted)
        return decide({ action: 'WAIT', reason: 'NO_PRICE', waitSeconds: waitFor(deps.policy.sliceIntervalMs) });
      const { snapshot, rules } = quoted;
      const window = deps.policy.circuitBreakerWindowMs;
      const kept = desk.priceHistory.filter(
        (p) => Date.parse(p.at) >= now.getTime() - window && p.at !== snapshot.quotedAt,
      );
      const polled = deps.priceHistory
        ? await deps.priceHistory.series(desk.market, new Date(now.getTime() - window), now)
        : [];
      const recentPrices = [
        ...polled.map((p) => ({ at: p.at, price: p.price })),
        ...kept.map((p) => ({ at: new Date(p.at), price: p.price })),
      ];
      const guard = guardMarket({
        policy: { ...deps.policy, taxpayerLimitPrice: undefined },
        now,
        quote: {
          tradePrice: snapshot.tradePrice,
          bookMid: snapshot.mid,
          bestBid: snapshot.bestBid,
          quotedAt: new Date(snapshot.quotedAt),
        },
        recentPrices,
        consecutivePauses: desk.consecutivePauses,
      });
      desk = {
        ...desk,
        lastQuote: snapshot,
        rules,
        priceHistory: [...kept, { at: snapshot.quotedAt, price: snapshot.tradePrice }],
        consecutivePauses: guard.action === 'GO' ? 0 : guard.consecutivePauses,
      };
      if (guard.action === 'ESCALATE') {
        // The desk's own alarm; each member's Escalate counts its sale in SaleEscalated.
        deps.metrics.addMetric('DeskEscalated', 'Count', 1);
        return end(`ESCALATED:${guard.reason}`, taking);
      }
      if (guard.action === 'PAUSE') {
        deps.metrics.addMetric('SalePaused', 'Count', 1);
        return decide({
          action: 'WAIT',
          reason: guard.reason,
          waitSeconds: waitFor(guard.resumeAt.getTime() - now.getTime()),
        });
      }

      // At most MAX_OFFERS_PER_ORDER cases per order (one transaction): the others take the next
      // orders in turn, rotating by the slice counter.
      const start = taking.length > MAX_OFFERS_PER_ORDER ? desk.sliceCount % taking.length : 0;
      const turn = [...taking.slice(start), ...taking.slice(0, start)].slice(0, MAX_OFFERS_PER_ORDER);
      const participants: DeskParticipant[] = turn.map((m) => ({
        caseId: m.caseId,
        leftToSell: left.get(m.caseId) ?? ZERO,
        active: true,
        ...(m.floorPrice ? { floorPrice: m.floorPrice } : {}),
      }));
      const policy = deps.policy;
      const volumePerMinute = snapshot.accTradeVolume24h.mul(MINUTE_MS).div(DAY_MS);
      const turnResult = nextDeskSlice({
        policy,
        now,
        referencePrice: snapshot.mid,
        bids: snapshot.bids,
        tickSize: snapshot.tickSize,
        lotSize: lot,
        minOrderKrw: snapshot.minOrderKrw,
        recentTradedVolume: snapshot.accTradeVolume24h.mul(policy.volumeLookbackMs).div(DAY_MS),
        plannedTotalQuantity: sum(members.map((m) => m.offered)),
        soldTodayQuantity: desk.figures.soldQuantity,
        averageDailyTradedValue: snapshot.accTradeValue24h,
        participants,
        recentPrices,
      });
      const decision = turnResult.decision;
      if (decision.action === 'WAIT')
        return decide({
          action: 'WAIT',
          reason: decision.reason,
          waitSeconds: waitFor(decision.resumeAt.getTime() - now.getTime()),
        });
      if (decision.action !== 'SELL' || !turnResult.split || turnResult.split.offers.length === 0) {
        // What is left cannot be sold (below the exchange minimum, even pooled): the cases take it back as dust.
        return end(decision.action === 'RELEASE_DUST' ? 'DUST' : 'ALL_SOLD', taking);
      }
      const slice = desk.sliceCount + 1;
      const identifier = deskOrderIdentifier(desk.cityId, desk.deskId, slice);
      const order: DeskOrder = {
        identifier,
        cityId: desk.cityId,
        caseId: 'desk',
        saleId: desk.deskId,
        slice,
        market: desk.market,
        volume: turnResult.split.quantity,
        limitPrice: decision.limitPrice,
        binding: decision.binding,
        referencePrice: snapshot.mid,
        status: 'PLANNED',
        plannedAt: now.toISOString(),
        sendAttempts: 0,
        offers: [...turnResult.split.offers],
        volumePerMinute,
        arrivalMids: Object.fromEntries(turn.flatMap((m) => (m.arrivalMid ? [[m.caseId, m.arrivalMid]] : []))),
        rulesReadAt: rules.readAt,
      };
      const saleOf = new Map(turn.map((m) => [m.caseId, m.saleId]));
      const shares = order.offers.map((o) => plannedShare(order, o, saleOf.get(o.caseId) ?? ''));
      await desks.planOrder(
        {
          ...desk,
          sliceCount: slice,
          openOrders: [...desk.openOrders, identifier],
          lastDecision: { at: now.toISOString(), action: 'SELL', reason: decision.binding },
        },
        order,
        shares,
      );
      return {
        action: 'SELL',
        identifier,
        quantity: order.volume.toFixed(),
        limitPrice: order.limitPrice.toFixed(),
        members: order.offers.length,
        reason: decision.binding,
        waitSeconds: 0,
      };
    },

    /**
     * Places the desk's order once (a case's PlaceOrder rules). At the last moment each case offering
     * is checked again (a stop, a hold, a payment, the case no longer selling): one blocked case
     * closes the order unsent (ABSENT) and withdraws that case; the desk plans again without it.
     */
    async PlaceDeskOrder(event): Promise<OrderResult> {
      const identifier = event.identifier;
      if (!identifier) throw new InvalidStepInputError('PlaceDeskOrder needs the order identifier');
      let order = await desks.order(event.cityId, event.deskId, identifier);
      if (!order) throw new InvalidStepInputError(`no desk order ${identifier}`);
      if (
        order.status === 'PLACED' ||
        order.status === 'DONE' ||
        order.status === 'ABSENT' ||
        order.status === 'IN_DOUBT'
      )
        return { identifier, status: order.status, resolvedByLookup: order.resolvedByLookup ?? false };
      if (order.status === 'SENDING') {
        const found = await lookUp(identifier);
        if (found) {
          await desks.updateOrder(
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
          return { identifier, status: 'PLACED', resolvedByLookup: true };
        }
      }
      const on = today(deps);
      // The offering cases and their memberships, read together (one batch each) right before the call.
      const caseIds = order.offers.map((o) => o.caseId);
      const [cases, members] = await Promise.all([
        deps.store.getMany(order.cityId, caseIds),
        desks.membersOf(order.cityId, event.deskId, caseIds),
      ]);
      for (const offer of order.offers) {
        const c = cases.get(offer.caseId);
        if (!c) throw new CaseNotFoundError(order.cityId, offer.caseId);
        const member = members.get(offer.caseId);
        const block =
          !member || member.status !== 'ACTIVE'
            ? 'LEFT_DESK'
            : !isSelling(c, member.saleId)
              ? `CASE_${c.status}`
              : isSaleStopRequested(c, member.saleId)
                ? STOPPED_BY_OFFICER
                : saleBlock(c, on, await deps.settings.get(c.cityId));
        if (!block) continue;
        const neverSent = order.status === 'PLANNED';
        const closed: DeskOrder = neverSent
          ? { ...order, status: 'ABSENT', absentReason: `blocked: ${offer.caseId} ${block}` }
          : {
              ...order,
              status: 'IN_DOUBT',
              inDoubtSince: clock().toISOString(),
              lookups: 1,
              absentReason: `blocked: ${offer.caseId} ${block}`,
            };
        await closeWithShares(closed, [order.status]);
        await desks.withdraw(order.cityId, event.deskId, offer.caseId, block);
        deps.metrics.addMetric('OrdersBlocked', 'Count', 1);
        deps.logger.info('desk order blocked at the last moment: not sent; the case leaves the desk', {
          identifier,
          caseId: offer.caseId,
          block,
        });
        return { identifier, status: neverSent ? 'ABSENT' : 'IN_DOUBT', resolvedByLookup: false, blockedBy: block };
      }
      order = { ...order, status: 'SENDING', sendAttempts: order.sendAttempts + 1, sentAt: clock().toISOString() };
      await desks.updateOrder(order, ['PLANNED', 'SENDING']);
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
        if (!isRefusal(error)) throw error;
        // Refused outright: never placed (ABSENT, kept with the refusal; its identifier is never used again).
        const absent: DeskOrder = {
          ...order,
          status: 'ABSENT',
          absentReason: `refused: ${error.name} ${error.exchangeName ?? ''}`.trim(),
        };
        // On a tick size or minimum the desk kept from an earlier turn: the rule may have changed
        // (Upbit's tick follows the price band). The desk drops its rules in the same transaction and
        // its next turn reads them again and plans a new order; refused on rules read for the order
        // itself, the refusal is not staleness and fails the run as any other.
        const staleRule =
          (error instanceof InvalidTick || error instanceof BelowMinimum) &&
          order.rulesReadAt !== undefined &&
          order.rulesReadAt < order.plannedAt;
        await closeWithShares(absent, ['SENDING'], staleRule ? ({ rules: _dropped, ...d }) => d : undefined);
        if (!staleRule) throw error;
        deps.metrics.addMetric('DeskRulesRefused', 'Count', 1);
        deps.logger.warn('desk order refused on a rule the desk kept: not placed; the rules are read again', {
          identifier,
          refusal: absent.absentReason,
          rulesReadAt: order.rulesReadAt,
        });
        return { identifier, status: 'ABSENT', resolvedByLookup: false, refusedBy: error.name };
      }
      if (outcome.outcome === 'inDoubt') {
        await closeWithShares({ ...order, status: 'IN_DOUBT', inDoubtSince: clock().toISOString(), lookups: 0 }, [
          'SENDING',
        ]);
        deps.metrics.addMetric('OrdersInDoubt', 'Count', 1);
        deps.logger.warn('desk order sent without an answer and not found yet: in doubt, its cases’ coins held', {
          identifier,
          reason: outcome.reason,
        });
        return { identifier, status: 'IN_DOUBT', resolvedByLookup: false };
      }
      if (outcome.outcome === 'absent') {
        await closeWithShares({ ...order, status: 'ABSENT', absentReason: outcome.reason }, ['SENDING']);
        deps.metrics.addMetric('OrdersAbsent', 'Count', 1);
        return { identifier, status: 'ABSENT', resolvedByLookup: true };
      }
      await desks.updateOrder(
        {
          ...order,
          status: 'PLACED',
          exchangeUuid: outcome.order.uuid,
          exchangeState: outcome.order.state,
          resolvedByLookup: outcome.resolvedByLookup,
        },
        ['SENDING'],
      );
      deps.metrics.addMetric('OrdersPlaced', 'Count', 1);
      return { identifier, status: 'PLACED', resolvedByLookup: outcome.resolvedByLookup };
    },

    /** Reads the order's final state and allocates its fills to the cases, once. */
    async ReconcileDeskOrder(event): Promise<FillResult> {
      const identifier = event.identifier;
      if (!identifier) throw new InvalidStepInputError('ReconcileDeskOrder needs the order identifier');
      const order = await desks.order(event.cityId, event.deskId, identifier);
      if (!order) throw new InvalidStepInputError(`no desk order ${identifier}`);
      let executed = order.executedVolume ?? ZERO;
      if (order.status !== 'DONE' && order.status !== 'ABSENT' && order.status !== 'IN_DOUBT') {
        const seen = await lookUp(identifier);
        if (!seen)
          throw new OrderInDoubtError(`desk order ${identifier} is ${order.status} here but not on the exchange`);
        let final: ExchangeOrder | undefined = seen;
        if (!isFinal(seen)) {
          final =
            clock().getTime() - seen.createdAt.getTime() >= deps.limits.maxOpenOrderMs
              ? await exchange.cancelOrder({ identifier })
              : undefined;
          if (!final)
            return {
              identifier,
              final: false,
              more: true,
              executedVolume: seen.executedVolume.toFixed(),
              waitSeconds: deps.limits.fillPollSeconds,
            };
        }
        executed =
          (await closeFinal(order, await withTrades(exchange, final), ['PLACED', 'SENDING'])).executedVolume ?? ZERO;
        deps.metrics.addMetric('SoldKrw', 'Count', Number((final.executedFunds ?? ZERO).toFixed(0)));
      }
      return {
        identifier,
        final: true,
        more: true,
        executedVolume: executed.toFixed(),
        waitSeconds: seconds(deps.policy.sliceIntervalMs),
      };
    },

    /**
     * After a failure: every order of the desk not yet final is resolved against the exchange (one sent
     * and not found is IN_DOUBT, never ABSENT), and the desk ends with its members: their sales fail
     * with it (ReadDeskShare), each settling what it sold, as when a case's own step fails; joining
     * the desk again would meet a refusal again, run after run.
     */
    async ResolveDeskOrders(event): Promise<{ resolved: number }> {
      const desk = await loadDesk(event);
      let resolved = 0;
      for (const id of desk.openOrders) {
        const order = await desks.order(event.cityId, event.deskId, id);
        if (!order || !OPEN.includes(order.status as (typeof OPEN)[number])) continue;
        if (order.status === 'PLANNED') {
          await closeWithShares({ ...order, status: 'ABSENT', absentReason: 'never sent' }, ['PLANNED']);
        } else {
          const seen = await lookUp(order.identifier);
          if (!seen) {
            await closeWithShares({ ...order, status: 'IN_DOUBT', inDoubtSince: clock().toISOString(), lookups: 0 }, [
              order.status,
            ]);
            deps.metrics.addMetric('OrdersInDoubt', 'Count', 1);
          } else {
            const final = isFinal(seen) ? seen : await exchange.cancelOrder({ identifier: order.identifier });
            await closeFinal(order, await withTrades(exchange, final), [order.status]);
          }
        }
        resolved += 1;
      }
      const reason = `FAILED:${event.error?.Error ?? 'Unknown'}`;
      let after = await loadDesk(event);
      const active = (await desks.members(after.cityId, after.deskId)).filter((m) => m.status === 'ACTIVE');
      if (active.length > 0) after = await desks.finishMembers(after, active, reason);
      await desks.save({
        ...after,
        status: 'ENDED',
        endedAt: clock().toISOString(),
        lastDecision: { at: clock().toISOString(), action: 'END', reason },
      });
      deps.metrics.addMetric('DeskFailed', 'Count', 1);
      return { resolved };
    },
  };
}

/** The desk's figures as flat strings: orders, sold, value-weighted implementation shortfall, max participation. */
export function figuresOf(desk: DeskRecord): Record<string, string> {
  const f = desk.figures;
  const shortfall = deskShortfallBps(f)?.toDecimalPlaces(1);
  return {
    orders: String(f.orders),
    soldQuantity: f.soldQuantity.toFixed(),
    grossKrw: f.grossKrw.toFixed(0),
    ...(shortfall ? { implementationShortfallBps: shortfall.toFixed() } : {}),
    maxParticipationPerMinute: f.maxParticipation.toFixed(),
  };
}
