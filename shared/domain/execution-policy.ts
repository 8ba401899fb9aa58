/**
 * Execution policy: how a forced sale meets the market. One object with documented defaults, and
 * the pure decisions the sale loop takes on each turn: may we trade on this quote at all
 * (`guardMarket`), and if so, how much at what limit price (`nextSlice`).
 *
 * Defaults follow the guideline the financial regulator (FSC) gave exchanges selling their own coins
 * in 2025: prices within 1% of the market, at most 5% of traded volume, at most 10% of the planned
 * total per day for large holdings. Every number is configuration: a city may
 * override any of them.
 */
import { addDays, kstDate, kstStartOfDay } from './dates';
import { Decimal, ZERO, bps, ceilToStep, floorToStep, max, min, sum } from './money';

export interface ExecutionPolicy {
  /** Lowest sell price allowed, in bps below the reference price (FSC 2025: within 1% of the market). */
  readonly priceBandBps: number;
  /** A slice takes at most this share of the market's traded volume (FSC 2025: 5%). */
  readonly participationBps: number;
  /** Window over which recent traded volume is measured; the cap is scaled to one slice interval. */
  readonly volumeLookbackMs: number;
  /** Large holdings sell at most this share of the planned total per Korean calendar day (FSC 2025: 10%). */
  readonly dailyCapBps: number;
  /** A holding is large when its planned value reaches this share of the average daily traded value. */
  readonly largeHoldingBps: number;
  /** Wait between slices, so the book can refill. */
  readonly sliceIntervalMs: number;
  /** A slice takes at most this share of the visible bids at or above its limit price. */
  readonly depthShareBps: number;
  /** A quote older than this is stale (the price poll interval plus slack). */
  readonly maxPriceAgeMs: number;
  /** Largest gap allowed between the last trade price and the order-book mid. */
  readonly maxSourceGapBps: number;
  /** Circuit breaker: pause when the price moved more than this within the window. */
  readonly circuitBreakerBps: number;
  readonly circuitBreakerWindowMs: number;
  /** How long a circuit-breaker pause lasts. */
  readonly pauseMs: number;
  /** After this many pauses in a row the sale goes to an officer instead of pausing again. */
  readonly escalateAfterPauses: number;
  /** Sales planned at or above this value (won) wait for an officer's approval. */
  readonly approvalThresholdKrw: Decimal;
  /** Sales planned at or above this value (won) wait for two different officers' approvals (four-eyes.ts). */
  readonly dualApprovalThresholdKrw: Decimal;
  /** Safety margin the planner adds against slippage (see sale-plan.ts). */
  readonly planningMarginBps: number;
  /** The taxpayer's own sale request may name a price: never sell below it. */
  readonly taxpayerLimitPrice?: Decimal;
}

const MINUTE = 60_000;

export const DEFAULT_EXECUTION_POLICY: ExecutionPolicy = Object.freeze({
  priceBandBps: 100, // FSC 2025: within 1% of the market
  participationBps: 500, // FSC 2025: at most 5% of the venue's volume
  volumeLookbackMs: 15 * MINUTE, // long enough that one quiet minute does not stop the sale
  dailyCapBps: 1_000, // FSC 2025: at most 10% of the planned total per day
  largeHoldingBps: 100, // large = planned value at least 1% of a day's traded value
  sliceIntervalMs: MINUTE, // one slice per price poll
  depthShareBps: 5_000, // never take more than half the bids within the band at once
  maxPriceAgeMs: MINUTE + 30_000, // poll every 60 s, plus 30 s slack
  maxSourceGapBps: 50, // trade price and book mid normally sit within a few ticks
  circuitBreakerBps: 500, // crash days move 10-20% in hours; 5% in 15 minutes is one
  circuitBreakerWindowMs: 15 * MINUTE,
  pauseMs: 15 * MINUTE, // one window: the move has left it when we look again
  escalateAfterPauses: 3,
  approvalThresholdKrw: new Decimal(50_000_000),
  dualApprovalThresholdKrw: new Decimal(500_000_000),
  // No margin: the engine re-plans after every fill from the real proceeds, so a slice that filled
  // below the bid is followed by one small slice (at most one exchange minimum over the need). A
  // margin would stay on the last slice as overshoot (bench `sale`: up to ₩76,846 with 50 bps).
  planningMarginBps: 0,
});

export class InvalidExecutionPolicyError extends Error {
  override readonly name = 'InvalidExecutionPolicyError';
}

