/**
 * What every sale step works with: the stores, the clock, the policy, and the few derived figures
 * the steps agree on (what is still needed, what is left to sell, the policy for one market). The
 * rules themselves live in the domain (case.ts, sale-plan.ts, execution-policy.ts); this only
 * gathers their inputs.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  arrears,
  available,
  isSaleApproved,
  isSaleStopRequested,
  saleBlock,
  type Case,
  type NoticeIntent,
} from '#domain/case';
import { CaseNotFoundError, type CaseStore } from '#domain/case-store';
import type { CitySettings, CitySettingsSource } from '#domain/city-settings';
import { kstDate, type LocalDate } from '#domain/dates';
import { needsApproval, type ExecutionPolicy } from '#domain/execution-policy';
import { approvalsNeeded } from '#domain/four-eyes';
import { bps, Decimal, max, sum, ZERO } from '#domain/money';
import { planSale, type PricedHolding, type SalePlan } from '#domain/sale-plan';
import {
  heldInDoubt,
  netProceeds,
  soldOf,
  type OrderRecord,
  type SaleRecord,
  type SaleStore,
} from '#adapters/dynamodb/sale-store';
import type { SaleWorkflowStarter } from '#adapters/workflow/sale-workflow';
import type { SaleLimits } from './config';
import { SaleNotRunningError } from './errors';
import type { SaleRef } from './steps';

/** Hands committed notices (outbox records) to the notice pipeline; the outbox sweeper re-sends any left. */
export interface NoticePublisher {
  publish(c: Pick<Case, 'cityId' | 'caseId'>, noticeIds: readonly NoticeIntent['noticeId'][]): Promise<void>;
}

export interface SaleDeps {
  /** Starts the next execution of a long sale (ContinueAsNew); the case steps only. */
  starter?: SaleWorkflowStarter;
  store: CaseStore;
  sales: SaleStore;
  policy: ExecutionPolicy;
  limits: SaleLimits;
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  settings: CitySettingsSource;
  clock: () => Date;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'addDimension'>;
}

export async function loadCase(deps: Pick<SaleDeps, 'store'>, ref: SaleRef): Promise<Case> {
  const c = await deps.store.get(ref.cityId, ref.caseId);
  if (!c) throw new CaseNotFoundError(ref.cityId, ref.caseId);
  return c;
}

export const isSelling = (c: Case, saleId: string): boolean => c.status === 'SELLING' && c.saleId === saleId;

export function requireSelling(c: Case, saleId: string): void {
  if (!isSelling(c, saleId))
    throw new SaleNotRunningError(
      `case ${c.caseId} is ${c.status}${c.saleId ? ` (sale ${c.saleId})` : ''}, not selling ${saleId}`,
    );
}

export async function loadSale(deps: Pick<SaleDeps, 'sales'>, ref: SaleRef): Promise<SaleRecord> {
  const sale = await deps.sales.get(ref.cityId, ref.caseId, ref.saleId);
  if (!sale) throw new SaleNotRunningError(`no sale record ${ref.saleId}: LoadCase did not run`);
  return sale;
}

export const today = (deps: Pick<SaleDeps, 'clock'>): LocalDate => kstDate(deps.clock());

/** What the sale must still raise today: arrears (surcharges projected to today) minus its net proceeds so far. */
export function stillNeeded(c: Case, orders: readonly OrderRecord[], on: LocalDate, settings: CitySettings): Decimal {
  return max(ZERO, arrears(c, on, settings).sub(netProceeds(orders)));
}

/**
 * The orders a step reasons on: the sale's own, and every order in doubt of the case's earlier
 * attempts (their coins may still be sold). One query of the case's orders.
 */
export async function saleOrders(deps: Pick<SaleDeps, 'sales'>, ref: SaleRef): Promise<OrderRecord[]> {
  const all = await deps.sales.caseOrders(ref.cityId, ref.caseId);
  return all.filter((o) => o.saleId === ref.saleId || o.status === 'IN_DOUBT');
}

/**
 * Coins of each market the sale may still sell: in custody, minus what it sold, minus dust set
 * aside, minus what orders in doubt may have sold (never sold twice).
 */
export function leftToSell(c: Case, sale: SaleRecord, orders: readonly OrderRecord[]): Map<string, Decimal> {
  const left = new Map<string, Decimal>();
  for (const h of c.holdings) {
    const q = available(h)
      .sub(soldOf(orders, h.market))
      .sub(sale.dust[h.market] ?? ZERO)
      .sub(heldInDoubt(orders, h.market));
    if (q.gt(0)) left.set(h.market, q);
  }
  return left;
}

/** The policy for one market: the deployment's, with the taxpayer's floor price for it if they gave one. */
export function policyFor(policy: ExecutionPolicy, sale: SaleRecord, market: string): ExecutionPolicy {
  const limit = sale.limitPrices[market];
  return limit ? Object.freeze({ ...policy, taxpayerLimitPrice: limit }) : policy;
}

