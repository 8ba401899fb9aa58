/**
 * Late-payment surcharges, projected to a date for sale planning. The city stays the source of
 * truth for assessed amounts; this projects what accrues after the city's last figure.
 *
 * Two regimes, keyed by the date the liability arose (dated configuration, not literals):
 * - 납부지연가산세 (지방세기본법 §55, 시행령 §34), liabilities from 2024-01-01: 3% once after the
 *   deadline, then 0.66% per full month, at most 60 months, the monthly part only where the tax
 *   per notice and item is ₩450,000 or more.
 * - 가산금 / 중가산금 (old 지방세징수법 §30, §31), earlier liabilities: 3% once, then a monthly rate
 *   (1.2% until 2018, 0.75% from 2019) for at most 60 months, where the bill is ₩300,000 or more.
 * The base is the unpaid tax without surcharges (no compounding). Nothing accrues on a date that
 * falls inside a collection deferral (지방세징수법 §28).
 */
import { addDays, afterMonthsFrom, inRange, isAfter, isBefore, type DateRange, type LocalDate } from './dates';
import { Decimal, floorWon, truncateUnder10Won, won, ZERO } from './money';

export interface DatedRate {
  /** First accrual date this rate applies to. */
  from: LocalDate;
  rate: Decimal;
}

export interface SurchargeRegime {
  name: string;
  /** Liabilities arising on or after this date use the regime (the newest matching one wins). */
  liabilitiesFrom: LocalDate;
  initialRate: Decimal;
  /** Monthly rates by accrual date, any order. */
  monthlyRates: DatedRate[];
  maxMonths: number;
  /** The monthly part applies only where the bill's tax is at least this much. */
  monthlyThreshold: Decimal;
}

// Pure (annotated): a bundle that never computes a surcharge leaves the table and decimal.js out.
export const SURCHARGE_REGIMES: readonly SurchargeRegime[] = [
  {
    name: '가산금',
    liabilitiesFrom: '1900-01-01',
    initialRate: /* @__PURE__ */ new Decimal('0.03'),
    monthlyRates: [
      { from: '1900-01-01', rate: /* @__PURE__ */ new Decimal('0.012') },
      { from: '2019-01-01', rate: /* @__PURE__ */ new Decimal('0.0075') },
    ],
    maxMonths: 60,
    monthlyThreshold: /* @__PURE__ */ won('300000'),
  },
  {
    name: '납부지연가산세',
    liabilitiesFrom: '2024-01-01',
    initialRate: /* @__PURE__ */ new Decimal('0.03'),
    monthlyRates: [{ from: '2024-01-01', rate: /* @__PURE__ */ new Decimal('0.0066') }],
    maxMonths: 60,
    monthlyThreshold: /* @__PURE__ */ won('450000'),
  },
];

export function regimeFor(
  liabilityDate: LocalDate,
  regimes: readonly SurchargeRegime[] = SURCHARGE_REGIMES,
): SurchargeRegime {
  const applicable = regimes.filter((r) => !isBefore(liabilityDate, r.liabilitiesFrom));
  const chosen = applicable.sort((a, b) => (a.liabilitiesFrom < b.liabilitiesFrom ? -1 : 1)).at(-1);
  if (!chosen) throw new Error(`no surcharge regime covers a liability of ${liabilityDate}`);
  return chosen;
}

function monthlyRateOn(regime: SurchargeRegime, date: LocalDate): Decimal {
  const rate = [...regime.monthlyRates]
    .sort((a, b) => (a.from < b.from ? -1 : 1))
    .filter((r) => !isBefore(date, r.from))
    .at(-1);
  if (!rate) throw new Error(`${regime.name} has no monthly rate for ${date}`);
  return rate.rate;
}

export interface SurchargeInput {
  /** The bill's payment deadline; the first surcharge accrues the day after. */
  dueDate: LocalDate;
  /** When the liability arose (picks the regime); defaults to the due date. */
  liabilityDate?: LocalDate;
  /** The tax on the notice (for the monthly threshold). */
  assessedTax: Decimal;
  /** Unpaid tax without surcharges: the base. */
  unpaidTax: Decimal;
  deferrals: DateRange[];
}

export interface SurchargeOptions {
  truncateUnder10Won: boolean;
  regimes?: readonly SurchargeRegime[];
}

/** One accrual: the day it accrues and its amount. */
export interface Accrual {
  on: LocalDate;
  kind: 'INITIAL' | 'MONTHLY';
  amount: Decimal;
}

function rounded(amount: Decimal, options: SurchargeOptions): Decimal {
  const whole = floorWon(amount);
  return options.truncateUnder10Won ? truncateUnder10Won(whole) : whole;
}

/**
 * Accruals that happen after `since` and on or before `until`. The initial charge accrues the day
 * after the deadline; the k-th monthly charge on the day after k months, counted from the day after
 * the deadline, have passed (민법 §157, §160 via 지방세기본법 §23; docs/LEGAL.md "Counting months"):
 * due 11-30 gives 3% on 12-01 and the first monthly charge on 01-01.
 * Each accrual is rounded on its own (as each month's charge is notified on its own).
 */
export function accrualsBetween(
  input: SurchargeInput,
  since: LocalDate,
  until: LocalDate,
  options: SurchargeOptions,
): Accrual[] {
  if (input.unpaidTax.lte(0)) return [];
  const regime = regimeFor(input.liabilityDate ?? input.dueDate, options.regimes);
  const deferred = (date: LocalDate) => input.deferrals.some((r) => inRange(date, r));
  const due = (date: LocalDate) => isAfter(date, since) && !isAfter(date, until) && !deferred(date);
  const accruals: Accrual[] = [];

  const initialOn = addDays(input.dueDate, 1);
  if (due(initialOn))
    accruals.push({
      on: initialOn,
      kind: 'INITIAL',
      amount: rounded(input.unpaidTax.mul(regime.initialRate), options),
    });

  if (input.assessedTax.gte(regime.monthlyThreshold)) {
    for (let k = 1; k <= regime.maxMonths; k++) {
      const on = afterMonthsFrom(initialOn, k);
      if (isAfter(on, until)) break;
      if (!due(on)) continue;
      accruals.push({ on, kind: 'MONTHLY', amount: rounded(input.unpaidTax.mul(monthlyRateOn(regime, on)), options) });
    }
  }
  return accruals;
}

/** Surcharge that accrues after `since` up to `until` (zero when `until` is not later). */
export function projectedSurcharge(
  input: SurchargeInput,
  since: LocalDate,
  until: LocalDate,
  options: SurchargeOptions,
): Decimal {
  return accrualsBetween(input, since, until, options).reduce((total, a) => total.add(a.amount), ZERO);
}