type NumberField = Exclude<
  keyof ExecutionPolicy,
  'approvalThresholdKrw' | 'dualApprovalThresholdKrw' | 'taxpayerLimitPrice'
>;

/** Allowed range per numeric field; bps are whole basis points, durations whole milliseconds. */
const RANGES: Record<NumberField, readonly [number, number]> = {
  priceBandBps: [1, 9_999],
  participationBps: [1, 10_000],
  volumeLookbackMs: [1, Number.MAX_SAFE_INTEGER],
  dailyCapBps: [1, 10_000],
  largeHoldingBps: [0, Number.MAX_SAFE_INTEGER],
  sliceIntervalMs: [1, Number.MAX_SAFE_INTEGER],
  depthShareBps: [1, 10_000],
  maxPriceAgeMs: [1, Number.MAX_SAFE_INTEGER],
  maxSourceGapBps: [0, 10_000],
  circuitBreakerBps: [1, Number.MAX_SAFE_INTEGER],
  circuitBreakerWindowMs: [1, Number.MAX_SAFE_INTEGER],
  pauseMs: [1, Number.MAX_SAFE_INTEGER],
  escalateAfterPauses: [1, Number.MAX_SAFE_INTEGER],
  planningMarginBps: [0, 9_999],
};

/** The defaults with `overrides` applied; throws on an unknown field or a value out of range. */
export function executionPolicy(overrides: Partial<ExecutionPolicy> = {}): ExecutionPolicy {
  const problems: string[] = [];
  for (const [field, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (field === 'approvalThresholdKrw' || field === 'dualApprovalThresholdKrw') {
      if (!Decimal.isDecimal(value) || !value.isInteger() || value.isNeg())
        problems.push(`${field} must be whole won, not negative`);
    } else if (field === 'taxpayerLimitPrice') {
      if (!Decimal.isDecimal(value) || !value.gt(0)) problems.push(`${field} must be a positive price`);
    } else if (field in RANGES) {
      const [low, high] = RANGES[field as NumberField];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
        problems.push(`${field} must be a whole number from ${low} to ${high}`);
      }
    } else {
      problems.push(`unknown field ${field}`);
    }
  }
  const merged = { ...DEFAULT_EXECUTION_POLICY, ...definedOnly(overrides) };
  if (merged.dualApprovalThresholdKrw.lt(merged.approvalThresholdKrw))
    problems.push('dualApprovalThresholdKrw must not be below approvalThresholdKrw');
  if (problems.length > 0) throw new InvalidExecutionPolicyError(problems.join('; '));
  return Object.freeze({ ...DEFAULT_EXECUTION_POLICY, ...definedOnly(overrides) });
}

function definedOnly(overrides: Partial<ExecutionPolicy>): Partial<ExecutionPolicy> {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}

/** Sales at or above the threshold wait for an officer. */
export function needsApproval(plannedValueKrw: Decimal, policy: ExecutionPolicy): boolean {
  return plannedValueKrw.gte(policy.approvalThresholdKrw);
}

// ---------------------------------------------------------------------------------------------
// Price band

/** True when a sell price lies below the band: the dumping the band exists to prevent. */
export function priceBandViolation(price: Decimal, reference: Decimal, policy: ExecutionPolicy): boolean {
  return price.lt(bandFloor(reference, policy));
}

function bandFloor(reference: Decimal, policy: ExecutionPolicy): Decimal {
  return reference.mul(new Decimal(1).sub(bps(policy.priceBandBps)));
}

/**
 * The lowest limit price a slice may carry: the band's floor rounded UP to the tick (rounding down
 * would leave the band), and never below the taxpayer's own limit.
 */
export function lowestAllowedPrice(reference: Decimal, tickSize: Decimal, policy: ExecutionPolicy): Decimal {
  const floor = ceilToStep(bandFloor(reference, policy), tickSize);
  const taxpayer = policy.taxpayerLimitPrice;
  return taxpayer === undefined ? floor : max(floor, ceilToStep(taxpayer, tickSize));
}

// ---------------------------------------------------------------------------------------------
// Guards: stale or disputed prices, volatility, the taxpayer's limit

export interface Quote {
  readonly tradePrice: Decimal;
  readonly bookMid: Decimal;
  readonly bestBid: Decimal;
  readonly quotedAt: Date;
}

export interface PricePoint {
  readonly at: Date;
  readonly price: Decimal;
}

