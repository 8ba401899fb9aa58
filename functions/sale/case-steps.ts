/**
 * The sale steps that read and change the case (the case-steps Lambda: DynamoDB only, no exchange):
 * LoadCase, CheckSaleAllowed, Escalate, Settle, NotifyResult and RecordFailure.
 *
 * Settlement is one transaction (`settleSale` → `commit`): ledger entries for every fill and fee,
 * allocation in the legal order, refund, releases, the new state, the audit event (with the sale's
 * quality figures in its details) and the result notice. The sale record is marked SETTLING with
 * those figures first and SETTLED after, so a step re-run after the commit only finishes the record.
 * A sale that sold nothing goes back to DUE with its reason (`failSale`), unless a hold or a
 * payment arrived meanwhile (then `settleSale` puts the case on hold or closes it).
 */
import { approvalsNeeded } from '#domain/four-eyes';
import {
  arrears,
  available,
  failSale,
  isSaleApproved,
  saleBlock,
  settleSale,
  type Case,
  type Fill,
  type Seizure,
  type Transition,
  type TransitionContext,
} from '#domain/case';
import { kstDate, type LocalDate } from '#domain/dates';
import { min, ZERO } from '#domain/money';
import { estimatedMarketVolume, qualityDetails, saleQuality, type MarketExecution } from '#domain/sale-quality';
import {
  executed,
  heldInDoubt,
  inDoubt,
  netProceeds,
  soldOf,
  type OrderRecord,
  type SaleRecord,
} from '#adapters/dynamodb/sale-store';
import {
  isSelling,
  loadCase,
  loadSale,
  requireSelling,
  saleOrders,
  seconds,
  stillNeeded,
  stopReason,
  type NoticePublisher,
  type SaleDeps,
} from './context';
import { DeskFailedError, OrderInDoubtError, SaleNotRunningError } from './errors';
import type { CaseStep, CheckResult, DeskShareResult, LoadCaseResult, SettleResult, StepEvent } from './steps';
import { openDesk, type DeskRecord, type DeskStore } from '#adapters/dynamodb/desk-store';
import type { DeskWorkflowStarter } from '#adapters/workflow/sale-workflow';
import { DESK_LOOK_INTERVALS, pendingShares, reopenDeadRun, resolveShares } from './desk-shares';

export interface CaseStepDeps extends SaleDeps {
  notices: NoticePublisher;
  /** The sale desks and the starter of their executions (docs/SALE-DESK.md). */
  desks?: DeskStore;
  deskStarter?: DeskWorkflowStarter;
  /** Asks for a custody reconciliation after a settlement (asynchronous; its failure never fails the sale). */
  afterSettlement?: () => Promise<void>;
}

export type CaseSteps = Record<CaseStep, (event: StepEvent) => Promise<unknown>>;

/** Slack over the desk's longest wait (retries, a slow step) before a silent desk's run is checked. */
const DESK_SILENCE_MS = 10 * 60_000;

/** Stop reasons that are not a failure to sell: the sale ended because it had done its job or had to. */
const NATURAL_ENDS = new Set(['COVERED', 'ALL_SOLD', 'NOTHING_OWED', 'ONLY_DUST_LEFT']);

