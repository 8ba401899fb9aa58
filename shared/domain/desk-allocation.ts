/**
 * The sale desk's books: one order on a market sells the coins of several cases at once (pooled
 * execution, docs/SALE-DESK.md). Two pure steps:
 *
 * 1. `splitSlice`: how much of a slice each case offers. Pro rata to what each case still needs to
 *    sell, exact to the lot. A case takes part only when it is free to sell (no hold, not paid,
 *    need not covered: the caller says `active`) and when the order's limit price is at or above the
 *    case's floor price (the taxpayer's limit), so every fill it receives is at or above its floor.
 * 2. `allocateOrder`: what the exchange executed, trade by trade, shared among the cases that offered,
 *    pro rata to what each offered and still has unfilled in the order, exact to the lot; a trade
 *    below a case's floor never goes to it. Gross proceeds and the fee are then split exactly: every
 *    unit of the amount as the exchange reported it goes to one case.
 *
 * Remainder rule (both steps and the money): each case first gets its exact share rounded down to the
 * unit (the lot for coins; for an amount, the last decimal place the exchange reported, so the won
 * when it reports whole won); the units left over go one each to the largest fractional parts, ties
 * broken by case id (ascending). Deterministic: the same inputs give the same shares in any order.
 */
import { Decimal, ZERO, floorToStep, max, min, sum } from './money';

export class InvalidDeskAllocationError extends Error {
  override readonly name = 'InvalidDeskAllocationError';
}

export interface DeskParticipant {
  readonly caseId: string;
  /** Coins the case still needs to sell on this market (its plan's leg, less orders in doubt). */
  readonly leftToSell: Decimal;
  /** False once a hold, a payment or a covered need stops the case: it drops out of the next slice. */
  readonly active: boolean;
  /** The taxpayer's floor price for this market, if any. */
  readonly floorPrice?: Decimal;
}

export interface Offer {
  readonly caseId: string;
  readonly quantity: Decimal;
  readonly floorPrice?: Decimal;
}

export interface SliceSplit {
  readonly offers: readonly Offer[];
  /** Sum of the offers: the slice actually placed (≤ the slice asked for). */
  readonly quantity: Decimal;
}

/**
 * What a case offers the desk in all, re-planned on its real proceeds while it takes part (as a case
 * selling alone re-plans before each slice): the coins desk orders sold of it since it joined, plus
 * what it still needs to sell now (`stillToSell`, planned on its need less its net proceeds), of which
 * the coins in its shares on the way or in doubt are already a part. The desk gives it, in its next
 * order, this offer less what sold and what is on the way as the desk sees them: max(0, stillToSell −
 * onTheWay) when both see the same orders; an order planned or closed in between is counted by the
 * desk alone, which is what makes that right too.
 */
export function deskOffer(input: { sold: Decimal; onTheWay: Decimal; stillToSell: Decimal }): Decimal {
  return input.sold.add(max(input.onTheWay, input.stillToSell));
}

/** Cases that may join an order at `limitPrice`: active, something left, floor at or below the price. */
export function eligibleParticipants(
  participants: readonly DeskParticipant[],
  limitPrice: Decimal,
  lotSize: Decimal,
): DeskParticipant[] {
  return participants.filter(
    (p) =>
      p.active &&
      floorToStep(p.leftToSell, lotSize).gt(0) &&
      (p.floorPrice === undefined || p.floorPrice.lte(limitPrice)),
  );
}

/**
 * Split a slice of `quantity` coins among the eligible cases, pro rata to what each still needs to sell.
 * A slice larger than what they need together is cut to that.
 *
 * With `minimumQuantity` (one exchange minimum order at the limit price): a case with less than that
 * left (alone it could never sell it: dust) takes its whole rest first, the others share what is left
 * of the slice pro rata. Pro rata it would keep a part of its tail at every order and be left with
 * dust once the others have sold; pooled, the order is above the minimum whatever its share.
 */