export type GuardReason = 'STALE_PRICE' | 'SOURCES_DISAGREE' | 'VOLATILE' | 'LIMIT_PRICE_NOT_REACHED';

/**
 * `consecutivePauses` is the counter to carry into the next call: GO resets it, a market pause
 * adds one, and waiting for the taxpayer's limit price leaves it alone (waiting is what the
 * taxpayer asked for, not a fault to escalate).
 */
export type GuardDecision =
  | { readonly action: 'GO'; readonly consecutivePauses: 0 }
  | {
      readonly action: 'PAUSE';
      readonly reason: GuardReason;
      readonly resumeAt: Date;
      readonly consecutivePauses: number;
    }
  | { readonly action: 'ESCALATE'; readonly reason: GuardReason; readonly consecutivePauses: number };

export interface GuardInput {
  readonly policy: ExecutionPolicy;
  readonly now: Date;
  readonly quote: Quote;
  /** Recent trade prices; those outside the circuit-breaker window are ignored. */
  readonly recentPrices: readonly PricePoint[];
  readonly consecutivePauses: number;
}

/** May the sale place an order on this quote now? Checks run from the most basic (is the price fresh?) up. */
export function guardMarket(input: GuardInput): GuardDecision {
  const { policy, now, quote, consecutivePauses } = input;
  const pause = (reason: GuardReason, waitMs: number): GuardDecision => {
    const pauses = consecutivePauses + 1;
    if (pauses >= policy.escalateAfterPauses) return { action: 'ESCALATE', reason, consecutivePauses: pauses };
    return { action: 'PAUSE', reason, resumeAt: later(now, waitMs), consecutivePauses: pauses };
  };

  if (now.getTime() - quote.quotedAt.getTime() > policy.maxPriceAgeMs)
    return pause('STALE_PRICE', policy.sliceIntervalMs);

  const gap = quote.tradePrice.sub(quote.bookMid).abs().div(quote.bookMid);
  if (gap.gt(bps(policy.maxSourceGapBps))) return pause('SOURCES_DISAGREE', policy.sliceIntervalMs);

  const windowStart = now.getTime() - policy.circuitBreakerWindowMs;
  const inWindow = [...input.recentPrices, { at: quote.quotedAt, price: quote.tradePrice }].filter(
    (p) => p.at.getTime() >= windowStart && p.at.getTime() <= now.getTime(),
  );
  if (largestMove(inWindow).gt(bps(policy.circuitBreakerBps))) return pause('VOLATILE', policy.pauseMs);

  const limit = policy.taxpayerLimitPrice;
  if (limit !== undefined && quote.bestBid.lt(limit)) {
    return {
      action: 'PAUSE',
      reason: 'LIMIT_PRICE_NOT_REACHED',
      resumeAt: later(now, policy.sliceIntervalMs),
      consecutivePauses,
    };
  }
  return { action: 'GO', consecutivePauses: 0 };
}

/**
 * The largest move between two prices in time order, as a fraction of the earlier one: a fall
 * from the running high or a rise from the running low, whichever is larger.
 */
export function largestMove(points: readonly PricePoint[]): Decimal {
  const inOrder = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  let move = ZERO;
  let high: Decimal | undefined;
  let low: Decimal | undefined;
  for (const { price } of inOrder) {
    if (high !== undefined && low !== undefined) {
      move = max(move, max(high.sub(price).div(high), price.sub(low).div(low)));
    }
    high = high === undefined ? price : max(high, price);
    low = low === undefined ? price : min(low, price);
  }
  return move;
}

function later(now: Date, ms: number): Date {
  return new Date(now.getTime() + ms);
}

// ---------------------------------------------------------------------------------------------
// Slices

export interface BookLevel {
  readonly price: Decimal;
  readonly size: Decimal;
}

export interface SliceInput {
  readonly policy: ExecutionPolicy;
  readonly now: Date;
  /** What is left of this leg of the sale plan. */
  readonly remainingQuantity: Decimal;
  readonly referencePrice: Decimal;
  /** The bid side of the order book (any order; best first as the exchange gives it). */
  readonly bids: readonly BookLevel[];
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minOrderKrw: Decimal;
  /** Base quantity traded over the policy's `volumeLookbackMs`. */
  readonly recentTradedVolume: Decimal;
  /** The leg's total as planned when the sale began (the base of the daily cap). */
  readonly plannedTotalQuantity: Decimal;
  /** Sold of this leg since 00:00 KST today. */
  readonly soldTodayQuantity: Decimal;
  readonly averageDailyTradedValue: Decimal;
}

