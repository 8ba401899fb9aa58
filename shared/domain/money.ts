/**
 * Money and quantities. Won, coin quantities and prices are decimal.js values end to end and
 * strings at every boundary (JSON, DynamoDB): a JavaScript float never touches them.
 */
import DecimalJs from 'decimal.js';

/**
 * One Decimal configuration for the whole product: ample precision, rounding always explicit. Pure
 * (annotated so): a bundle whose code never reaches money leaves decimal.js out (docs/BENCHMARKS.md).
 */
export const Decimal = /* @__PURE__ */ DecimalJs.clone({
  precision: 64,
  // DecimalJs.ROUND_HALF_UP, written as its value: reading the property would keep decimal.js in
  // every bundle that imports this module (esbuild cannot prove the read pure).
  rounding: 4,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

export class InvalidAmountError extends Error {
  override readonly name = 'InvalidAmountError';
}

export const ZERO = /* @__PURE__ */ new Decimal(0);

const WHOLE = /^-?\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** Won as a whole number (may be negative only where a caller allows it, e.g. adjustments). */
export function won(value: string | bigint | Decimal): Decimal {
  const text = typeof value === 'string' ? value.trim() : value.toString();
  if (!WHOLE.test(text)) throw new InvalidAmountError(`not a whole number of won: ${JSON.stringify(text)}`);
  return new Decimal(text);
}

/** A non-negative decimal: a coin quantity or a price. */
export function decimal(value: string | Decimal): Decimal {
  const text = typeof value === 'string' ? value.trim() : value.toFixed();
  if (!DECIMAL.test(text)) throw new InvalidAmountError(`not a non-negative decimal: ${JSON.stringify(text)}`);
  return new Decimal(text);
}

export const quantity = decimal;
export const price = decimal;

/** Serialise won: digits only, no exponent, no fraction (throws if a fraction slipped in). */
export function wonString(amount: Decimal): string {
  if (!amount.isInteger()) throw new InvalidAmountError(`won must be whole: ${amount.toFixed()}`);
  return amount.toFixed(0);
}

/** Serialise a quantity or price without exponent notation. */
export function decimalString(value: Decimal): string {
  return value.toFixed();
}

/** Money computed from rates or prices is cut down to the whole won (never rounded up against the taxpayer). */
export function floorWon(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(0, Decimal.ROUND_DOWN);
}

/**
 * 국고금 관리법 §47: public money drops amounts under 10 won. Local governments may apply it, so
 * it is a city setting; when on, computed amounts are cut to a multiple of 10.
 */
export function truncateUnder10Won(amount: Decimal): Decimal {
  return amount.div(10).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(10);
}

/** Largest multiple of `step` not above `value` (quantity down to the exchange lot, price down to the tick). */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) throw new InvalidAmountError('step must be positive');
  return value.div(step).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(step);
}

/** Smallest multiple of `step` not below `value`. */
export function ceilToStep(value: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) throw new InvalidAmountError('step must be positive');
  return value.div(step).toDecimalPlaces(0, Decimal.ROUND_UP).mul(step);
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.add(v);
  return total;
}

export function min(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

/** A rate given in basis points, as a decimal fraction (50 bps -> 0.005). */
export function bps(points: number | string): Decimal {
  return new Decimal(points).div(10_000);
}
