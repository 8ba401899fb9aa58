/**
 * Releases: coins going back to the taxpayer by withdrawal from the city's exchange account.
 *
 * PENDING → (destination recorded, two officers approve) → APPROVED → SENDING → SENT → DONE | FAILED
 *
 * The exchange takes no client key for a withdrawal, so the record is SENDING before the request
 * goes out; after any doubt the withdrawal is looked for in the currency's recent withdrawals
 * (amount, network, time) and only when it is not there after a quiet period may it go out again.
 * A FAILED release (refused address, failed withdrawal) takes a new destination and new approvals.
 * Pure: no AWS, no clock; every change returns a new record with `revision` + 1.
 */
import type { Actor } from './case';
import { addApproval, FourEyesError, isApproved, type Approval } from './four-eyes';
import type { Decimal } from './money';
import type { ReleaseReason } from './notices';

export type ReleaseStatus = 'PENDING' | 'APPROVED' | 'SENDING' | 'SENT' | 'DONE' | 'FAILED';

/** Still the city's coins at the exchange (the reconciliation counts them). */
export const OPEN_RELEASE_STATUSES: readonly ReleaseStatus[] = ['PENDING', 'APPROVED', 'SENDING', 'SENT', 'FAILED'];

/** Where the taxpayer wants the coins: an address the city registered at the exchange. */
export interface Destination {
  /** The exchange or wallet the address belongs to, as the taxpayer named it (e.g. `upbit`). */
  exchange: string;
  netType: string;
  address: string;
  secondaryAddress?: string;
  recordedBy: string;
  recordedAt: string;
}

/** One attempt that went out (or may have): what was asked, and what became of it. */
export interface WithdrawalAttempt {
  sendingAt: string;
  amount: Decimal;
  fee: Decimal;
  transactionType: 'default' | 'internal';
  uuid?: string;
  txid?: string;
  state?: string;
  doneAt?: string;
}

export interface ReleaseWork {
  cityId: string;
  caseId: string;
  releaseId: string;
  market: string;
  quantity: Decimal;
  reason: ReleaseReason;
  createdAt: string;
  status: ReleaseStatus;
  /** Incremented by every change; the store writes only over the revision it read. */
  revision: number;
  destination?: Destination;
  approvals: Approval[];
  withdrawal?: WithdrawalAttempt;
  /** Earlier attempts that ended without coins leaving (failed, refused, absent after doubt). */
  history: string[];
  failure?: string;
  updatedAt: string;
}