export function createCaseSteps(deps: CaseStepDeps): CaseSteps {
  const { sales, clock } = deps;

  /** A case in a desk looks at its membership this often (the desk checks it on every turn). */
  const deskLook = (): number =>
    Math.min(seconds(DESK_LOOK_INTERVALS * deps.policy.sliceIntervalMs), deps.limits.longestWaitSeconds);

  const ctx = async (c: Case, event: StepEvent): Promise<TransitionContext> => ({
    now: clock(),
    actor: { kind: 'SYSTEM', id: `sale-workflow/${event.executionName ?? event.saleId}` },
    settings: await deps.settings.get(c.cityId),
  });

  /** What the quality figures are measured on: every market decided at arrival or sold. */
  function executions(sale: SaleRecord, orders: readonly OrderRecord[], endedAt: Date): MarketExecution[] {
    const done = executed(orders);
    const markets = new Set([...(sale.arrival?.legs.map((l) => l.market) ?? []), ...done.map((o) => o.market)]);
    const started = Date.parse(sale.arrival?.decidedAt ?? sale.startedAt);
    const out: MarketExecution[] = [];
    for (const market of [...markets].sort()) {
      const arrivalMid = sale.arrival?.mids[market] ?? sale.lastQuotes[market]?.mid;
      if (!arrivalMid) continue;
      const last = sale.lastQuotes[market];
      out.push({
        market,
        arrivalMid,
        decidedQuantity: sale.arrival?.legs.find((l) => l.market === market)?.quantity ?? ZERO,
        ...(last
          ? {
              endMid: last.mid,
              marketVolume: estimatedMarketVolume(last.accTradeVolume24h, endedAt.getTime() - started),
            }
          : {}),
        fills: done
          .filter((o) => o.market === market)
          .map((o) => ({ quantity: o.executedVolume ?? ZERO, grossKrw: o.grossKrw ?? ZERO, feeKrw: o.feeKrw ?? ZERO })),
      });
    }
    return out;
  }

  /**
   * Starts the desk's run (already running: nothing). A desk that reads RUNNING while its run has
   * ended (its ResolveDeskOrders failed for good, it timed out or was aborted) has its open orders
   * settled as far as the table knows and its next run started, which sells for its members.
   */
  async function keepRunning(desk: DeskRecord): Promise<void> {
    if (!deps.desks || !deps.deskStarter) return;
    const run = { cityId: desk.cityId, deskId: desk.deskId, market: desk.market, day: desk.day };
    const started = await deps.deskStarter.start({ ...run, run: desk.run });
    if (started.started || started.running !== false) return;
    const next = await reopenDeadRun({ sales, desks: deps.desks, clock }, desk);
    await deps.deskStarter.start({ ...run, run: next.run });
    deps.metrics.addMetric('DeskRunRecovered', 'Count', 1);
    deps.logger.warn('a desk run had ended without ending the desk: its next run started', {
      deskId: desk.deskId,
      endedRun: desk.run,
      run: next.run,
    });
  }

  /**
   * Ends the sale in one case transaction: settles what was sold (or, nothing sold and the case
   * still due, returns it to DUE), after recording the figures on the sale record.
   */
  async function finish(
    event: StepEvent,
    stop: { reason?: string; failure?: { error: string; cause: string } },
  ): Promise<SettleResult> {
    const c = await loadCase(deps, event);
    let sale = await loadSale(deps, event);
    if (!isSelling(c, event.saleId)) {
      if (c.saleId === event.saleId && sale.status === 'SETTLING') {
        // The case transaction went through before a crash: only the sale record is left to finish.
        await sales.save({ ...sale, status: stop.failure ? 'FAILED' : 'SETTLED', outcome: c.status });
        return {
          status: c.status,
          // Its own orders and its shares of desk orders, as the settlement read them.
          netKrw: netProceeds(await saleOrders(deps, event)).toFixed(0),
          noticeIds: [],
        };
      }
      throw new SaleNotRunningError(`case ${c.caseId} is ${c.status}, not selling ${event.saleId}`);
    }
    const orders = await saleOrders(deps, event);
    const unresolved = orders.filter(
      (o) => o.saleId === event.saleId && (o.status === 'SENDING' || o.status === 'PLACED' || o.status === 'PLANNED'),
    );
    if (unresolved.length > 0)
      throw new OrderInDoubtError(`orders not yet resolved: ${unresolved.map((o) => o.identifier).join(', ')}`);
    // Orders still in doubt (looked up just before): their coins are held back, neither sold nor
    // released; the sweep books them if they turn out to have sold.
    const heldBack: Seizure[] = [...new Set(inDoubt(orders).map((o) => o.market))].map((market) => ({
      market,
      quantity: heldInDoubt(orders, market),
    }));
    if (heldBack.length > 0) deps.metrics.addMetric('SettledWithOrdersInDoubt', 'Count', 1);

    const now = clock();
    const on = kstDate(now);
    const settings = await deps.settings.get(c.cityId);
    const reason = stop.reason ?? sale.stopReason ?? sale.escalation?.reason;
    const covered = stillNeeded(c, orders, on, settings).lte(0);
    const stoppedBecause = covered || (reason !== undefined && NATURAL_ENDS.has(reason)) ? undefined : reason;
    const done = executed(orders);
    const fills: Fill[] = done.map((o) => ({
      market: o.market,
      quantity: o.executedVolume ?? ZERO,
      grossKrw: o.grossKrw ?? ZERO,
      feeKrw: o.feeKrw ?? ZERO,
    }));
    const dust: Seizure[] = Object.entries(sale.dust)
      .map(([market, q]) => {
        const h = c.holdings.find((x) => x.market === market);
        return { market, quantity: h ? min(q, available(h).sub(soldOf(orders, market))) : ZERO };
      })
      .filter((d) => d.quantity.gt(0));
    const quality = saleQuality(executions(sale, orders, now), arrears(c, on, settings));
    const figures = {
      ...(sale.arrival || done.length > 0 ? qualityDetails(quality) : {}),
      // Its own slices and its shares of desk orders sent to the exchange (the desk's slices it took part in).
      slices: String(
        sale.sliceCount +
          orders.filter((o) => o.saleId === event.saleId && o.deskOrder && o.status !== 'ABSENT').length,
      ),
      pauses: String(sale.pauseCount),
    };

    let t: Transition;
    if (fills.length === 0 && dust.length === 0 && saleBlock(c, on, settings) === null) {
      t = failSale(c, event.saleId, stoppedBecause ?? reason ?? 'NOTHING_SOLD', await ctx(c, event));
    } else {
      const firstTrade = done
        .map((o) => o.firstTradeAt)
        .filter((x): x is string => x !== undefined)
        .sort()[0];
      const startedOn: LocalDate = kstDate(firstTrade ?? sale.startedAt);
      t = settleSale(
        c,
        {
          saleId: event.saleId,
          fills,
          dust,
          settledOn: on,
          startedOn,
          heldBack,
          ...(stoppedBecause ? { stoppedBecause } : {}),
          // Sold through the desk: the notice explains the pooled execution.
          ...(done.some((o) => o.deskOrder) ? { pooledOrders: done.filter((o) => o.deskOrder).length } : {}),
        },
        await ctx(c, event),
      );
    }
    t = { ...t, audit: { ...t.audit, details: { ...t.audit.details, ...figures } } };

    sale = await sales.save({
      ...sale,
      status: 'SETTLING',
      quality: figures,
      endedAt: now.toISOString(),
      ...(reason ? { stopReason: reason } : {}),
      ...(stop.failure ? { error: stop.failure } : {}),
    });
    await deps.store.commit(c.version, t);
    await sales.save({ ...sale, status: stop.failure ? 'FAILED' : 'SETTLED', outcome: t.case.status });
    await deps
      .afterSettlement?.()
      .catch((e: unknown) =>
        deps.logger.warn('custody reconciliation not requested; the daily run covers it', { error: (e as Error).name }),
      );

    const net = netProceeds(orders);
    if (!stop.failure) deps.metrics.addMetric('SaleSettled', 'Count', 1);
    deps.metrics.addMetric('RecoveredKrw', 'Count', Number(net.toFixed(0)));
    if (quality.implementationShortfallBps)
      deps.metrics.addMetric('ImplementationShortfallBps', 'Count', quality.implementationShortfallBps.toNumber());
    if (quality.arrivalSlippageBps)
      deps.metrics.addMetric('ArrivalSlippageBps', 'Count', quality.arrivalSlippageBps.toNumber());
    deps.logger.info('sale ended', {
      saleId: event.saleId,
      status: t.case.status,
      reason,
      netKrw: net.toFixed(0),
      ...figures,
    });
    return {
      status: t.case.status,
      netKrw: net.toFixed(0),
      noticeIds: t.notices.map((n) => n.noticeId),
      ...(stoppedBecause ? { stoppedBecause } : {}),
    };
  }

  return {
    /** Checks the case is selling this sale and opens the sale record (once; a re-run finds it). */
    async LoadCase(event): Promise<LoadCaseResult> {
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      const now = clock();
      const requestedBy = c.saleRequest ? 'TAXPAYER' : 'DEADLINE';
      const sale = await sales.create({
        cityId: c.cityId,
        caseId: c.caseId,
        saleId: event.saleId,
        rev: 0,
        status: 'RUNNING',
        requestedBy,
        ...(event.executionName ? { executionName: event.executionName } : {}),
        startedAt: now.toISOString(),
        needAtStartKrw: arrears(c, kstDate(now), await deps.settings.get(c.cityId)),
        limitPrices: c.saleRequest?.limitPrices ?? {},
        lastQuotes: {},
        priceHistory: {},
        consecutivePauses: 0,
        pauses: [],
        pauseCount: 0,
        sliceCount: 0,
        dust: {},
      });
      if (sale.rev === 1) deps.metrics.addMetric('SaleStarted', 'Count', 1);
      if (sale.rev === 1 || (event.executionName && sale.executionName !== event.executionName)) {
        // A new execution (the first, or one the sale continued in): its day starts now.
        await sales.save({
          ...sale,
          ...(event.executionName ? { executionName: event.executionName } : {}),
          executionStartedAt: now.toISOString(),
        });
      }
      return { requestedBy: sale.requestedBy, needAtStartKrw: sale.needAtStartKrw.toFixed(0) };
    },

    /**
     * Before every slice: may the sale go on? An officer's stop, a hold or a payment that arrived, the need covered,
     * nothing left, the sale too old, or an approval still missing (then wait and look again).
     */
    async CheckSaleAllowed(event): Promise<CheckResult> {
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      const sale = await loadSale(deps, event);
      const orders = await saleOrders(deps, event);
      const now = clock();
      const settings = await deps.settings.get(c.cityId);
      const stop = async (reason: string): Promise<CheckResult> => {
        // In a desk: it takes no part from the next order (one on the way is looked up before settling).
        if (sale.desk && deps.desks) await deps.desks.withdraw(c.cityId, sale.desk.deskId, c.caseId, reason);
        await sales.save({ ...sale, stopReason: reason });
        deps.logger.info('sale stops', { saleId: event.saleId, reason });
        return { next: 'SETTLE', reason, waitSeconds: 0 };
      };

      const reason = stopReason(deps, c, sale, orders, now, settings);
      if (reason) return stop(reason);
      // A day in this execution: go on in a new one (Step Functions keeps at most 25,000 events).
      if (now.getTime() - Date.parse(sale.executionStartedAt ?? sale.startedAt) >= deps.limits.executionSpanMs)
        return { next: 'CONTINUE', reason: 'EXECUTION_SPAN', waitSeconds: 0 };

      if (sale.status === 'AWAITING_APPROVAL') {
        const needed = approvalsNeeded(sale.approval?.plannedValueKrw ?? ZERO, deps.policy);
        const last = c.saleApproval?.approvals.at(-1);
        if (isSaleApproved(c, event.saleId, Math.max(1, needed)) && c.saleApproval && last) {
          const approvedBy = c.saleApproval.approvals.map((a) => a.by).join(', ');
          const approval = {
            ...(sale.approval ?? { requestedAt: now.toISOString(), plannedValueKrw: ZERO }),
            approvedBy,
            approvedAt: last.at,
          };
          await sales.save({ ...sale, status: 'RUNNING', approval });
          deps.logger.info('sale approved by an officer', { saleId: event.saleId });
          return { next: 'QUOTE', reason: 'APPROVED', waitSeconds: 0 };
        }
        if (now.getTime() - Date.parse(sale.approval?.requestedAt ?? sale.startedAt) > deps.limits.approvalTimeoutMs)
          return stop('APPROVAL_TIMED_OUT');
        return { next: 'AWAIT_APPROVAL', reason: 'WAITING_FOR_OFFICER', waitSeconds: deps.limits.approvalPollSeconds };
      }
      // In a desk, the desk applies these checks to the case on each of its turns (ReadDeskShare).
      if (sale.desk && deps.desks) return { next: 'DESK', reason: sale.desk.deskId, waitSeconds: 0 };
      return { next: 'QUOTE', waitSeconds: 0 };
    },

    /**
     * Joins the market's desk with what PlanNextSlice decided to sell (its membership: the offer and
     * the taxpayer's floor), and starts the desk's execution (a desk already running: nothing to start).
     */
    async JoinDesk(event): Promise<DeskShareResult> {
      if (!deps.desks || !deps.deskStarter)
        throw new SaleNotRunningError('no sale desk: this function cannot join one');
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      const sale = await loadSale(deps, event);
      const d = sale.desk;
      if (!d) throw new SaleNotRunningError(`${event.saleId}: PlanNextSlice chose no desk`);
      const now = clock();
      const floor = sale.limitPrices[d.market];
      const arrivalMid = sale.arrival?.mids[d.market];
      const desk = await deps.desks.join(
        {
          cityId: c.cityId,
          deskId: d.deskId,
          caseId: c.caseId,
          saleId: event.saleId,
          offered: d.offered,
          ...(floor ? { floorPrice: floor } : {}),
          ...(arrivalMid ? { arrivalMid } : {}),
          status: 'ACTIVE',
          joinedAt: now.toISOString(),
          joinedAtSlice: 0, // set by the store from the desk it joins
          sold: {},
        },
        (current) => openDesk(current, { cityId: c.cityId, deskId: d.deskId, market: d.market, day: d.day }, now),
      );
      await keepRunning(desk);
      deps.metrics.addMetric('DeskJoined', 'Count', 1);
      return { next: 'WAIT', deskId: d.deskId, waitSeconds: deskLook() };
    },

    /**
     * A case in a desk, every few slice intervals (`DESK_LOOK_INTERVALS`): the desk applies the
     * case's own checks and re-plans its offer on each of its turns, so a case still taking part
     * only waits again (its membership and the desk read). Out of it (withdrawn by the desk with
     * the reason, its offer sold, the desk ended or its day over, the desk escalated or failed): its
     * shares in doubt resolved from their desk orders, any share on the way waited for, and back to
     * its own steps (CheckSaleAllowed applies the same checks and settles, or it re-plans and joins again).
     */
    async ReadDeskShare(event): Promise<DeskShareResult> {
      if (!deps.desks) throw new SaleNotRunningError('no sale desk');
      const c = await loadCase(deps, event);
      requireSelling(c, event.saleId);
      let sale = await loadSale(deps, event);
      const d = sale.desk;
      if (!d) return { next: 'LEFT', waitSeconds: 0 };
      const [member, desk] = await Promise.all([
        deps.desks.member(c.cityId, d.deskId, c.caseId),
        deps.desks.get(c.cityId, d.deskId),
      ]);
      const taking =
        member?.status === 'ACTIVE' &&
        member.saleId === event.saleId &&
        desk?.status === 'RUNNING' &&
        desk.day === kstDate(clock());
      if (taking) {
        // No turn of the desk for longer than its longest wait: is its run still alive?
        const lastTurn = Date.parse(desk.lastDecision?.at ?? desk.startedAt);
        if (clock().getTime() - lastTurn > deps.limits.longestWaitSeconds * 1000 + DESK_SILENCE_MS)
          await keepRunning(desk);
        return { next: 'WAIT', deskId: d.deskId, waitSeconds: deskLook() };
      }
      await resolveShares({ sales, desks: deps.desks, clock }, await saleOrders(deps, event));
      const orders = await saleOrders(deps, event);
      const soldQuantity = soldOf(orders, d.market).toFixed();
      if (member?.status === 'ACTIVE') await deps.desks.withdraw(c.cityId, d.deskId, c.caseId, 'DESK_ENDED');
      // An order with this case's share still on the way: wait for it before the case plans again.
      if (pendingShares(orders).length > 0)
        return {
          next: 'WAIT',
          deskId: d.deskId,
          soldQuantity,
          reason: 'DESK_ORDER_PENDING',
          waitSeconds: deps.limits.fillPollSeconds,
        };
      sale = await loadSale(deps, event);
      const { desk: _left, ...rest } = sale;
      const reason = member?.reason ?? 'DESK_ENDED';
      // The desk failed (ResolveDeskOrders resolved its orders): the sale fails as if its own step had,
      // so a refusal that would fail every run is not met again and again by joining the desk anew.
      if (reason.startsWith('FAILED:'))
        throw new DeskFailedError(`desk ${d.deskId} failed (${reason.slice(7)}): the sale ends with what it sold`);
      if (reason.startsWith('ESCALATED:')) {
        await sales.save({
          ...rest,
          escalation: { at: clock().toISOString(), market: d.market, reason: reason.slice(10) },
        });
        return { next: 'ESCALATE', deskId: d.deskId, soldQuantity, reason, waitSeconds: 0 };
      }
      await sales.save(rest);
      return { next: 'LEFT', deskId: d.deskId, soldQuantity, reason, waitSeconds: 0 };
    },

    /**
     * Hands a long sale on to a new execution (named `<city>_<saleId>_c<n>`, so a retry starts
     * nothing twice); everything the sale knows is in DynamoDB, the new execution reads it there.
     */
    async ContinueAsNew(event) {
      if (!deps.starter) throw new SaleNotRunningError('no workflow starter: this function cannot continue a sale');
      const sale = await loadSale(deps, event);
      const continuation = (sale.continuations ?? 0) + 1;
      const started = await deps.starter.start({
        cityId: event.cityId,
        caseId: event.caseId,
        saleId: event.saleId,
        requestedBy: sale.requestedBy,
        requestedAt: sale.startedAt,
        continuation,
      });
      await sales.save({ ...(await loadSale(deps, event)), continuations: continuation });
      deps.metrics.addMetric('SaleContinued', 'Count', 1);
      return { executionName: started.executionName, continuation };
    },

    /** The market guards paused the sale too often: stop, tell the officers, settle what was sold. */
    async Escalate(event) {
      const sale = await loadSale(deps, event);
      const reason = `ESCALATED:${sale.escalation?.reason ?? 'MARKET'}`;
      await sales.save({ ...sale, status: 'ESCALATED', stopReason: reason });
      deps.metrics.addMetric('SaleEscalated', 'Count', 1);
      deps.logger.warn('sale escalated to an officer', {
        saleId: event.saleId,
        market: sale.escalation?.market,
        reason,
        pauses: sale.consecutivePauses,
      });
      return { reason, waitSeconds: seconds(0) };
    },

    async Settle(event) {
      return finish(event, {});
    },

    /** Hands the settlement's notices to the notice pipeline. */
    async NotifyResult(event) {
      const ids = event.noticeIds ?? [];
      if (ids.length > 0) await deps.notices.publish(event, ids);
      return { published: ids.length };
    },

    /**
     * The recorded failure (after ResolveOpenOrders): what was sold is settled, otherwise the case
     * goes back to DUE with the error; an alarm metric either way. Nothing to do when the case is no
     * longer selling this sale.
     */
    async RecordFailure(event) {
      const error = event.error ?? { Error: 'Unknown', Cause: '' };
      deps.metrics.addMetric('SaleFailed', 'Count', 1);
      deps.logger.error('sale failed', { saleId: event.saleId, error: error.Error, cause: error.Cause?.slice(0, 500) });
      const c = await loadCase(deps, event);
      if (!isSelling(c, event.saleId)) {
        const sale = await sales.get(event.cityId, event.caseId, event.saleId);
        if (!(sale?.status === 'SETTLING' && c.saleId === event.saleId)) return { status: c.status, recorded: false };
      }
      const result = await finish(event, {
        reason: `FAILED:${error.Error}`,
        failure: { error: error.Error, cause: (error.Cause ?? '').slice(0, 1000) },
      });
      if (result.noticeIds.length > 0) await deps.notices.publish(event, result.noticeIds);
      return { ...result, recorded: true };
    },
  };
}
