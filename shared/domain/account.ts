/**
 * What a case owes on a date, computed from facts only (docs/LEGAL.md "Payments are dated facts"):
 * the city's assessed figures per bill and the dated credits (payments received, net sale proceeds).
 * Nothing projected is ever stored; the account is replayed whenever it is needed.
 *
 * Replay: credits in date order (same day: in the order recorded). Before each credit, surcharges
 * accrue on the tax then unpaid up to the credit's date; the credit is then applied in the legal
 * order (allocation.ts) and any surplus is that credit's refund. A payment reported late therefore
 * stops the accruals on the tax it paid from its own date, and adding a credit never raises what is
 * owed: tax and 체납처분비 are paid first, and only unpaid tax accrues.
 */
import { allocate, applyAllocations, type Allocation } from './allocation';
import { arrearsLines, billHead, bringForward, totalOutstanding, type AssessedBill, type Bill } from './bills';
import { compareDates, isAfter, type DateRange, type LocalDate } from './dates';
import type { Decimal } from './money';
import { sum, ZERO } from './money';
import type { SurchargeOptions } from './surcharges';

/** Money received for a case, on the day it was received: the fact the account is built from. */
export interface Credit {
  /** The payment id or the sale id. */
  source: string;
  kind: 'PAYMENT' | 'SALE';
  amount: Decimal;
  on: LocalDate;
}

/** How one credit was applied in the replay. */
export interface Application {
  source: string;
  on: LocalDate;
  allocations: Allocation[];
  refund: Decimal;
}

export interface Account {
  /** The bills as of the date: assessed = the city's figures plus surcharges accrued since, paid = applied credits. */
  bills: Bill[];
  applications: Application[];
}

/** The bill as the city assessed it, nothing yet applied. */
export function openBill(b: AssessedBill): Bill {
  return {
    ...billHead(b),
    cost: { assessed: b.cost, paid: ZERO },
    tax: { assessed: b.tax, paid: ZERO },
    surcharge: { assessed: b.surcharge, paid: ZERO },
    surchargeAsOf: b.surchargeAsOf,
  };
}

/** The account as of a date: credits dated after it are left out, surcharges accrue up to it. */
export function accountAsOf(
  assessed: readonly AssessedBill[],
  credits: readonly Credit[],
  date: LocalDate,
  deferrals: DateRange[],
  options: SurchargeOptions,
): Account {
  let bills = assessed.map(openBill);
  const applications: Application[] = [];
  const ordered = credits
    .map((credit, i) => ({ credit, i }))
    .filter(({ credit }) => !isAfter(credit.on, date))
    .sort((a, b) => compareDates(a.credit.on, b.credit.on) || a.i - b.i);
  for (const { credit } of ordered) {
    bills = bills.map((b) => bringForward(b, credit.on, deferrals, options));
    const { allocations, refund } = allocate(credit.amount, arrearsLines(bills));
    bills = applyAllocations(bills, allocations);
    applications.push({ source: credit.source, on: credit.on, allocations, refund });
  }
  return { bills: bills.map((b) => bringForward(b, date, deferrals, options)), applications };
}

/** The latest date the facts speak of: the newest city figure or credit (no projection beyond it). */
export function factsDate(assessed: readonly AssessedBill[], credits: readonly Credit[]): LocalDate {
  return [...assessed.map((b) => b.surchargeAsOf), ...credits.map((c) => c.on)].sort().at(-1) ?? '1900-01-01';
}

export const owed = (account: Account): Decimal => totalOutstanding(account.bills);
export const refunded = (account: Account): Decimal => sum(account.applications.map((a) => a.refund));
export const recovered = (account: Account): Decimal =>
  sum(account.applications.flatMap((a) => a.allocations.map((x) => x.amount)));
