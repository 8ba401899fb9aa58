/**
 * Coverage: how far a case's coins would go towards its arrears if sold now.
 *
 *   coverage = value of the coins the city holds (available: in custody, not sold, not released)
 *              at the latest best bid  /  arrears projected to the date (surcharges included)
 *
 * Below 1 the coins cannot pay what is owed at today's bid (UNDER: look for more property, or
 * expect a shortfall); at 1 or more they can (COVERED), and `surplus` is what would go back to the
 * taxpayer after the sale (over-covered when positive: §43 forbids seizing more than needed).
 * The value is at the bid, before fees and impact: it is an officer's gauge, not the sale plan.
 *
 * Pure and exact: decimal.js throughout, the value cut down to the whole won once, the ratio cut
 * down to 4 decimal places (1 basis point), never rounded up.
 */
import { arrears, available, type Case } from './case';
import type { CitySettings } from './city-settings';
import type { LocalDate } from './dates';
import { Decimal, floorWon, max, ZERO } from './money';

/** The latest price of a market as the poller stored it: the best bid and any flags it raised. */
export interface BidPrice {
  readonly bid: Decimal;
  /** e.g. STALE_PRICE, SOURCES_DISAGREE; empty when the price looked sound. */
  readonly flags: readonly string[];
}

export type CoverageState =
  /** The coins at the bid do not reach the arrears. */
  | 'UNDER'
  /** They do: the rest (`surplus`) would go back to the taxpayer. */
  | 'COVERED'
  /** Nothing is owed (arrears zero). */
  | 'NOTHING_OWED'
  /** Something is owed but the city holds no coins for the case (before custody, or all sold or released). */
  | 'NO_COINS'
  /** A held market has no usable bid: the value is known only in part. */
  | 'UNPRICED';

export interface CoverageInput {
  /** Arrears projected to the date of the valuation, whole won. */
  readonly arrears: Decimal;
  /** Coin quantities the city holds for the case, by market. */
  readonly holdings: Readonly<Record<string, Decimal>>;
  /** Latest bid by market; a market absent here is unpriced. */
  readonly prices: Readonly<Record<string, BidPrice | undefined>>;
}

export interface Coverage {
  readonly state: CoverageState;
  readonly arrears: Decimal;
  /** The priced coins' value at the bid, cut down to the whole won. */
  readonly value: Decimal;
  /** value / arrears, cut down to 4 places; null when nothing is owed or a market is unpriced. */
  readonly ratio: Decimal | null;
  /** arrears - value when UNDER, else 0. */
  readonly shortfall: Decimal;
  /** value - arrears when COVERED, else 0. */
  readonly surplus: Decimal;
  /** Held markets without a bid. */
  readonly unpriced: readonly string[];
  /** Held markets valued at a price that carries a flag (stale, sources disagree). */
  readonly flagged: readonly string[];
}

export class InvalidCoverageInputError extends Error {
  override readonly name = 'InvalidCoverageInputError';
}

const RATIO_PLACES = 4;

export function coverage(input: CoverageInput): Coverage {
  const { arrears: owed } = input;
  if (!owed.isInteger() || owed.isNeg())
    throw new InvalidCoverageInputError(`arrears must be whole, non-negative won: ${owed.toFixed()}`);
  const held = Object.entries(input.holdings)
    .filter(([, quantity]) => {
      if (quantity.isNeg()) throw new InvalidCoverageInputError('a held quantity is negative');
      return quantity.gt(0);
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  let exact = ZERO;
  const unpriced: string[] = [];
  const flagged: string[] = [];
  for (const [market, quantity] of held) {
    const price = input.prices[market];
    if (price === undefined || !price.bid.gt(0)) {
      unpriced.push(market);
      continue;
    }
    exact = exact.add(quantity.mul(price.bid));
    if (price.flags.length > 0) flagged.push(market);
  }
  const value = floorWon(exact);
  const result = (state: CoverageState, ratio: Decimal | null): Coverage => ({
    state,
    arrears: owed,
    value,
    ratio,
    shortfall: state === 'UNDER' ? owed.sub(value) : ZERO,
    surplus: state === 'COVERED' ? value.sub(owed) : ZERO,
    unpriced,
    flagged,
  });

  if (owed.isZero()) return result('NOTHING_OWED', null);
  if (held.length === 0) return { ...result('NO_COINS', ZERO), shortfall: owed };
  if (unpriced.length > 0) return result('UNPRICED', null);
  const ratio = value.div(owed).toDecimalPlaces(RATIO_PLACES, Decimal.ROUND_DOWN);
  return result(value.lt(owed) ? 'UNDER' : 'COVERED', ratio);
}

/** A case's coverage on a date: arrears projected by the domain's surcharge rules, coins it holds now. */
export function caseCoverage(
  c: Case,
  date: LocalDate,
  settings: CitySettings,
  prices: CoverageInput['prices'],
): Coverage {
  return coverage({ arrears: max(ZERO, arrears(c, date, settings)), holdings: holdingsOf(c), prices });
}

/** Available quantity by market (one holding per market; several are summed). */
export function holdingsOf(c: Case): Record<string, Decimal> {
  const out: Record<string, Decimal> = {};
  for (const h of c.holdings) out[h.market] = (out[h.market] ?? ZERO).add(available(h));
  return out;
}
