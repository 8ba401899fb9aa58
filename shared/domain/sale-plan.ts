/**
 * Sale planning: which coins to sell, in what order and how much, to raise what is still owed
 * and no more (징수법 §43 forbids taking more than needed; the sale stops once arrears are covered).
 *
 * The plan values everything at the reference bid, net of the exchange fee. A safety margin grosses
 * the need up against slippage; because the sale loop re-plans after every fill with the real
 * proceeds (`replan`), the margin shrinks with what is left and the last slice stops at the need.
 */
import type { Fill, Release } from './case';
import { DEFAULT_EXECUTION_POLICY } from './execution-policy';
import { Decimal, ZERO, bps, ceilToStep, floorToStep, floorWon, max, min, sum } from './money';

/** A case's holding (case.ts `Holding`), as much of it as is available, priced by the market now. */
export interface PricedHolding {
  /** Exchange market code, e.g. 'KRW-BTC'. */
  readonly market: string;
  /** Quantity available to sell. */
  readonly quantity: Decimal;
  /** Reference bid price, won per coin. */
  readonly bid: Decimal;
  /** Exchange fee on sells, as a fraction (0.0005 = 0.05%). */
  readonly askFee: Decimal;
  /** Quantity step the exchange accepts. */
  readonly lotSize: Decimal;
  /** Smallest order total the exchange accepts, in won (price × quantity). */
  readonly minOrderKrw: Decimal;
  /** The city may rank coins to sell first (1 = first); ranked coins go before unranked ones. */
  readonly cityRank?: number;
  /** Recent traded value in won: among unranked coins the most liquid goes first. */
  readonly recentTradedValue: Decimal;
}

export interface SaleRequest {
  /** Won still to raise: arrears projected to settlement minus money already in. */
  readonly need: Decimal;
  readonly holdings: readonly PricedHolding[];
  /** Safety margin as a fraction; the policy's `planningMarginBps` when absent. */
  readonly margin?: Decimal;
}

export interface SaleLeg {
  readonly market: string;
  readonly quantity: Decimal;
  /** Won expected at the reference bid, net of fee, cut to the whole won. */
  readonly expectedNetKrw: Decimal;
}

/**
 * What the plan leaves unsold goes back when the sale settles: SURPLUS could still be sold on its
 * own but is not needed; DUST is worth less than one order (or is off-lot).
 */
export type PlannedRelease = Release & { readonly reason: 'SURPLUS' | 'DUST' };

export interface SalePlan {
  /** Legs in selling order. */
  readonly legs: readonly SaleLeg[];
  /** Everything not planned for sale, per market: it goes back to the taxpayer when the sale settles. */
  readonly release: readonly PlannedRelease[];
  /** What the holdings cannot raise at the reference prices; 0 when covered. */
  readonly shortfallKrw: Decimal;
  /** The need grossed up by the margin: what the legs aim to raise. */
  readonly targetKrw: Decimal;
}

export class InvalidSaleRequestError extends Error {
  override readonly name = 'InvalidSaleRequestError';
}

/** Won a quantity is expected to raise at the reference bid, after fee. */
export function expectedNet(quantity: Decimal, holding: PricedHolding): Decimal {
  return floorWon(quantity.mul(netPerCoin(holding)));
}

/** The need grossed up by the margin, to the whole won above: need / (1 − margin). */
export function targetWithMargin(need: Decimal, margin: Decimal): Decimal {
  return need.div(new Decimal(1).sub(margin)).ceil();
}

/** Quantity that raises `amount` net of fee at the reference bid: amount / (bid × (1 − fee)), up to the lot. */
export function quantityToRaise(amount: Decimal, holding: PricedHolding): Decimal {
  return ceilToStep(amount.div(netPerCoin(holding)), holding.lotSize);
}

/** The smallest order the exchange accepts for this coin: the least lot multiple worth the minimum. */
export function smallestOrder(holding: PricedHolding): Decimal {
  return max(holding.lotSize, ceilToStep(holding.minOrderKrw.div(holding.bid), holding.lotSize));
}

/** Whether a quantity can be sold as one order on its own. */
export function isSellable(quantity: Decimal, holding: PricedHolding): boolean {
  return floorToStep(quantity, holding.lotSize).gte(smallestOrder(holding));
}

/**
 * Plan the sale. Coins go in order (city rank, then liquidity, then market code so the plan is
 * deterministic); each leg sells what still covers the target, rounded up to the lot and capped
 * by the holding, at least one minimum order. A remainder that could not be sold on its own
 * (dust) goes with the leg when the overshoot stays within one smallest order, and is released
 * otherwise. Overshoot beyond the target is thus at most one smallest order of the last coin sold.
 *
 * This is also the re-plan: call it again with the reduced need and holdings (see `replan`).
 */