/** Which limit sized the slice. */
export type SliceBinding =
  | 'REMAINING' // the whole rest of the leg fits
  | 'PARTICIPATION' // share of recent traded volume
  | 'DEPTH' // share of the visible bids within the band
  | 'DAILY_CAP' // share of the planned total per day
  | 'EXCHANGE_MINIMUM' // caps allowed less than the exchange accepts: one minimum order instead
  | 'VALID_TAIL' // trimmed so that what is left can still be sold as one order
  | 'WHOLE_REMAINDER' // the rest is too small to split: all of it, so no dust is stranded
  | 'SCHEDULE'; // the sale desk's pace (sale-schedule.ts) asked for less than the caps allow

export type WaitReason = 'NO_BIDS_IN_BAND' | 'DAILY_CAP_REACHED' | 'THIN_BOOK' | 'NO_RECENT_VOLUME';

export type SliceDecision =
  | {
      readonly action: 'SELL';
      readonly quantity: Decimal;
      readonly limitPrice: Decimal;
      readonly binding: SliceBinding;
    }
  | { readonly action: 'WAIT'; readonly reason: WaitReason; readonly resumeAt: Date }
  /** The rest is worth less than one order even at the best bid: give it back, do not strand it. */
  | { readonly action: 'RELEASE_DUST'; readonly quantity: Decimal }
  | { readonly action: 'DONE' };

/**
 * Size and price the next limit IOC sell of a leg.
 *
 * Price: the lowest allowed price (`lowestAllowedPrice`); the IOC order fills against every bid at
 * or above it, best first, so every fill lands inside the band.
 *
 * Quantity: the smallest of the rest of the leg, the participation cap (participation × recent
 * volume, scaled from the lookback window to one slice interval), the depth cap (depth share ×
 * bids at or above the limit price) and, for large holdings, the day's room under the daily cap;
 * rounded down to the lot. Then the exchange minimum (price × quantity ≥ minimum order):
 * - a rest smaller than one minimum order goes whole, priced up just enough to be accepted when the
 *   best bid allows; otherwise it is dust to release;
 * - a rest smaller than two minimum orders cannot be split, so it goes whole (exceeding the caps
 *   by less than one minimum order);
 * - a slice that would leave less than one minimum order is trimmed to leave exactly one;
 * - when only the participation cap holds the slice under the minimum, one minimum order goes
 *   (the smallest footprint the exchange allows), unless nothing traded at all recently;
 * - the depth cap and the daily cap are never overridden otherwise: wait.
 */
export function nextSlice(input: SliceInput): SliceDecision {
  const { policy, now, lotSize, minOrderKrw } = input;
  if (input.remainingQuantity.lte(0)) return { action: 'DONE' };

  const wait = (reason: WaitReason, resumeAt = later(now, policy.sliceIntervalMs)): SliceDecision => ({
    action: 'WAIT',
    reason,
    resumeAt,
  });
  const price = lowestAllowedPrice(input.referencePrice, input.tickSize, policy);
  const bestBid = input.bids.reduce<Decimal | undefined>(
    (best, level) => (best === undefined ? level.price : max(best, level.price)),
    undefined,
  );
  if (bestBid === undefined || bestBid.lt(price)) return wait('NO_BIDS_IN_BAND');

  const rest = floorToStep(input.remainingQuantity, lotSize);
  const smallest = max(lotSize, ceilToStep(minOrderKrw.div(price), lotSize));
  if (rest.lt(smallest)) return wholeRestBelowMinimum(input, rest, price, bestBid);

  const large = isLargeHolding(
    input.plannedTotalQuantity.mul(input.referencePrice),
    input.averageDailyTradedValue,
    policy,
  );
  const room = large
    ? floorToStep(
        max(ZERO, input.plannedTotalQuantity.mul(bps(policy.dailyCapBps)).sub(input.soldTodayQuantity)),
        lotSize,
      )
    : undefined;
  if (room !== undefined && room.lt(rest) && room.lt(smallest)) return wait('DAILY_CAP_REACHED', nextKstMidnight(now));

  const depth = sum(input.bids.filter((level) => level.price.gte(price)).map((level) => level.size)).mul(
    bps(policy.depthShareBps),
  );
  const caps: [SliceBinding, Decimal][] = [
    ['REMAINING', rest],
    ['PARTICIPATION', participationCap(input.recentTradedVolume, policy)],
    ['DEPTH', depth],
  ];
  if (room !== undefined) caps.push(['DAILY_CAP', room]);
  const [binding, cap] = caps.reduce((a, b) => (b[1].lt(a[1]) ? b : a));
  const quantity = floorToStep(cap, lotSize);
  const sell = (q: Decimal, why: SliceBinding): SliceDecision => ({
    action: 'SELL',
    quantity: q,
    limitPrice: price,
    binding: why,
  });

  const unsplittable = rest.lt(smallest.mul(2));
  if (quantity.lt(smallest)) {
    if (unsplittable) return sell(rest, 'WHOLE_REMAINDER');
    // Here the rest and the day's room both reach one minimum order, so only volume or depth bind.
    if (depth.lt(smallest)) return wait('THIN_BOOK');
    if (input.recentTradedVolume.lte(0)) return wait('NO_RECENT_VOLUME');
    return sell(smallest, 'EXCHANGE_MINIMUM');
  }
  const tail = rest.sub(quantity);
  if (tail.gt(0) && tail.lt(smallest))
    return unsplittable ? sell(rest, 'WHOLE_REMAINDER') : sell(rest.sub(smallest), 'VALID_TAIL');
  return sell(quantity, binding);
}