/** The planner's view of what is left, priced from the sale's last quotes (markets without a quote are left out). */
export function planHoldings(sale: SaleRecord, left: Map<string, Decimal>, limits: SaleLimits): PricedHolding[] {
  const holdings: PricedHolding[] = [];
  for (const [market, quantity] of left) {
    const q = sale.lastQuotes[market];
    if (!q || !q.bestBid.gt(0)) continue;
    holdings.push({
      market,
      quantity,
      bid: q.bestBid,
      askFee: q.askFee,
      lotSize: limits.lotSize,
      minOrderKrw: q.minOrderKrw,
      recentTradedValue: q.accTradeValue24h,
    });
  }
  return holdings;
}

/** The plan for what is still needed, on the sale's last quotes (the domain's planner); none without a quote. */
export function planFor(
  deps: Pick<SaleDeps, 'limits' | 'policy'>,
  need: Decimal,
  sale: SaleRecord,
  left: Map<string, Decimal>,
): SalePlan | undefined {
  const holdings = planHoldings(sale, left, deps.limits);
  if (holdings.length === 0) return undefined;
  return planSale({ need, holdings, margin: bps(deps.policy.planningMarginBps) });
}

/** What a plan would sell, at the best bids of the sale's last quotes (whole won). */
export const plannedValueOf = (plan: SalePlan, sale: SaleRecord): Decimal =>
  sum(plan.legs.map((l) => l.quantity.mul(sale.lastQuotes[l.market]?.bestBid ?? ZERO))).floor();

/**
 * The value an officer must approve before the sale's next order, or undefined: the first order's
 * plan at or above the threshold, or a running sale (sold so far plus planned) raised across the
 * threshold it started under by a bill update; in both cases unless already approved for it.
 */
export function approvalToAsk(
  c: Case,
  sale: SaleRecord,
  orders: readonly OrderRecord[],
  plannedValue: Decimal,
  policy: ExecutionPolicy,
): Decimal | undefined {
  const value = sale.arrival ? netProceeds(orders).add(plannedValue) : plannedValue;
  const asked = sale.arrival
    ? !needsApproval(sale.arrival.plannedValueKrw, policy) && needsApproval(value, policy)
    : needsApproval(plannedValue, policy);
  return asked && !isSaleApproved(c, sale.saleId, approvalsNeeded(value, policy)) ? value : undefined;
}

/**
 * The sale waits for an officer's approval of `value`. An approval already asked for is kept unless
 * it needs fewer officers than `value` does (raised again, across the second threshold): kept, the
 * wait would count its approvals and let the sale go, to be asked again at once, without end.
 */
export async function askApproval(
  deps: Pick<SaleDeps, 'sales' | 'metrics' | 'logger' | 'policy'>,
  sale: SaleRecord,
  value: Decimal,
  now: Date,
): Promise<SaleRecord> {
  const asked = sale.approval;
  const kept = asked && approvalsNeeded(asked.plannedValueKrw, deps.policy) >= approvalsNeeded(value, deps.policy);
  const saved = await deps.sales.save({
    ...sale,
    status: 'AWAITING_APPROVAL',
    approval: kept ? asked : { requestedAt: now.toISOString(), plannedValueKrw: value },
  });
  deps.metrics.addMetric('SaleAwaitingApproval', 'Count', 1);
  deps.logger.info('sale waits for an officer’s approval', { saleId: sale.saleId, valueKrw: value.toFixed() });
  return saved;
}

/** Why a sale an officer ended stopped (its stop reason, the case's last error, a blocked order's reason). */
export const STOPPED_BY_OFFICER = 'STOPPED_BY_OFFICER';

/**
 * Why the sale must stop now, or undefined: an officer's stop, a hold, a payment or nothing owed,
 * no coins, the need covered, nothing left to sell, the sale too old. One rule: CheckSaleAllowed
 * asks it before a case's own slices, the desk for each of its members on every turn.
 */
export function stopReason(
  deps: Pick<SaleDeps, 'limits'>,
  c: Case,
  sale: SaleRecord,
  orders: readonly OrderRecord[],
  now: Date,
  settings: CitySettings,
): string | undefined {
  const on = kstDate(now);
  if (isSaleStopRequested(c, sale.saleId)) return STOPPED_BY_OFFICER;
  const block = saleBlock(c, on, settings);
  if (block === 'ON_HOLD' || block === 'NOTHING_OWED') return block;
  if (block === 'NO_COINS') return 'ALL_SOLD';
  if (block) return `BLOCKED:${block}`;
  if (stillNeeded(c, orders, on, settings).lte(0)) return 'COVERED';
  if (leftToSell(c, sale, orders).size === 0) return 'ALL_SOLD';
  if (now.getTime() - Date.parse(sale.startedAt) > deps.limits.maxSaleDurationMs) return 'SALE_EXPIRED';
  return undefined;
}

export const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));