export function planSale(request: SaleRequest): SalePlan {
  validate(request);
  const margin = request.margin ?? bps(DEFAULT_EXECUTION_POLICY.planningMarginBps);
  const target = targetWithMargin(request.need, margin);
  let stillToRaise = target;
  const legs: SaleLeg[] = [];
  const release: PlannedRelease[] = [];

  for (const holding of [...request.holdings].sort(sellingOrder)) {
    const quantity = stillToRaise.gt(0) ? legQuantity(holding, stillToRaise) : ZERO;
    if (quantity.gt(0)) {
      const net = expectedNet(quantity, holding);
      legs.push({ market: holding.market, quantity, expectedNetKrw: net });
      stillToRaise = stillToRaise.sub(net);
    }
    const rest = holding.quantity.sub(quantity);
    if (rest.gt(0))
      release.push({ market: holding.market, quantity: rest, reason: isSellable(rest, holding) ? 'SURPLUS' : 'DUST' });
  }

  const raised = sum(legs.map((leg) => leg.expectedNetKrw));
  return { legs, release, shortfallKrw: max(ZERO, request.need.sub(raised)), targetKrw: target };
}

function legQuantity(holding: PricedHolding, stillToRaise: Decimal): Decimal {
  const sellable = floorToStep(holding.quantity, holding.lotSize);
  if (!isSellable(sellable, holding)) return ZERO;
  const smallest = smallestOrder(holding);
  const quantity = min(sellable, max(smallest, quantityToRaise(stillToRaise, holding)));
  const rest = sellable.sub(quantity);
  if (rest.isZero() || isSellable(rest, holding)) return quantity;
  // Dust: selling it too is better than stranding it, as long as we overshoot by at most one order.
  const overshootIfAll = sellable.mul(netPerCoin(holding)).sub(stillToRaise);
  return overshootIfAll.lte(smallest.mul(netPerCoin(holding))) ? sellable : quantity;
}

/**
 * What a case selling through the market's desk still has to sell there: the plan's leg, or, when the
 * legs do not cover the need (a shortfall) and the market's rest is dust, that dust: alone it is below
 * one order, but a pooled order is above the minimum whatever its share (docs/SALE-DESK.md).
 */
export function deskQuantity(plan: SalePlan, market: string): Decimal {
  const leg = plan.legs.find((l) => l.market === market);
  if (leg) return leg.quantity;
  if (!plan.shortfallKrw.gt(0)) return ZERO;
  return sum(plan.release.filter((r) => r.market === market && r.reason === 'DUST').map((r) => r.quantity));
}

/**
 * Re-plan after fills: the need drops by the real proceeds, gross less fee (rounded so that it never drops too far)
 * and each holding by what was sold. Fresh prices? Call `planSale` with updated holdings instead.
 */
export function replan(request: SaleRequest, fills: readonly Fill[]): SalePlan {
  const markets = new Set(request.holdings.map((h) => h.market));
  for (const fill of fills) {
    if (!markets.has(fill.market)) throw new InvalidSaleRequestError(`fill in a market not held: ${fill.market}`);
    if (fill.quantity.isNeg() || fill.grossKrw.isNeg() || fill.feeKrw.isNeg())
      throw new InvalidSaleRequestError(`negative fill in ${fill.market}`);
  }
  const holdings = request.holdings.map((holding) => {
    const sold = sum(fills.filter((f) => f.market === holding.market).map((f) => f.quantity));
    if (sold.gt(holding.quantity)) throw new InvalidSaleRequestError(`fills in ${holding.market} exceed the holding`);
    return { ...holding, quantity: holding.quantity.sub(sold) };
  });
  const proceeds = sum(fills.map((f) => f.grossKrw.sub(f.feeKrw)));
  return planSale({ ...request, need: max(ZERO, request.need.sub(proceeds).ceil()), holdings });
}

function netPerCoin(holding: PricedHolding): Decimal {
  return holding.bid.mul(new Decimal(1).sub(holding.askFee));
}

function sellingOrder(a: PricedHolding, b: PricedHolding): number {
  const rankA = a.cityRank ?? Number.POSITIVE_INFINITY;
  const rankB = b.cityRank ?? Number.POSITIVE_INFINITY;
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  const byLiquidity = b.recentTradedValue.comparedTo(a.recentTradedValue);
  if (byLiquidity !== 0) return byLiquidity;
  return a.market < b.market ? -1 : a.market > b.market ? 1 : 0;
}

function validate(request: SaleRequest): void {
  const problems: string[] = [];
  if (!request.need.isInteger() || request.need.isNeg()) problems.push('need must be whole won, not negative');
  const margin = request.margin;
  if (margin !== undefined && (margin.isNeg() || margin.gte(1))) problems.push('margin must be from 0 to below 1');
  const seen = new Set<string>();
  for (const h of request.holdings) {
    if (seen.has(h.market)) problems.push(`${h.market} listed twice`);
    seen.add(h.market);
    if (h.quantity.isNeg()) problems.push(`${h.market}: negative quantity`);
    if (!h.bid.gt(0)) problems.push(`${h.market}: bid must be positive`);
    if (h.askFee.isNeg() || h.askFee.gte(1)) problems.push(`${h.market}: fee must be from 0 to below 1`);
    if (!h.lotSize.gt(0)) problems.push(`${h.market}: lot size must be positive`);
    if (h.minOrderKrw.isNeg()) problems.push(`${h.market}: negative minimum order`);
    if (h.recentTradedValue.isNeg()) problems.push(`${h.market}: negative traded value`);
    if (h.cityRank !== undefined && !Number.isInteger(h.cityRank))
      problems.push(`${h.market}: city rank must be a whole number`);
  }
  if (problems.length > 0) throw new InvalidSaleRequestError(problems.join('; '));
}