export function splitSlice(input: {
  quantity: Decimal;
  limitPrice: Decimal;
  lotSize: Decimal;
  participants: readonly DeskParticipant[];
  minimumQuantity?: Decimal;
}): SliceSplit {
  const { lotSize } = input;
  checkLot(lotSize);
  if (input.quantity.isNeg()) throw new InvalidDeskAllocationError('slice quantity must not be negative');
  uniqueIds(input.participants.map((p) => p.caseId));
  const eligible = eligibleParticipants(input.participants, input.limitPrice, lotSize).map((p) => ({
    ...p,
    leftToSell: floorToStep(p.leftToSell, lotSize),
  }));
  const total = sum(eligible.map((p) => p.leftToSell));
  const quantity = min(floorToStep(input.quantity, lotSize), total);
  const minimum = input.minimumQuantity;
  const tails = minimum ? eligible.filter((p) => p.leftToSell.lt(minimum)) : [];
  const tailTotal = sum(tails.map((p) => p.leftToSell));
  // Tails first, whole, when the slice holds them all (else all share pro rata, as without a minimum).
  const first = tails.length > 0 && tailTotal.lte(quantity) ? tails : [];
  const rest = eligible.filter((p) => !first.includes(p));
  const shares = splitUnits(
    quantity.sub(first.length > 0 ? tailTotal : ZERO),
    lotSize,
    rest.map((p) => ({ id: p.caseId, weight: p.leftToSell, cap: p.leftToSell })),
  );
  for (const p of first) shares.set(p.caseId, p.leftToSell);
  const offers = eligible
    .map((p) => ({
      caseId: p.caseId,
      quantity: shares.get(p.caseId) ?? ZERO,
      ...(p.floorPrice ? { floorPrice: p.floorPrice } : {}),
    }))
    .filter((o) => o.quantity.gt(0));
  return { offers, quantity: sum(offers.map((o) => o.quantity)) };
}