export class ReleaseRuleError extends Error {
  override readonly name = 'ReleaseRuleError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const currencyOf = (market: string): string => market.slice(market.indexOf('-') + 1);

/** The exchange's fee per withdrawal; a transfer to an account at the same exchange (internal) costs none. */
export interface WithdrawalFees {
  /** The exchange the city's account is at: a destination there is an internal transfer. */
  readonly venueId: string;
  fee(currency: string, transactionType: 'default' | 'internal'): Decimal;
}

/** What withdrawing the release to a destination asks of the exchange: its kind, the fee, what arrives. */
export function withdrawalTerms(
  r: Pick<ReleaseWork, 'market' | 'quantity'>,
  dest: Pick<Destination, 'exchange'>,
  fees: WithdrawalFees,
): { currency: string; transactionType: 'default' | 'internal'; fee: Decimal; amount: Decimal } {
  const currency = currencyOf(r.market);
  const transactionType = dest.exchange.toLowerCase() === fees.venueId.toLowerCase() ? 'internal' : 'default';
  const fee = fees.fee(currency, transactionType);
  return { currency, transactionType, fee, amount: r.quantity.sub(fee) };
}

/** Dust the fee would swallow: only an internal transfer (no fee) can return it. */
export function belowFee(
  r: Pick<ReleaseWork, 'quantity'>,
  terms: ReturnType<typeof withdrawalTerms>,
  venueId: string,
): ReleaseRuleError {
  return new ReleaseRuleError(
    'BELOW_FEE',
    `${r.quantity.toFixed()} ${terms.currency} does not cover the withdrawal fee ${terms.fee.toFixed()}; an account at ${venueId} takes it without a fee`,
  );
}

function next(r: ReleaseWork, at: string, change: Partial<ReleaseWork>): ReleaseWork {
  return { ...r, ...change, revision: r.revision + 1, updatedAt: at };
}

function officer(actor: Actor, what: string): void {
  if (actor.kind !== 'OFFICER') throw new ReleaseRuleError('NOT_AN_OFFICER', `only a tax officer may ${what}`);
}

/**
 * An officer records the taxpayer's destination; any earlier approval is void (they approved another
 * address). Given the exchange's fees, a destination whose fee would take all the coins is refused
 * now, not after two officers approved it.
 */
export function recordDestination(
  r: ReleaseWork,
  dest: Omit<Destination, 'recordedBy' | 'recordedAt'>,
  actor: Actor,
  now: Date,
  fees?: WithdrawalFees,
): ReleaseWork {
  officer(actor, 'record a destination');
  if (r.status !== 'PENDING' && r.status !== 'FAILED')
    throw new ReleaseRuleError(
      'ILLEGAL_RELEASE_STATE',
      `a destination cannot be changed when the release is ${r.status}`,
    );
  if (fees) {
    const terms = withdrawalTerms(r, dest, fees);
    if (terms.amount.lte(0)) throw belowFee(r, terms, fees.venueId);
  }
  const at = now.toISOString();
  const history = r.status === 'FAILED' ? [...r.history, `${at} ${r.failure ?? 'failed'}`] : r.history;
  const { withdrawal: _done, failure: _failure, ...rest } = r;
  return next(rest, at, {
    status: 'PENDING',
    destination: { ...dest, recordedBy: actor.id, recordedAt: at },
    approvals: [],
    history,
  });
}

/** Two different officers approve the release to the recorded destination (four eyes). */
export function approveRelease(r: ReleaseWork, actor: Actor, now: Date): ReleaseWork {
  officer(actor, 'approve a release');
  if (r.status !== 'PENDING')
    throw new ReleaseRuleError('ILLEGAL_RELEASE_STATE', `a release cannot be approved when it is ${r.status}`);
  if (!r.destination)
    throw new ReleaseRuleError('NO_DESTINATION', 'record the taxpayer’s destination before approving');
  const at = now.toISOString();
  try {
    const { approvals, complete } = addApproval(r.approvals, { by: actor.id, at });
    return next(r, at, { approvals, status: complete ? 'APPROVED' : 'PENDING' });
  } catch (e) {
    if (e instanceof FourEyesError) throw new ReleaseRuleError(e.code, e.message);
    throw e;
  }
}

/** The destination is not on the account's allow list: refused before anything is sent. */
export function refuseRelease(r: ReleaseWork, reason: string, now: Date): ReleaseWork {
  if (r.status !== 'APPROVED')
    throw new ReleaseRuleError('ILLEGAL_RELEASE_STATE', `only an approved release can be refused, not ${r.status}`);
  return next(r, now.toISOString(), { status: 'FAILED', failure: reason });
}

/** Marked before the withdrawal request goes out, with exactly what will be asked. */
export function startSending(
  r: ReleaseWork,
  ask: { amount: Decimal; fee: Decimal; transactionType: 'default' | 'internal' },
  now: Date,
): ReleaseWork {
  if (r.status !== 'APPROVED' || !r.destination || !isApproved(r.approvals))
    throw new ReleaseRuleError('NOT_APPROVED', `release ${r.releaseId} is not approved by two officers`);
  if (ask.amount.lte(0))
    throw new ReleaseRuleError(
      'BELOW_FEE',
      `${r.quantity.toFixed()} does not cover the withdrawal fee ${ask.fee.toFixed()}`,
    );
  const at = now.toISOString();
  return next(r, at, { status: 'SENDING', withdrawal: { sendingAt: at, ...ask } });
}

export interface WithdrawalView {
  uuid: string;
  currency: string;
  netType: string;
  state: string;
  amount: Decimal;
  txid?: string;
  createdAt: Date;
  doneAt?: Date;
}

const FINAL_OK = new Set(['DONE']);
const FINAL_FAILED = new Set(['FAILED', 'CANCELLED', 'REJECTED']);

/** The exchange's record of the withdrawal (from its answer, a lookup, or the list): the release follows it. */
export function followWithdrawal(r: ReleaseWork, w: WithdrawalView, now: Date): ReleaseWork {
  if ((r.status !== 'SENDING' && r.status !== 'SENT') || !r.withdrawal)
    throw new ReleaseRuleError('ILLEGAL_RELEASE_STATE', `release ${r.releaseId} is ${r.status}`);
  if (r.withdrawal.uuid !== undefined && r.withdrawal.uuid !== w.uuid)
    throw new ReleaseRuleError(
      'OTHER_WITHDRAWAL',
      `release ${r.releaseId} follows ${r.withdrawal.uuid}, not ${w.uuid}`,
    );
  const withdrawal: WithdrawalAttempt = {
    ...r.withdrawal,
    uuid: w.uuid,
    state: w.state,
    ...(w.txid ? { txid: w.txid } : {}),
    ...(w.doneAt ? { doneAt: w.doneAt.toISOString() } : {}),
  };
  const status: ReleaseStatus = FINAL_OK.has(w.state) ? 'DONE' : FINAL_FAILED.has(w.state) ? 'FAILED' : 'SENT';
  return next(r, now.toISOString(), {
    status,
    withdrawal,
    ...(status === 'FAILED' ? { failure: `withdrawal ${w.uuid} ${w.state}` } : {}),
  });
}

/** The request was refused outright by the exchange (nothing was created): the release fails with the reason. */
export function withdrawalRefused(r: ReleaseWork, reason: string, now: Date): ReleaseWork {
  if (r.status !== 'SENDING')
    throw new ReleaseRuleError('ILLEGAL_RELEASE_STATE', `release ${r.releaseId} is ${r.status}`);
  return next(r, now.toISOString(), { status: 'FAILED', failure: reason });
}

/**
 * After a doubt, the currency's recent withdrawals were searched and none is this one, long enough
 * after the request that it would show: it never reached the exchange, and may be asked again.
 */
export function absentAfterDoubt(r: ReleaseWork, now: Date): ReleaseWork {
  if (r.status !== 'SENDING' || !r.withdrawal || r.withdrawal.uuid)
    throw new ReleaseRuleError('ILLEGAL_RELEASE_STATE', `release ${r.releaseId} is not in doubt`);
  const at = now.toISOString();
  const { withdrawal: _gone, ...rest } = r;
  return next(rest, at, {
    status: 'APPROVED',
    history: [...r.history, `${at} request of ${r.withdrawal.sendingAt} not found at the exchange`],
  });
}

/** Seconds of clock difference tolerated between our `sendingAt` and the exchange's `created_at`. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * The withdrawal a release in doubt became, among the currency's recent ones: same currency,
 * network and amount, created after the request went out, not claimed by another release. The
 * answer carries no address, which is why one withdrawal per currency is in flight at a time.
 */
export function matchWithdrawal(
  r: ReleaseWork,
  list: readonly WithdrawalView[],
  claimed: ReadonlySet<string>,
): WithdrawalView | undefined {
  const ask = r.withdrawal;
  if (!ask || !r.destination) return undefined;
  const since = new Date(ask.sendingAt).getTime() - CLOCK_SKEW_MS;
  return list
    .filter(
      (w) =>
        w.currency === currencyOf(r.market) &&
        w.netType === r.destination?.netType &&
        w.amount.eq(ask.amount) &&
        w.createdAt.getTime() >= since &&
        !claimed.has(w.uuid),
    )
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
}

/** Whether the destination is on the account's allow list (currency, network, address, secondary address). */
export function isAllowListed(
  r: Pick<ReleaseWork, 'market' | 'destination'>,
  allowed: readonly { currency: string; netType: string; address: string; secondaryAddress?: string }[],
): boolean {
  const d = r.destination;
  if (!d) return false;
  return allowed.some(
    (a) =>
      a.currency === currencyOf(r.market) &&
      a.netType === d.netType &&
      a.address === d.address &&
      (a.secondaryAddress ?? undefined) === (d.secondaryAddress ?? undefined),
  );
}