/** A rest below one minimum order at the band's floor: price it up to the minimum if the best bid allows. */
function wholeRestBelowMinimum(input: SliceInput, rest: Decimal, floorPrice: Decimal, bestBid: Decimal): SliceDecision {
  if (rest.gt(0)) {
    const price = max(floorPrice, ceilToStep(input.minOrderKrw.div(rest), input.tickSize));
    if (price.lte(bestBid)) return { action: 'SELL', quantity: rest, limitPrice: price, binding: 'WHOLE_REMAINDER' };
  }
  return { action: 'RELEASE_DUST', quantity: input.remainingQuantity };
}

/** participation × the volume of one slice interval, at the pace of the lookback window. */
function participationCap(recentVolume: Decimal, policy: ExecutionPolicy): Decimal {
  return recentVolume.mul(bps(policy.participationBps)).mul(policy.sliceIntervalMs).div(policy.volumeLookbackMs);
}

/** Large holdings get the daily cap: planned value at least `largeHoldingBps` of a day's traded value. */
export function isLargeHolding(
  plannedValueKrw: Decimal,
  averageDailyTradedValue: Decimal,
  policy: ExecutionPolicy,
): boolean {
  return plannedValueKrw.gte(averageDailyTradedValue.mul(bps(policy.largeHoldingBps)));
}

function nextKstMidnight(now: Date): Date {
  return kstStartOfDay(addDays(kstDate(now), 1));
}

// ---------------------------------------------------------------------------------------------
// Choosing by size

export type SaleSize =
  | 'SMALL' // fits in one slice under every cap: one IOC order
  | 'SLICED' // needs several slices
  | 'LARGE'; // several slices and the daily cap

export interface SizeInput {
  readonly policy: ExecutionPolicy;
  readonly plannedQuantity: Decimal;
  readonly referencePrice: Decimal;
  readonly tickSize: Decimal;
  readonly bids: readonly BookLevel[];
  readonly recentTradedVolume: Decimal;
  readonly averageDailyTradedValue: Decimal;
}

/**
 * DESIGN §3: "the policy should choose by size against recent volume and depth". Most city cases
 * are small against a major market and go in one order; large or thin ones are sliced.
 */
export function choosePolicyBySize(input: SizeInput): { size: SaleSize; needsApproval: boolean } {
  const { policy, plannedQuantity } = input;
  const value = plannedQuantity.mul(input.referencePrice);
  const approval = needsApproval(value, policy);
  if (isLargeHolding(value, input.averageDailyTradedValue, policy)) return { size: 'LARGE', needsApproval: approval };
  const price = lowestAllowedPrice(input.referencePrice, input.tickSize, policy);
  const depth = sum(input.bids.filter((level) => level.price.gte(price)).map((level) => level.size)).mul(
    bps(policy.depthShareBps),
  );
  const fitsOneSlice =
    plannedQuantity.lte(depth) && plannedQuantity.lte(participationCap(input.recentTradedVolume, policy));
  return { size: fitsOneSlice ? 'SMALL' : 'SLICED', needsApproval: approval };
}
