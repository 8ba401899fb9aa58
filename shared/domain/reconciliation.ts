/**
 * Custody reconciliation: what the exchange account holds (balance + locked, per currency) against
 * what the ledger says the city holds there: coins in custody over open cases, coins of releases not
 * yet done, and KRW proceeds not yet moved to the treasury. Pure: the caller gathers both sides.
 */
import { Decimal, ZERO } from './money';

export interface Difference {
  currency: string;
  exchange: Decimal;
  ledger: Decimal;
  /** exchange − ledger: positive, the account holds more than recorded (an unrecorded fill or deposit). */
  difference: Decimal;
}

export interface Reconciliation {
  at: string;
  exchange: Record<string, Decimal>;
  ledger: Record<string, Decimal>;
  differences: Difference[];
  /** A sale was running: fills may be on the exchange and not yet settled in the ledger. */
  salesRunning: boolean;
}

export const exchangeMatchesLedger = (r: Pick<Reconciliation, 'differences'>): boolean => r.differences.length === 0;

/** Adds quantities into a per-currency total (a small helper both sides use). */
export function addTo(totals: Record<string, Decimal>, currency: string, amount: Decimal): void {
  totals[currency] = (totals[currency] ?? ZERO).add(amount);
}

export function reconcile(
  balances: readonly { currency: string; balance: Decimal; locked: Decimal }[],
  ledger: Readonly<Record<string, Decimal>>,
  at: string,
  salesRunning = false,
): Reconciliation {
  const exchange: Record<string, Decimal> = {};
  for (const b of balances) addTo(exchange, b.currency, b.balance.add(b.locked));
  const currencies = [...new Set([...Object.keys(exchange), ...Object.keys(ledger)])].sort();
  const differences = currencies
    .map((currency) => {
      const onExchange = exchange[currency] ?? ZERO;
      const inLedger = ledger[currency] ?? ZERO;
      return { currency, exchange: onExchange, ledger: inLedger, difference: onExchange.sub(inLedger) };
    })
    .filter((d) => !d.difference.isZero());
  return { at, exchange, ledger: { ...ledger }, differences, salesRunning };
}
