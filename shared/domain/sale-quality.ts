/**
 * How well a forced sale went (DESIGN §3, "Measure"). Pure figures from what was decided and what
 * the exchange executed; reported per sale on the sale record, in the settlement's audit details
 * and as metrics.
 *
 * For a sale (we are sellers, so a lower price is a cost):
 * - arrival price: the order-book mid at the decision (the first slice's plan), per market;
 * - average price: gross proceeds / quantity sold;
 * - arrival slippage (bps): (arrival − average) / arrival, value-weighted over markets;
 * - implementation shortfall (Perold): paper value at the decision minus what was realised.
 *     paper    = Q × arrival                     Q = the quantity decided at arrival (or what was
 *                                                  sold, if re-planning sold more)
 *     realised = gross − fees + (Q − sold) × end   the unfilled part valued at the last mid seen
 *     shortfall = execution cost (sold × arrival − gross) + fees + opportunity cost
 *                 ((Q − sold) × (arrival − end)); in bps of the paper value;
 * - participation: our sold quantity / the market's traded quantity over the sale;
 * - overshoot: net proceeds beyond what was owed (what the planner's lot rounding and margin cost).
 * A positive bps figure is a cost to the taxpayer; a negative one, a gain.
 */
import { Decimal, max, sum, ZERO } from './money';

export interface ExecutedFill {
  readonly quantity: Decimal;
  /** price × quantity as executed, before fees (may carry fractions of a won). */
  readonly grossKrw: Decimal;
  readonly feeKrw: Decimal;
}

export interface MarketExecution {
  readonly market: string;
  /** Order-book mid when the sale decided what to sell. */
  readonly arrivalMid: Decimal;
  /** Quantity of this market the plan decided to sell at arrival (0 if it was not planned then). */
  readonly decidedQuantity: Decimal;
  /** Last mid seen during the sale; the arrival mid when absent (no opportunity cost then). */
  readonly endMid?: Decimal;
  readonly fills: readonly ExecutedFill[];
  /** The market's traded quantity over the sale (ours included), for participation; unknown when absent. */
  readonly marketVolume?: Decimal;
}

export interface MarketQuality {
  readonly market: string;
  readonly arrivalPrice: Decimal;
  readonly soldQuantity: Decimal;
  readonly grossKrw: Decimal;
  readonly feeKrw: Decimal;
  /** Undefined when nothing was sold. */
  readonly averagePrice?: Decimal;
  readonly arrivalSlippageBps?: Decimal;
  readonly implementationShortfallKrw: Decimal;
  readonly implementationShortfallBps?: Decimal;
  readonly participationBps?: Decimal;
}

export interface SaleQuality {
  readonly markets: readonly MarketQuality[];
  readonly paperValueKrw: Decimal;
  readonly realisedKrw: Decimal;
  readonly grossKrw: Decimal;
  readonly feeKrw: Decimal;
  readonly executionCostKrw: Decimal;
  readonly opportunityCostKrw: Decimal;
  readonly implementationShortfallKrw: Decimal;
  /** Undefined when nothing was decided (paper value 0). */
  readonly implementationShortfallBps?: Decimal;
  /** Value-weighted over the markets sold; undefined when nothing was sold. */
  readonly arrivalSlippageBps?: Decimal;
  /** Net proceeds (gross − fees, to the won) beyond what was owed; 0 when short. */
  readonly overshootKrw: Decimal;
}

export class InvalidSaleQualityInputError extends Error {
  override readonly name = 'InvalidSaleQualityInputError';
}

const TEN_THOUSAND = new Decimal(10_000);
const DAY_MS = 86_400_000;

