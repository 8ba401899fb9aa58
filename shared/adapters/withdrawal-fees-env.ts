/**
 * WITHDRAWAL_FEES: the exchange's published fee per withdrawal, in coins by currency. The release
 * function takes it from the released quantity; the API refuses a destination whose fee would take
 * all of it (withdrawalTerms in shared/domain/release.ts). Apart from env.ts: it needs decimal.js.
 */
import { decimal, InvalidAmountError, ZERO, type Decimal } from '#domain/money';
import type { WithdrawalFees } from '#domain/release';
import { ConfigError, envVar, parseJsonObject } from './env';

/** Upbit's published fees per withdrawal (coins): what the stack deploys unless told otherwise. */
export const DEFAULT_WITHDRAWAL_FEES: Readonly<Record<string, string>> = { BTC: '0.0005', ETH: '0.01', XRP: '1' };

/** The fee table (a currency not in it withdraws free; unset: none). */
export const withdrawalFeesVar = () =>
  envVar((text): Record<string, Decimal> => {
    try {
      return Object.fromEntries(Object.entries(parseJsonObject(text) ?? {}).map(([c, f]) => [c, decimal(String(f))]));
    } catch (error) {
      if (error instanceof InvalidAmountError) throw new ConfigError('must map currencies to decimal strings');
      throw error;
    }
  });

/** The fees as the domain asks for them: an internal transfer (to an account at `venueId`) is free. */
export const withdrawalFees = (fees: Readonly<Record<string, Decimal>>, venueId: string): WithdrawalFees => ({
  venueId,
  fee: (currency, transactionType) => (transactionType === 'internal' ? ZERO : (fees[currency] ?? ZERO)),
});
