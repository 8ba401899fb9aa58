/**
 * Applying money (a payment, net sale proceeds) to what is owed, in the legal order of
 * 지방세징수법 §4: ① 체납처분비, then tax without surcharges, then surcharges (가산세);
 * ② a provincial tax collected on delegation before the city's own. Within a rank the oldest due
 * date goes first (a stated default), then the bill id so the order is total.
 * Anything left after every line is paid is a surplus refunded to the taxpayer (§99③).
 * Invariant: sum(allocations) + refund = money in, to the won.
 */
import type { ArrearsLine, Bill, Component } from './bills';
import { componentOf } from './bills';
import type { Decimal } from './money';
import { InvalidAmountError, min, ZERO } from './money';

export interface Allocation {
  billId: string;
  component: Component;
  amount: Decimal;
}

export interface AllocationResult {
  allocations: Allocation[];
  refund: Decimal;
}

const RANK: Record<Component, number> = { COST: 1, TAX: 2, SURCHARGE: 3 };

export function legalOrder(a: ArrearsLine, b: ArrearsLine): number {
  return (
    RANK[a.component] - RANK[b.component] ||
    Number(b.provincial) - Number(a.provincial) ||
    (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0) ||
    (a.billId < b.billId ? -1 : a.billId > b.billId ? 1 : 0)
  );
}

export function allocate(moneyIn: Decimal, lines: readonly ArrearsLine[]): AllocationResult {
  if (!moneyIn.isInteger() || moneyIn.isNeg())
    throw new InvalidAmountError(`money in must be whole, non-negative won: ${moneyIn.toFixed()}`);
  let left = moneyIn;
  const allocations: Allocation[] = [];
  for (const line of [...lines].sort(legalOrder)) {
    if (left.isZero()) break;
    const amount = min(left, line.outstanding);
    if (amount.lte(0)) continue;
    allocations.push({ billId: line.billId, component: line.component, amount });
    left = left.sub(amount);
  }
  return { allocations, refund: left };
}

/** The bills with the allocations recorded as paid. */
export function applyAllocations(bills: readonly Bill[], allocations: readonly Allocation[]): Bill[] {
  return bills.map((bill) => {
    const mine = allocations.filter((a) => a.billId === bill.billId);
    if (mine.length === 0) return bill;
    const next: Bill = { ...bill, cost: { ...bill.cost }, tax: { ...bill.tax }, surcharge: { ...bill.surcharge } };
    for (const a of mine) {
      const amounts = componentOf(next, a.component);
      amounts.paid = amounts.paid.add(a.amount);
    }
    return next;
  });
}

export const allocatedTotal = (allocations: readonly Allocation[]): Decimal =>
  allocations.reduce((t, a) => t.add(a.amount), ZERO);