/** A ratio in basis points, to two decimals. */
export function inBps(part: Decimal, whole: Decimal): Decimal {
  return part.div(whole).mul(TEN_THOUSAND).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * The market's traded quantity over a sale of `durationMs`, estimated from the 24-hour volume at
 * its average pace (the exchange port gives no finer history); at least one minute is counted.
 */
export function estimatedMarketVolume(accTradeVolume24h: Decimal, durationMs: number): Decimal {
  const ms = Math.max(60_000, Math.round(durationMs));
  return accTradeVolume24h.mul(ms).div(DAY_MS);
}

export function marketQuality(m: MarketExecution): MarketQuality & {
  paperValueKrw: Decimal;
  realisedKrw: Decimal;
  executionCostKrw: Decimal;
  opportunityCostKrw: Decimal;
} {
  if (!m.arrivalMid.gt(0)) throw new InvalidSaleQualityInputError(`${m.market}: the arrival price must be positive`);
  if (m.decidedQuantity.isNeg()) throw new InvalidSaleQualityInputError(`${m.market}: negative decided quantity`);
  for (const f of m.fills) {
    if (f.quantity.isNeg() || f.grossKrw.isNeg() || f.feeKrw.isNeg())
      throw new InvalidSaleQualityInputError(`${m.market}: negative fill`);
  }
  const sold = sum(m.fills.map((f) => f.quantity));
  const gross = sum(m.fills.map((f) => f.grossKrw));
  const fee = sum(m.fills.map((f) => f.feeKrw));
  const arrival = m.arrivalMid;
  const end = m.endMid ?? arrival;
  const decided = max(m.decidedQuantity, sold);
  const unfilled = decided.sub(sold);
  const paper = decided.mul(arrival);
  const realised = gross.sub(fee).add(unfilled.mul(end));
  const executionCost = sold.mul(arrival).sub(gross);
  const opportunityCost = unfilled.mul(arrival.sub(end));
  const shortfall = paper.sub(realised);
  const average = sold.gt(0) ? gross.div(sold) : undefined;
  return {
    market: m.market,
    arrivalPrice: arrival,
    soldQuantity: sold,
    grossKrw: gross,
    feeKrw: fee,
    ...(average ? { averagePrice: average, arrivalSlippageBps: inBps(arrival.sub(average), arrival) } : {}),
    implementationShortfallKrw: shortfall,
    ...(paper.gt(0) ? { implementationShortfallBps: inBps(shortfall, paper) } : {}),
    ...(m.marketVolume !== undefined && m.marketVolume.gt(0) ? { participationBps: inBps(sold, m.marketVolume) } : {}),
    paperValueKrw: paper,
    realisedKrw: realised,
    executionCostKrw: executionCost,
    opportunityCostKrw: opportunityCost,
  };
}

/**
 * The sale's figures over every market it decided or sold. `owedKrw` is what the case owed when
 * the proceeds were applied (for the overshoot); net proceeds are cut to the won as settlement does.
 */
export function saleQuality(markets: readonly MarketExecution[], owedKrw: Decimal): SaleQuality {
  const per = markets.map(marketQuality);
  const total = (pick: (q: (typeof per)[number]) => Decimal) => sum(per.map(pick));
  const paper = total((q) => q.paperValueKrw);
  const gross = total((q) => q.grossKrw);
  const fee = total((q) => q.feeKrw);
  const shortfall = total((q) => q.implementationShortfallKrw);
  const soldAtArrival = sum(per.map((q) => q.soldQuantity.mul(q.arrivalPrice)));
  const net = gross.sub(fee).toDecimalPlaces(0, Decimal.ROUND_DOWN);
  return {
    markets: per.map(({ paperValueKrw: _p, realisedKrw: _r, executionCostKrw: _e, opportunityCostKrw: _o, ...q }) => q),
    paperValueKrw: paper,
    realisedKrw: total((q) => q.realisedKrw),
    grossKrw: gross,
    feeKrw: fee,
    executionCostKrw: total((q) => q.executionCostKrw),
    opportunityCostKrw: total((q) => q.opportunityCostKrw),
    implementationShortfallKrw: shortfall,
    ...(paper.gt(0) ? { implementationShortfallBps: inBps(shortfall, paper) } : {}),
    ...(soldAtArrival.gt(0) ? { arrivalSlippageBps: inBps(soldAtArrival.sub(gross), soldAtArrival) } : {}),
    overshootKrw: max(ZERO, net.sub(owedKrw)),
  };
}

/** The figures as flat strings, for an audit entry's details and the sale record. */
export function qualityDetails(q: SaleQuality): Record<string, string> {
  const out: Record<string, string> = {
    paperValueKrw: q.paperValueKrw.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0),
    implementationShortfallKrw: q.implementationShortfallKrw.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(),
    overshootKrw: q.overshootKrw.toFixed(0),
  };
  if (q.implementationShortfallBps) out.implementationShortfallBps = q.implementationShortfallBps.toFixed(2);
  if (q.arrivalSlippageBps) out.arrivalSlippageBps = q.arrivalSlippageBps.toFixed(2);
  for (const m of q.markets) {
    out[`arrivalPrice:${m.market}`] = m.arrivalPrice.toFixed();
    if (m.averagePrice)
      out[`averagePrice:${m.market}`] = m.averagePrice.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed();
    if (m.arrivalSlippageBps) out[`arrivalSlippageBps:${m.market}`] = m.arrivalSlippageBps.toFixed(2);
    if (m.participationBps) out[`participationBps:${m.market}`] = m.participationBps.toFixed(2);
  }
  return out;
}
