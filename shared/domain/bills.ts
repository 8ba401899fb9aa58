/**
 * Bills and what is owed on them. A bill is one notice for one tax item; it carries three
 * components. The city is the source of truth for assessed amounts: a case stores them as the city
 * sent them (`AssessedBill`); a `Bill` is one as of a date, with surcharges accrued since the
 * city's figure and the credits applied (account.ts; docs/LEGAL.md "Payments are dated facts").
 */
import type { DateRange, LocalDate } from './dates';
import { isAfter } from './dates';
import type { Decimal } from './money';
import { sum, ZERO } from './money';
import { projectedSurcharge, type SurchargeOptions } from './surcharges';

/** 체납처분비 (disposition costs), tax without surcharges, surcharges (가산세 / 가산금). */
export type Component = 'COST' | 'TAX' | 'SURCHARGE';
export const COMPONENTS: readonly Component[] = ['COST', 'TAX', 'SURCHARGE'];

export interface Amounts {
  assessed: Decimal;
  paid: Decimal;
}

export interface Bill {
  billId: string;
  /** e.g. 지방소득세, 자동차세, 재산세. */
  taxItem: string;
  /** A provincial tax (도세) the city collects on delegation: applied before the city's own (징수법 §4②). */
  provincial: boolean;
  /** When the liability arose; picks the surcharge regime. Defaults to the due date. */
  liabilityDate?: LocalDate;
  dueDate: LocalDate;
  cost: Amounts;
  tax: Amounts;
  surcharge: Amounts;
  /** The date up to which `surcharge.assessed` already counts accruals (the city's figure). */
  surchargeAsOf: LocalDate;
}

/** The city's figures for one bill, stored as sent: never a projected surcharge, never a payment. */
export interface AssessedBill {
  billId: string;
  taxItem: string;
  provincial: boolean;
  liabilityDate?: LocalDate;
  dueDate: LocalDate;
  cost: Decimal;
  tax: Decimal;
  surcharge: Decimal;
  /** The date up to which the city's surcharge figure counts accruals. */
  surchargeAsOf: LocalDate;
}

/** What names a bill, whichever amounts go with it: the fields the stored, replayed and shown bills share. */
export type BillHead = Pick<AssessedBill, 'billId' | 'taxItem' | 'provincial' | 'liabilityDate' | 'dueDate'>;
export const billHead = (b: BillHead): BillHead => ({
  billId: b.billId,
  taxItem: b.taxItem,
  provincial: b.provincial,
  ...(b.liabilityDate ? { liabilityDate: b.liabilityDate } : {}),
  dueDate: b.dueDate,
});

/** The earliest date the bill is known to exist: the liability date, or the due date when the city gave none. */
export const billExistsFrom = (b: Pick<AssessedBill, 'liabilityDate' | 'dueDate'>): LocalDate =>
  b.liabilityDate ?? b.dueDate;

export interface ArrearsLine {
  billId: string;
  component: Component;
  provincial: boolean;
  dueDate: LocalDate;
  outstanding: Decimal;
}

export const outstanding = (a: Amounts): Decimal => a.assessed.sub(a.paid);

export function componentOf(bill: Bill, component: Component): Amounts {
  return component === 'COST' ? bill.cost : component === 'TAX' ? bill.tax : bill.surcharge;
}

/**
 * The bill with surcharges projected up to `date` written into its assessed surcharge. Applying
 * money on a date first brings the bill forward to it, so what is paid matches what is owed then.
 */
export function bringForward(bill: Bill, date: LocalDate, deferrals: DateRange[], options: SurchargeOptions): Bill {
  if (!isAfter(date, bill.surchargeAsOf)) return bill;
  const added = projectedSurcharge(
    {
      dueDate: bill.dueDate,
      liabilityDate: bill.liabilityDate,
      assessedTax: bill.tax.assessed,
      unpaidTax: outstanding(bill.tax),
      deferrals,
    },
    bill.surchargeAsOf,
    date,
    options,
  );
  return {
    ...bill,
    surcharge: { ...bill.surcharge, assessed: bill.surcharge.assessed.add(added) },
    surchargeAsOf: date,
  };
}

/** One line per bill and component that still has something owed. */
export function arrearsLines(bills: readonly Bill[]): ArrearsLine[] {
  return bills.flatMap((bill) =>
    COMPONENTS.map((component) => ({
      billId: bill.billId,
      component,
      provincial: bill.provincial,
      dueDate: bill.dueDate,
      outstanding: outstanding(componentOf(bill, component)),
    })).filter((line) => line.outstanding.gt(0)),
  );
}

export function totalOutstanding(bills: readonly Bill[]): Decimal {
  return sum(arrearsLines(bills).map((l) => l.outstanding));
}

/** Arrears (unpaid tax + 체납처분비 + surcharges, 기본법 §2①) as of a date. */
export function arrearsAsOf(
  bills: readonly Bill[],
  date: LocalDate,
  deferrals: DateRange[],
  options: SurchargeOptions,
): Decimal {
  return totalOutstanding(bills.map((b) => bringForward(b, date, deferrals, options)));
}

export function newAmounts(assessed: Decimal, paid: Decimal = ZERO): Amounts {
  return { assessed, paid };
}