export interface ExecutedTrade {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

export interface CaseTrade {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** One case's share of one order: its coins, their trades, gross proceeds and fee. */
export interface CaseFill {
  readonly caseId: string;
  readonly quantity: Decimal;
  readonly grossKrw: Decimal;
  readonly feeKrw: Decimal;
  readonly trades: readonly CaseTrade[];
}

export interface OrderExecution {
  readonly trades: readonly ExecutedTrade[];
  /** Gross proceeds as the exchange reports them (Σ price × quantity of the trades, or its rounding). */
  readonly grossKrw: Decimal;
  readonly feeKrw: Decimal;
}

/**
 * Share what one order executed among the cases that offered to it. Trades are taken in the order
 * given (the exchange's: best price first); each trade's coins go pro rata to what each eligible case
 * (floor at or below the trade's price) still has unfilled in this order. Throws when a trade cannot
 * be absorbed by the cases allowed to take it, or when the order executed more than was offered:
 * that would sell someone's coins below their floor or coins nobody offered.
 *
 * Money: each case's exact gross is Σ price × its quantity per trade; the reported gross and the fee
 * are split by that weight with the remainder rule above, so the shares add up exactly.
 */
export function allocateOrder(input: {
  lotSize: Decimal;
  offers: readonly Offer[];
  execution: OrderExecution;
}): CaseFill[] {
  const { lotSize, offers, execution } = input;
  checkLot(lotSize);
  uniqueIds(offers.map((o) => o.caseId));
  for (const o of offers)
    if (o.quantity.isNeg() || !floorToStep(o.quantity, lotSize).eq(o.quantity))
      throw new InvalidDeskAllocationError(`${o.caseId}: offer must be a whole number of lots`);
  if (execution.grossKrw.isNeg() || execution.feeKrw.isNeg())
    throw new InvalidDeskAllocationError('gross and fee must not be negative');
  const unfilled = new Map(offers.map((o) => [o.caseId, o.quantity]));
  const trades = new Map<string, CaseTrade[]>(offers.map((o) => [o.caseId, []]));
  for (const trade of execution.trades) {
    if (!trade.quantity.gt(0) || !floorToStep(trade.quantity, lotSize).eq(trade.quantity))
      throw new InvalidDeskAllocationError('a trade must be a positive whole number of lots');
    const takers = offers.filter(
      (o) => (o.floorPrice === undefined || o.floorPrice.lte(trade.price)) && (unfilled.get(o.caseId) ?? ZERO).gt(0),
    );
    const room = sum(takers.map((o) => unfilled.get(o.caseId) ?? ZERO));
    if (room.lt(trade.quantity))
      throw new InvalidDeskAllocationError(
        `a trade of ${trade.quantity.toFixed()} at ${trade.price.toFixed()} exceeds what the cases allowed at that price offered (${room.toFixed()})`,
      );
    const shares = splitUnits(
      trade.quantity,
      lotSize,
      takers.map((o) => ({
        id: o.caseId,
        weight: unfilled.get(o.caseId) ?? ZERO,
        cap: unfilled.get(o.caseId) ?? ZERO,
      })),
    );
    for (const [caseId, quantity] of shares) {
      if (quantity.isZero()) continue;
      unfilled.set(caseId, (unfilled.get(caseId) ?? ZERO).sub(quantity));
      trades.get(caseId)?.push({ price: trade.price, quantity });
    }
  }
  const exact = offers
    .map((o) => ({ id: o.caseId, trades: trades.get(o.caseId) ?? [] }))
    .map((c) => ({ ...c, gross: sum(c.trades.map((t) => t.price.mul(t.quantity))) }));
  const weights = exact.map((c) => ({ id: c.id, weight: c.gross }));
  const gross = splitAmount(execution.grossKrw, weights);
  const fee = splitAmount(execution.feeKrw, weights);
  return exact
    .filter((c) => c.trades.length > 0)
    .map((c) => ({
      caseId: c.id,
      quantity: sum(c.trades.map((t) => t.quantity)),
      grossKrw: gross.get(c.id) ?? ZERO,
      feeKrw: fee.get(c.id) ?? ZERO,
      trades: c.trades,
    }));
}

/**
 * Split an amount of money by weights, exact to the amount's own last decimal place (the won for a
 * whole-won amount): largest remainder, ties by id. All weights zero: nothing can be split.
 */
export function splitAmount(
  amount: Decimal,
  weights: readonly { id: string; weight: Decimal }[],
): Map<string, Decimal> {
  const unit = new Decimal(1).div(new Decimal(10).pow(Math.max(0, amount.decimalPlaces())));
  return splitUnits(
    amount,
    unit,
    weights.map((w) => ({ ...w, cap: amount })),
  );
}

/**
 * The remainder rule: `total` (a whole number of `unit`s) split pro rata to the weights, each share
 * a whole number of units and at most its cap. Shares add up to `total` exactly.
 */
export function splitUnits(
  total: Decimal,
  unit: Decimal,
  parts: readonly { id: string; weight: Decimal; cap: Decimal }[],
): Map<string, Decimal> {
  const out = new Map<string, Decimal>(parts.map((p) => [p.id, ZERO]));
  if (total.isZero()) return out;
  const units = total.div(unit);
  if (!units.isInteger() || units.isNeg())
    throw new InvalidDeskAllocationError(`${total.toFixed()} is not a whole number of ${unit.toFixed()}`);
  const weightTotal = sum(parts.map((p) => p.weight));
  const capTotal = sum(parts.map((p) => floorToStep(p.cap, unit)));
  if (weightTotal.lte(0) || capTotal.lt(total))
    throw new InvalidDeskAllocationError(`cannot split ${total.toFixed()}: not enough room`);
  const rows = parts.map((p) => {
    const exact = units.mul(p.weight).div(weightTotal);
    const capUnits = floorToStep(p.cap, unit).div(unit);
    const base = Decimal.min(exact.floor(), capUnits);
    return { id: p.id, base, fraction: exact.sub(exact.floor()), capUnits };
  });
  let left = units.sub(sum(rows.map((r) => r.base)));
  // Largest fractional part first, then case id; a pass can leave units when caps bind (rare: weights
  // are the caps in every use here), so repeat over rows that still have room.
  const order = [...rows].sort((a, b) => b.fraction.comparedTo(a.fraction) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  while (left.gt(0)) {
    let gave = false;
    for (const r of order) {
      if (left.isZero()) break;
      if (r.base.lt(r.capUnits)) {
        r.base = r.base.add(1);
        left = left.sub(1);
        gave = true;
      }
    }
    if (!gave) throw new InvalidDeskAllocationError('caps too small for the total');
  }
  for (const r of rows) out.set(r.id, r.base.mul(unit));
  return out;
}

function checkLot(lotSize: Decimal): void {
  if (!lotSize.gt(0)) throw new InvalidDeskAllocationError('lot size must be positive');
}

function uniqueIds(ids: readonly string[]): void {
  if (new Set(ids).size !== ids.length) throw new InvalidDeskAllocationError('a case is listed twice');
}
