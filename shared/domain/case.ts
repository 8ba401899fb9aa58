/**
 * The case lifecycle. Every transition is a pure function: it checks its preconditions and returns
 * the new case with what it causes (an audit entry, notices to send, ledger entries, coins to
 * release). An illegal transition throws a typed error; nothing is silently ignored.
 *
 * REGISTERED → TRANSFER_REQUESTED → IN_CUSTODY → NOTICE_SENT → DUE → SELLING → SETTLED | SHORTFALL
 * and from any open state: PAID, ON_HOLD (sale blocked, deadline suspended), CANCELLED.
 */
import { accountAsOf, factsDate, owed, recovered, refunded, type Account, type Credit } from './account';
import type { Allocation } from './allocation';
import { approvalComplete, fourEyesRefusal } from './four-eyes';
import { billExistsFrom, totalOutstanding, type AssessedBill, type Bill } from './bills';
import type { CitySettings } from './city-settings';
import { addDays, daysBetween, isAfter, isBefore, kstDate, type DateRange, type LocalDate } from './dates';
import { Decimal, floorWon, sum, ZERO } from './money';
import {
  preSaleNotice,
  refundNotice,
  releaseNotice,
  reminderNotice,
  saleResultNotice,
  seizureNotices,
  type NoticeSubject,
} from './notice-builders';
import type { NoticeContent, NoticeKind, ReleaseReason } from './notices';
import type { RefundInstruction } from './refunds';
import { CASE_STATUSES, type CaseStatus } from './case-status';

export type { CaseStatus };

/** Closed for good: nothing more may happen to the case. */
export const CLOSED_STATUSES: readonly CaseStatus[] = ['SETTLED', 'PAID', 'CANCELLED'];
export const isClosed = (status: CaseStatus): boolean => CLOSED_STATUSES.includes(status);
/** Every status but the closed ones, in the order of a case's life. */
export const OPEN_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => !isClosed(s));

/** Appeal or lawsuit (징수법 §71⑤), collection deferral (§28③), disposition deferral (§105). */
export type HoldKind = 'APPEAL' | 'LAWSUIT' | 'COLLECTION_DEFERRAL' | 'DISPOSITION_DEFERRAL';

export interface Hold {
  holdId: string;
  kind: HoldKind;
  reason: string;
  from: LocalDate;
  /** Set when the hold is lifted. */
  to?: LocalDate;
}

export interface Holding {
  /** Exchange market code, e.g. KRW-BTC. */
  market: string;
  seized: Decimal;
  inCustody: Decimal;
  sold: Decimal;
  released: Decimal;
}

export interface Taxpayer {
  /** The city system's reference for the taxpayer; no resident number is ever stored. */
  ref: string;
  name: string;
  contact: { phone?: string; email?: string; address?: string };
}

export interface SaleRequest {
  requestId: string;
  requestedAt: string;
  /** Who relayed or made the request (four eyes: they may not approve the sale). */
  requestedBy?: string;
  /** The taxpayer's own floor price per coin, by market. */
  limitPrices: Record<string, Decimal>;
  /** That the taxpayer asked: selling before the deadline rests on it. */
  evidence: SaleRequestEvidence;
}

/** SELF_SERVICE: the taxpayer asked on the self-service page themselves (only that page's API records it). */
export type SaleRequestChannel = 'IN_PERSON' | 'PHONE' | 'MAIL' | 'EMAIL' | 'ONLINE' | 'SELF_SERVICE';

/** Who took the taxpayer's request, when, and how (kept with the case and in its audit trail). */
export interface SaleRequestEvidence {
  /** The city employee (or system) who received it and relayed it. */
  relayedBy: string;
  /** When the taxpayer made the request. */
  receivedAt: string;
  channel: SaleRequestChannel;
  /** The city's own reference to the written request, call record or form, if any. */
  reference?: string;
}

export interface SaleApproval {
  saleId: string;
  /** Each approving officer's verified identity and when they approved (four-eyes.ts: at most two). */
  approvals: { by: string; at: string }[];
}

/** An officer's request to end the running sale (the workflow stops at its next check and settles). */
export interface SaleStop {
  saleId: string;
  by: string;
  at: string;
  reason: string;
}

export interface PreSaleNoticeHold {
  by: string;
  at: string;
  reason: string;
}

/**
 * Service of a notice (지방세기본법 §32, §33): it takes effect the day it reaches the taxpayer; after
 * a failed delivery, public notice takes effect 14 days after posting. `effectiveOn` is set by
 * whichever comes first.
 */
export interface NoticeService {
  noticeId: string;
  issuedOn: LocalDate;
  deliveredOn?: LocalDate;
  /** The last failed delivery: its date and the post office's (or provider's) reason. */
  failed?: { on: LocalDate; reason: string };
  publicNotice?: { postedOn: LocalDate; effectiveOn: LocalDate; orderedBy: string };
  effectiveOn?: LocalDate;
}

/** 기본법 §33②: public notice takes effect 14 days after it is posted. */
export const PUBLIC_NOTICE_DAYS = 14;

export interface Case {
  cityId: string;
  caseId: string;
  /** The city system's own reference for the case (its case number): one open case per reference and city. */
  cityCaseRef: string;
  taxpayer: Taxpayer;
  status: CaseStatus;
  /** Incremented by every transition; the store writes only over the version it read. */
  version: number;
  /** The city's figures, as it sent them (docs/LEGAL.md "Payments are dated facts"). */
  bills: AssessedBill[];
  /** Money received, dated: payments and net sale proceeds. What is owed is replayed from these. */
  credits: Credit[];
  /** Derived from the facts up to their latest date (never projected beyond), kept for listings and reports. */
  balance: CaseBalance;
  holdings: Holding[];
  holds: Hold[];
  /** The state a hold interrupted, to return to when the last hold is lifted. */
  resumeStatus?: CaseStatus;
  /** The day custody became complete (the pre-sale notice's waiting period runs from it). */
  custodyOn?: LocalDate;
  /** An officer holds the pre-sale notice back: the daily run skips the case until released. */
  preSaleNoticeHeld?: PreSaleNoticeHold;
  /** The pre-sale notice of the current custody and how it reached (or did not reach) the taxpayer. */
  preSaleNotice?: NoticeService;
  /** The pre-sale notice's deadline, counted from the day it took effect: no forced sale on or before it. */
  deadline?: LocalDate;
  saleRequest?: SaleRequest;
  /** The running (or last) sale, and how many have been started. */
  saleId?: string;
  saleAttempts: number;
  /** Officers' approvals of a sale above the approval threshold (the sale workflow waits for them). */
  saleApproval?: SaleApproval;
  /** An officer asked the running sale to end (kept after it ended, as a record). */
  saleStop?: SaleStop;
  /** Who last changed the bills and the holds: four eyes keeps them from approving a sale of the case. */
  changedBy?: { bills?: string; holds?: string };
  paymentIds: string[];
  refundPayable: Decimal;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export interface CaseBalance {
  /** Owed as of `asOf`, the latest date of a city figure or a credit. */
  owed: Decimal;
  /** Everything applied to the bills so far. */
  recovered: Decimal;
  asOf: LocalDate;
}

export type ActorKind = 'CITY_SYSTEM' | 'OFFICER' | 'TAXPAYER' | 'SYSTEM';
export interface Actor {
  kind: ActorKind;
  id: string;
}

export interface TransitionContext {
  now: Date;
  actor: Actor;
  settings: CitySettings;
}

export interface AuditEntry {
  at: string;
  actor: Actor;
  action: string;
  before: CaseStatus | null;
  after: CaseStatus;
  reason?: string;
  details: Record<string, string>;
}

export type { NoticeKind };

/** A notice to send, its content fixed at the moment it was caused (the outbox record). */
export interface NoticeIntent {
  noticeId: string;
  kind: NoticeKind;
  content: NoticeContent;
}

export type LedgerKind = 'PAYMENT_IN' | 'SALE_GROSS' | 'SALE_FEE' | 'SALE_ROUNDING' | 'ALLOCATION' | 'REFUND';
export interface LedgerEntry {
  kind: LedgerKind;
  /** The payment or sale the money came from. */
  source: string;
  amount: Decimal;
  billId?: string;
  component?: Allocation['component'];
  market?: string;
  quantity?: Decimal;
}

export interface Release {
  market: string;
  quantity: Decimal;
  reason: ReleaseReason;
}

export interface Transition {
  case: Case;
  audit: AuditEntry;
  notices: NoticeIntent[];
  ledger: LedgerEntry[];
  releases: Release[];
  /** A refund the city's system confirmed paid: recorded once, in the same transaction (refunds.ts). */
  refundPaid?: RefundInstruction;
}

export class CaseRuleError extends Error {
  override readonly name: string = 'CaseRuleError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The transition is not allowed from the case's state. */
export class IllegalTransitionError extends CaseRuleError {
  override readonly name = 'IllegalTransitionError';
  constructor(action: string, status: CaseStatus) {
    super('ILLEGAL_TRANSITION', `${action} is not allowed when the case is ${status}`);
  }
}

// ---------------------------------------------------------------- queries

export const today = (ctx: TransitionContext): LocalDate => kstDate(ctx.now);

export const available = (h: Holding): Decimal => h.inCustody.sub(h.sold).sub(h.released);

export function activeHolds(c: Case): Hold[] {
  return c.holds.filter((h) => h.to === undefined);
}

/** Periods in which no surcharge accrues (collection deferrals, 징수법 §28). */
export function deferrals(c: Case): DateRange[] {
  return c.holds
    .filter((h) => h.kind === 'COLLECTION_DEFERRAL')
    .map((h) => ({ from: h.from, ...(h.to ? { to: h.to } : {}) }));
}

function surchargeOptions(settings: CitySettings) {
  return { truncateUnder10Won: settings.truncateUnder10Won };
}

/** The case's account on a date, replayed from the city's figures and the dated credits. */
export function accountOf(
  c: Pick<Case, 'bills' | 'credits' | 'holds'>,
  date: LocalDate,
  settings: CitySettings,
): Account {
  return accountAsOf(c.bills, c.credits, date, deferrals(c as Case), surchargeOptions(settings));
}

/** Bills as of a date: surcharges accrued since the city's figures, credits applied. */
export function billsAsOf(
  c: Pick<Case, 'bills' | 'credits' | 'holds'>,
  date: LocalDate,
  settings: CitySettings,
): Bill[] {
  return accountOf(c, date, settings).bills;
}

/** What a notice shows of the case on a date: its bills as of then. */
const subject = (c: Case, date: LocalDate, settings: CitySettings): NoticeSubject => ({
  ...c,
  bills: billsAsOf(c, date, settings),
});
/** The case as a notice shows it on a day (its bills as of then): for notices built outside a transition. */
export const noticeSubject = subject;

/** The balance kept on the case: as of the latest fact, projected no further. */
export function balanceOf(c: Pick<Case, 'bills' | 'credits' | 'holds'>, settings: CitySettings): CaseBalance {
  const asOf = factsDate(c.bills, c.credits);
  const account = accountOf(c, asOf, settings);
  return { owed: owed(account), recovered: recovered(account), asOf };
}

/** Arrears as of a date: what must be raised to close the case then. */
export function arrears(c: Case, date: LocalDate, settings: CitySettings): Decimal {
  return totalOutstanding(billsAsOf(c, date, settings));
}

export type SaleBlock = 'CLOSED' | 'NOTHING_OWED' | 'ON_HOLD' | 'BEFORE_DEADLINE' | 'NO_COINS';

/**
 * Why a forced sale may not run on a date, or null when it may: only after the deadline (or on the
 * taxpayer's own request), with arrears unpaid and no hold (징수법 §71⑤, §28③, §105).
 */
export function saleBlock(c: Case, date: LocalDate, settings: CitySettings): SaleBlock | null {
  if (isClosed(c.status)) return 'CLOSED';
  if (activeHolds(c).length > 0) return 'ON_HOLD';
  if (arrears(c, date, settings).lte(0)) return 'NOTHING_OWED';
  if (!c.saleRequest && (c.deadline === undefined || !isAfter(date, c.deadline))) return 'BEFORE_DEADLINE';
  if (c.holdings.every((h) => available(h).lte(0))) return 'NO_COINS';
  return null;
}

// ---------------------------------------------------------------- helpers

function allow(c: Case, action: string, allowed: readonly CaseStatus[]): void {
  if (!allowed.includes(c.status)) throw new IllegalTransitionError(action, c.status);
}

/**
 * What a change to the facts does to the books: for every credit, the allocations and refund it has
 * now less those it had before (a new credit: all of it; a late-dated payment or a bill update may
 * move earlier credits' allocations, and money no longer owed becomes a refund, never lost).
 */
export function rebooking(
  before: Case | undefined,
  after: Case,
  settings: CitySettings,
): { ledger: LedgerEntry[]; refundChange: Decimal } {
  const date =
    [factsDate(after.bills, after.credits), ...(before ? [factsDate(before.bills, before.credits)] : [])]
      .sort()
      .at(-1) ?? '1900-01-01';
  const was = before ? accountOf(before, date, settings).applications : [];
  const now = accountOf(after, date, settings).applications;
  const key = (source: string, a: Pick<Allocation, 'billId' | 'component'>) =>
    `${source}\u0000${a.billId}\u0000${a.component}`;
  const previous = new Map<string, Decimal>();
  for (const app of was)
    for (const a of app.allocations)
      previous.set(key(app.source, a), (previous.get(key(app.source, a)) ?? ZERO).add(a.amount));
  const ledger: LedgerEntry[] = [];
  for (const app of now) {
    const seen = new Set<string>();
    for (const a of app.allocations) {
      const k = key(app.source, a);
      seen.add(k);
      const change = a.amount.sub(previous.get(k) ?? ZERO);
      if (!change.isZero())
        ledger.push({
          kind: 'ALLOCATION',
          source: app.source,
          amount: change,
          billId: a.billId,
          component: a.component,
        });
    }
    for (const old of was.filter((w) => w.source === app.source).flatMap((w) => w.allocations)) {
      if (!seen.has(key(app.source, old)))
        ledger.push({
          kind: 'ALLOCATION',
          source: app.source,
          amount: old.amount.neg(),
          billId: old.billId,
          component: old.component,
        });
    }
    const refundChange = app.refund.sub(was.find((w) => w.source === app.source)?.refund ?? ZERO);
    if (!refundChange.isZero()) ledger.push({ kind: 'REFUND', source: app.source, amount: refundChange });
  }
  return {
    ledger,
    refundChange: refunded({ bills: [], applications: now }).sub(refunded({ bills: [], applications: was })),
  };
}

function transition(
  before: Case,
  after: Omit<Case, 'version' | 'updatedAt' | 'balance'> & Partial<Pick<Case, 'version' | 'updatedAt' | 'balance'>>,
  ctx: TransitionContext,
  action: string,
  extra: {
    reason?: string;
    details?: Record<string, string>;
    notices?: NoticeContent[];
    noticeIds?: string[];
    ledger?: LedgerEntry[];
    releases?: Release[];
    /** The notices already tell the taxpayer of any refund (the sale result does). */
    refundNoticed?: boolean;
  } = {},
): Transition {
  const version = before.version + 1;
  // Every change to the facts is booked here, so no transition can lose or invent a won.
  const booked = rebooking(before.version === 0 ? undefined : before, after as Case, ctx.settings);
  const next: Case = {
    ...after,
    version,
    updatedAt: ctx.now.toISOString(),
    refundPayable: after.refundPayable.add(booked.refundChange),
    balance: balanceOf(after, ctx.settings),
  };
  const refundNotices =
    booked.refundChange.gt(0) && !extra.refundNoticed
      ? [refundNotice(subject(next, today(ctx), ctx.settings), booked.refundChange, ctx.settings, today(ctx))]
      : [];
  const notices = [...(extra.notices ?? []), ...refundNotices];
  return {
    case: next,
    audit: {
      at: ctx.now.toISOString(),
      actor: ctx.actor,
      action,
      before: before.version === 0 ? null : before.status,
      after: next.status,
      ...(extra.reason ? { reason: extra.reason } : {}),
      details: extra.details ?? {},
    },
    // Notice ids are derived from the case version (or given), so a retried transition yields the same ids.
    notices: notices.map((content, i) => ({
      noticeId: extra.noticeIds?.[i] ?? `${before.caseId}.v${version}.${i}.${content.kind}`,
      kind: content.kind,
      content,
    })),
    ledger: [...(extra.ledger ?? []), ...booked.ledger],
    releases: extra.releases ?? [],
  };
}

/** Every free coin goes back; coins under orders in doubt (`heldBack`, per market) stay in custody. */
function releaseAll(
  c: Case,
  reason: Release['reason'],
  heldBack: readonly Seizure[] = [],
): { holdings: Holding[]; releases: Release[] } {
  const free = (h: Holding) => {
    const held = sum(heldBack.filter((x) => x.market === h.market).map((x) => x.quantity));
    const q = available(h).sub(held);
    return q.gt(0) ? q : ZERO;
  };
  const releases = c.holdings
    .filter((h) => free(h).gt(0))
    .map((h) => ({ market: h.market, quantity: free(h), reason }));
  const holdings = c.holdings.map((h) => ({ ...h, released: h.released.add(free(h)) }));
  return { holdings, releases };
}

function releaseDetails(releases: Release[]): Record<string, string> {
  return Object.fromEntries(releases.map((r) => [`released:${r.market}`, r.quantity.toFixed()]));
}

// ---------------------------------------------------------------- transitions

export interface RegisterCase {
  cityId: string;
  caseId: string;
  cityCaseRef: string;
  taxpayer: Taxpayer;
  bills: AssessedBill[];
}

export function registerCase(cmd: RegisterCase, ctx: TransitionContext): Transition {
  if (cmd.bills.length === 0) throw new CaseRuleError('NO_BILLS', 'a case needs at least one bill');
  const ids = new Set(cmd.bills.map((b) => b.billId));
  if (ids.size !== cmd.bills.length) throw new CaseRuleError('DUPLICATE_BILL', 'bill ids must be unique within a case');
  const at = ctx.now.toISOString();
  const blank: Case = {
    cityId: cmd.cityId,
    caseId: cmd.caseId,
    cityCaseRef: cmd.cityCaseRef,
    taxpayer: cmd.taxpayer,
    status: 'REGISTERED',
    version: 0,
    bills: cmd.bills,
    credits: [],
    balance: { owed: ZERO, recovered: ZERO, asOf: factsDate(cmd.bills, []) },
    holdings: [],
    holds: [],
    saleAttempts: 0,
    paymentIds: [],
    refundPayable: ZERO,
    createdAt: at,
    updatedAt: at,
  };
  return transition(blank, blank, ctx, 'REGISTER', {
    details: { arrears: balanceOf(blank, ctx.settings).owed.toFixed(0), bills: String(cmd.bills.length) },
  });
}

/**
 * The city replaces its figures for the bills it sends (it is the source of truth); other bills and
 * every credit stay. Credits are re-applied to the new figures: what is no longer owed becomes a
 * refund payable, and a case left owing nothing closes as PAID whatever its open state (a running
 * sale sees nothing owed at its next slice and settles instead). docs/LEGAL.md "Payments are dated facts".
 */
export function updateBills(c: Case, bills: AssessedBill[], ctx: TransitionContext): Transition {
  allow(c, 'UPDATE_BILLS', OPEN_STATUSES);
  const merged = [...bills, ...c.bills.filter((old) => !bills.some((b) => b.billId === old.billId))];
  const next: Case = { ...c, bills: merged, changedBy: { ...c.changedBy, bills: ctx.actor.id } };
  const owedNow = arrears(next, today(ctx), ctx.settings);
  const details = { arrears: owedNow.toFixed(0) };
  if (owedNow.isZero() && c.status !== 'SELLING')
    return closeAsPaid(c, next, ctx, 'UPDATE_BILLS', 'the city’s bills leave nothing owed', { details });
  return transition(c, next, ctx, 'UPDATE_BILLS', { details });
}

export interface Seizure {
  market: string;
  quantity: Decimal;
}

/** Seizure of coins and the demand that the exchange move them to the city's account (징수법 §61③). */
export function requestTransfer(c: Case, seizures: Seizure[], ctx: TransitionContext): Transition {
  allow(c, 'REQUEST_TRANSFER', ['REGISTERED', 'TRANSFER_REQUESTED', 'SHORTFALL']);
  if (seizures.length === 0 || seizures.some((s) => s.quantity.lte(0)))
    throw new CaseRuleError('INVALID_SEIZURE', 'seizures need a positive quantity');
  const holdings = c.holdings.map((h) => ({ ...h }));
  for (const s of seizures) {
    const h = holdings.find((x) => x.market === s.market);
    if (h) h.seized = h.seized.add(s.quantity);
    else holdings.push({ market: s.market, seized: s.quantity, inCustody: ZERO, sold: ZERO, released: ZERO });
  }
  const details = Object.fromEntries(seizures.map((s) => [`seized:${s.market}`, s.quantity.toFixed()]));
  return transition(c, { ...c, status: 'TRANSFER_REQUESTED', holdings }, ctx, 'REQUEST_TRANSFER', {
    details,
    notices: seizureNotices(subject(c, today(ctx), ctx.settings), seizures, ctx.settings, today(ctx)),
  });
}

/** The exchange confirms seized coins reached the city's account. */
export function confirmCustody(c: Case, receipt: Seizure, ctx: TransitionContext): Transition {
  allow(c, 'CONFIRM_CUSTODY', ['TRANSFER_REQUESTED']);
  const h = c.holdings.find((x) => x.market === receipt.market);
  if (!h) throw new CaseRuleError('UNKNOWN_HOLDING', `nothing of ${receipt.market} was seized`);
  if (receipt.quantity.lte(0) || h.inCustody.add(receipt.quantity).gt(h.seized)) {
    throw new CaseRuleError('CUSTODY_EXCEEDS_SEIZURE', `custody of ${receipt.market} would exceed what was seized`);
  }
  const holdings = c.holdings.map((x) => (x === h ? { ...x, inCustody: x.inCustody.add(receipt.quantity) } : x));
  const complete = holdings.every((x) => x.inCustody.eq(x.seized));
  const next: Case = { ...c, status: complete ? 'IN_CUSTODY' : 'TRANSFER_REQUESTED', holdings };
  if (complete) {
    // A new custody: its own pre-sale notice (a case re-seized after a shortfall is noticed again).
    next.custodyOn = today(ctx);
    delete next.preSaleNotice;
    delete next.deadline;
  }
  return transition(c, next, ctx, 'CONFIRM_CUSTODY', {
    details: { market: receipt.market, quantity: receipt.quantity.toFixed() },
  });
}

export interface Valuation {
  market: string;
  bid: Decimal;
}

/**
 * Whether the daily run sends the pre-sale notice on a date: custody complete, the city's waiting
 * period after custody passed, not held back by an officer.
 */
export function preSaleNoticeDue(c: Case, date: LocalDate, settings: CitySettings): boolean {
  if (c.status !== 'IN_CUSTODY' || c.preSaleNoticeHeld || !c.custodyOn) return false;
  return !isAfter(addDays(c.custodyOn, settings.preSaleNoticeAfterCustodyDays), date);
}

/**
 * The pre-sale notice (징수법 §71③, 징수령 §70): invites the taxpayer to pay or sell, states the
 * deadline, what is owed then and what the coins are worth now. The deadline runs from the day the
 * notice takes effect (기본법 §32), so it is set when its delivery is recorded; the notice states
 * the window and the earliest date it can end. One notice per custody: the case leaves IN_CUSTODY.
 */
export function sendPreSaleNotice(c: Case, valuation: Valuation[], ctx: TransitionContext): Transition {
  allow(c, 'SEND_PRE_SALE_NOTICE', ['IN_CUSTODY']);
  const on = today(ctx);
  const earliest = addDays(on, ctx.settings.preSaleNoticeDays);
  const owedAtDeadline = arrears(c, earliest, ctx.settings);
  const holdings = c.holdings.map((h) => ({ market: h.market, quantity: available(h) }));
  for (const h of holdings) {
    if (!valuation.some((v) => v.market === h.market))
      throw new CaseRuleError('NO_VALUATION', `no current price for ${h.market}`);
  }
  const notice = preSaleNotice(
    subject(c, on, ctx.settings),
    holdings,
    valuation,
    ctx.now.toISOString(),
    earliest,
    owedAtDeadline,
    ctx.settings,
    on,
    ctx.settings.preSaleNoticeDays,
  );
  const version = c.version + 1;
  const noticeId = `${c.caseId}.v${version}.0.PRE_SALE`;
  const next: Case = { ...c, status: 'NOTICE_SENT', preSaleNotice: { noticeId, issuedOn: on } };
  delete next.preSaleNoticeHeld;
  delete next.deadline;
  return transition(c, next, ctx, 'SEND_PRE_SALE_NOTICE', {
    details: {
      noticeId,
      windowDays: String(ctx.settings.preSaleNoticeDays),
      earliestDeadline: earliest,
      owedAtDeadline: owedAtDeadline.toFixed(0),
    },
    notices: [notice],
    noticeIds: [noticeId],
  });
}

/** An officer holds the pre-sale notice back for a case in custody (the daily run skips it). */
export function holdBackPreSaleNotice(c: Case, reason: string, ctx: TransitionContext): Transition {
  allow(c, 'HOLD_BACK_PRE_SALE_NOTICE', ['REGISTERED', 'TRANSFER_REQUESTED', 'IN_CUSTODY']);
  if (ctx.actor.kind !== 'OFFICER')
    throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may hold a notice back');
  if (c.preSaleNoticeHeld) throw new CaseRuleError('ALREADY_HELD_BACK', 'the pre-sale notice is already held back');
  const preSaleNoticeHeld = { by: ctx.actor.id, at: ctx.now.toISOString(), reason };
  return transition(c, { ...c, preSaleNoticeHeld }, ctx, 'HOLD_BACK_PRE_SALE_NOTICE', { reason, details: {} });
}

/** The officer lets the daily run send it again. */
export function releasePreSaleNotice(c: Case, ctx: TransitionContext): Transition {
  allow(c, 'RELEASE_PRE_SALE_NOTICE', ['REGISTERED', 'TRANSFER_REQUESTED', 'IN_CUSTODY']);
  if (!c.preSaleNoticeHeld) throw new CaseRuleError('NOT_HELD_BACK', 'the pre-sale notice is not held back');
  const next: Case = { ...c };
  delete next.preSaleNoticeHeld;
  return transition(c, next, ctx, 'RELEASE_PRE_SALE_NOTICE', { details: {} });
}

export type DeliveryOutcome =
  | { noticeId: string; outcome: 'DELIVERED'; on: LocalDate }
  | { noticeId: string; outcome: 'FAILED'; on: LocalDate; reason: string };

function takeEffect(c: Case, service: NoticeService, effectiveOn: LocalDate, settings: CitySettings): Case {
  const next: Case = { ...c, preSaleNotice: { ...service, effectiveOn } };
  // The deadline runs from the day the notice took effect; a hold in force keeps it for when it is lifted.
  const waiting = c.status === 'NOTICE_SENT' || (c.status === 'ON_HOLD' && c.resumeStatus === 'NOTICE_SENT');
  if (waiting) next.deadline = addDays(effectiveOn, settings.preSaleNoticeDays);
  return next;
}

/**
 * The outcome of delivering the pre-sale notice (the post office's result relayed by the city's
 * system, or an electronic channel's receipt): delivered on a date sets the deadline; a failure is
 * recorded for an officer, who may order public notice. Recorded once: a repeat is refused.
 */
export function recordPreSaleDelivery(c: Case, outcome: DeliveryOutcome, ctx: TransitionContext): Transition {
  allow(c, 'RECORD_DELIVERY', OPEN_STATUSES);
  const service = c.preSaleNotice;
  if (!service || service.noticeId !== outcome.noticeId)
    throw new CaseRuleError('UNKNOWN_NOTICE', `${outcome.noticeId} is not this custody's pre-sale notice`);
  // A delivery before a posted public notice takes effect still counts from its own day.
  if (service.effectiveOn && !isAfter(service.effectiveOn, outcome.on))
    throw new CaseRuleError('ALREADY_EFFECTIVE', `the pre-sale notice took effect on ${service.effectiveOn}`);
  if (isAfter(service.issuedOn, outcome.on) || isAfter(outcome.on, today(ctx)))
    throw new CaseRuleError('INVALID_DELIVERY_DATE', 'a delivery date lies between the issue and today');
  if (outcome.outcome === 'FAILED') {
    const failed = { on: outcome.on, reason: outcome.reason };
    return transition(c, { ...c, preSaleNotice: { ...service, failed } }, ctx, 'RECORD_DELIVERY_FAILURE', {
      reason: outcome.reason,
      details: { noticeId: service.noticeId, on: outcome.on },
    });
  }
  const next = takeEffect(c, { ...service, deliveredOn: outcome.on }, outcome.on, ctx.settings);
  return transition(c, next, ctx, 'RECORD_DELIVERY', {
    details: {
      noticeId: service.noticeId,
      deliveredOn: outcome.on,
      ...(next.deadline ? { deadline: next.deadline } : {}),
    },
  });
}

/**
 * After a failed delivery an officer orders public notice (공시송달, 기본법 §33): it takes effect 14
 * days after posting, and the deadline runs from then.
 */
export function orderPublicNotice(c: Case, noticeId: string, postedOn: LocalDate, ctx: TransitionContext): Transition {
  allow(c, 'ORDER_PUBLIC_NOTICE', OPEN_STATUSES);
  if (ctx.actor.kind !== 'OFFICER')
    throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may order public notice');
  const service = c.preSaleNotice;
  if (!service || service.noticeId !== noticeId)
    throw new CaseRuleError('UNKNOWN_NOTICE', `${noticeId} is not this custody's pre-sale notice`);
  if (service.effectiveOn)
    throw new CaseRuleError('ALREADY_EFFECTIVE', `the pre-sale notice took effect on ${service.effectiveOn}`);
  if (!service.failed) throw new CaseRuleError('NOT_FAILED', 'public notice needs a failed delivery first');
  if (isAfter(service.failed.on, postedOn) || isAfter(postedOn, today(ctx)))
    throw new CaseRuleError('INVALID_POSTING_DATE', 'public notice is posted after the failed delivery, by today');
  const effectiveOn = addDays(postedOn, PUBLIC_NOTICE_DAYS);
  const withPosting: NoticeService = { ...service, publicNotice: { postedOn, effectiveOn, orderedBy: ctx.actor.id } };
  const next = takeEffect(c, withPosting, effectiveOn, ctx.settings);
  return transition(c, next, ctx, 'ORDER_PUBLIC_NOTICE', {
    details: { noticeId, postedOn, effectiveOn, ...(next.deadline ? { deadline: next.deadline } : {}) },
  });
}

/** A reminder N days before the deadline; the notice id makes a repeat a duplicate. */
export function reminderDue(c: Case, date: LocalDate, settings: CitySettings): number | null {
  if (c.status !== 'NOTICE_SENT' || !c.deadline) return null;
  const left = daysBetween(date, c.deadline);
  return settings.reminderDaysBefore.includes(left) ? left : null;
}

/** Sends the reminder due today; its id names the deadline and the day, so a second run is a duplicate. */
export function sendReminder(c: Case, ctx: TransitionContext): Transition {
  allow(c, 'SEND_REMINDER', ['NOTICE_SENT']);
  const days = reminderDue(c, today(ctx), ctx.settings);
  if (days === null || !c.deadline) throw new CaseRuleError('NO_REMINDER_DUE', `no reminder is due on ${today(ctx)}`);
  return transition(c, c, ctx, 'SEND_REMINDER', {
    details: { deadline: c.deadline, daysBefore: String(days) },
    notices: [reminderNotice(subject(c, today(ctx), ctx.settings), c.deadline, days, ctx.settings, today(ctx))],
    noticeIds: [`${c.caseId}.reminder.${c.deadline}.d${days}`],
  });
}

/** The deadline passed unpaid: the case becomes due for sale. */
export function markDue(c: Case, ctx: TransitionContext): Transition {
  allow(c, 'MARK_DUE', ['NOTICE_SENT']);
  const block = saleBlock(c, today(ctx), ctx.settings);
  if (block === 'NOTHING_OWED') return closeAsPaid(c, c, ctx, 'MARK_DUE', 'nothing owed at the deadline');
  if (block) throw new CaseRuleError(block, `the case is not due: ${block}`);
  return transition(c, { ...c, status: 'DUE' }, ctx, 'MARK_DUE', { details: { deadline: c.deadline ?? '' } });
}

/** The taxpayer asks the city to sell now, before the deadline, optionally with floor prices. */
export function requestSaleByTaxpayer(c: Case, request: SaleRequest, ctx: TransitionContext): Transition {
  allow(c, 'TAXPAYER_SALE_REQUEST', ['IN_CUSTODY', 'NOTICE_SENT']);
  const e = request.evidence;
  if (!e.relayedBy.trim()) throw new CaseRuleError('NO_EVIDENCE', 'the sale request needs who relayed it');
  if (!(Date.parse(e.receivedAt) <= ctx.now.getTime()))
    throw new CaseRuleError('NO_EVIDENCE', 'the taxpayer’s request cannot be received in the future');
  const details = Object.fromEntries(Object.entries(request.limitPrices).map(([m, p]) => [`limit:${m}`, p.toFixed()]));
  const evidence = {
    'evidence:relayedBy': e.relayedBy,
    'evidence:receivedAt': e.receivedAt,
    'evidence:channel': e.channel,
    ...(e.reference ? { 'evidence:reference': e.reference } : {}),
  };
  return transition(
    c,
    { ...c, status: 'DUE', saleRequest: { ...request, requestedBy: request.requestedBy ?? ctx.actor.id } },
    ctx,
    'TAXPAYER_SALE_REQUEST',
    { details: { requestId: request.requestId, ...details, ...evidence } },
  );
}

/** The sale id names the attempt, so a duplicate start request maps to the same sale. */
export const nextSaleId = (c: Case): string => `${c.caseId}-sale-${c.saleAttempts + 1}`;

export function startSale(c: Case, saleId: string, ctx: TransitionContext): Transition {
  allow(c, 'START_SALE', ['DUE']);
  if (saleId !== nextSaleId(c)) throw new CaseRuleError('STALE_SALE', `expected sale ${nextSaleId(c)}, got ${saleId}`);
  const block = saleBlock(c, today(ctx), ctx.settings);
  if (block) throw new CaseRuleError(block, `the sale may not start: ${block}`);
  return transition(c, { ...c, status: 'SELLING', saleId, saleAttempts: c.saleAttempts + 1 }, ctx, 'START_SALE', {
    details: { saleId },
  });
}

/**
 * An officer approves the running sale, which waits for one approval when planned at or above the
 * approval threshold and for two above the second (the workflow polls the case). Four eyes
 * (four-eyes.ts, docs/LEGAL.md "Officers are accountable"): not the officer who asked for the sale
 * or last changed the case's bills or holds, and never the same officer twice.
 */
export function approveSale(c: Case, saleId: string, ctx: TransitionContext): Transition {
  allow(c, 'APPROVE_SALE', ['SELLING']);
  if (saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${saleId}`);
  if (ctx.actor.kind !== 'OFFICER') throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may approve a sale');
  const approvals = c.saleApproval?.saleId === saleId ? c.saleApproval.approvals : [];
  if (approvals.length >= 2)
    throw new CaseRuleError('ALREADY_APPROVED', `sale ${saleId} is already approved by two officers`);
  const refusal = fourEyesRefusal({
    approver: ctx.actor.id,
    interested: [c.saleRequest?.requestedBy, c.changedBy?.bills, c.changedBy?.holds],
    approvedBy: approvals.map((a) => a.by),
  });
  if (refusal === 'ALREADY_APPROVED_BY_THEM')
    throw new CaseRuleError(
      'ALREADY_APPROVED',
      `${ctx.actor.id} already approved sale ${saleId}: a second approval must come from another officer`,
    );
  if (refusal)
    throw new CaseRuleError(
      'FOUR_EYES',
      `${ctx.actor.id} asked for this sale or last changed the case’s bills or holds: another officer must approve it`,
    );
  const saleApproval: SaleApproval = {
    saleId,
    approvals: [...approvals, { by: ctx.actor.id, at: ctx.now.toISOString() }],
  };
  return transition(c, { ...c, saleApproval }, ctx, 'APPROVE_SALE', {
    details: { saleId, approval: String(saleApproval.approvals.length) },
  });
}

/**
 * An officer ends the running sale: the request is recorded on the case (audited with the officer)
 * and the workflow acts on it at its next check (before every order, and after every wait, which
 * lasts an hour at most): open orders are resolved, what was sold is settled as at any stop, and the
 * case goes back to DUE (ON_HOLD if a hold is active, settled if nothing is owed). Orders still in
 * doubt keep their coins in custody and stay with the sweep.
 */
export function stopSale(c: Case, saleId: string, reason: string, ctx: TransitionContext): Transition {
  allow(c, 'STOP_SALE', ['SELLING']);
  if (saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${saleId}`);
  if (ctx.actor.kind !== 'OFFICER')
    throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may end a running sale');
  if (c.saleStop?.saleId === saleId)
    throw new CaseRuleError('ALREADY_STOPPING', `sale ${saleId} is already ending at ${c.saleStop.by}’s request`);
  const saleStop: SaleStop = { saleId, by: ctx.actor.id, at: ctx.now.toISOString(), reason };
  return transition(c, { ...c, saleStop }, ctx, 'STOP_SALE', { reason, details: { saleId } });
}

/** Whether an officer asked this sale to end. */
export const isSaleStopRequested = (c: Case, saleId: string): boolean => c.saleStop?.saleId === saleId;

/** Whether `needed` different officers approved the sale (four-eyes.ts `approvalsNeeded` says how many). */
export const isSaleApproved = (c: Case, saleId: string, needed = 1): boolean =>
  c.saleApproval?.saleId === saleId &&
  approvalComplete(
    c.saleApproval.approvals.map((a) => a.by),
    needed,
  );

/** `before` is the case as read; `c` the case with the facts that leave nothing owed. */
function closeAsPaid(
  before: Case,
  c: Case,
  ctx: TransitionContext,
  action: string,
  reason: string,
  extra: { ledger?: LedgerEntry[]; details?: Record<string, string> } = {},
): Transition {
  const { holdings, releases } = releaseAll(c, 'PAID');
  const notices =
    releases.length > 0
      ? [releaseNotice(subject(c, today(ctx), ctx.settings), releases, ctx.settings, today(ctx))]
      : [];
  return transition(before, { ...c, status: 'PAID', holdings }, ctx, action, {
    reason,
    details: { ...extra.details, ...releaseDetails(releases) },
    ledger: extra.ledger ?? [],
    releases,
    notices,
  });
}

export interface Payment {
  paymentId: string;
  amount: Decimal;
  receivedOn: LocalDate;
}

/**
 * A payment the city received: a dated fact, applied in the legal order as of its own date (a
 * surplus is refunded, 징수법 §4, 기본법 §60). Dated after today or before any bill existed: refused.
 * Money actually received is never refused: to a closed case it is booked whole as a refund payable.
 * docs/LEGAL.md "Payments are dated facts".
 */
export function recordPayment(c: Case, payment: Payment, ctx: TransitionContext): Transition {
  if (c.paymentIds.includes(payment.paymentId))
    throw new CaseRuleError('DUPLICATE_PAYMENT', `payment ${payment.paymentId} was already applied`);
  if (!payment.amount.isInteger() || payment.amount.lte(0))
    throw new CaseRuleError('INVALID_AMOUNT', 'a payment is a positive whole number of won');
  if (isAfter(payment.receivedOn, today(ctx)))
    throw new CaseRuleError(
      'PAYMENT_IN_FUTURE',
      `a payment cannot be received on ${payment.receivedOn}, after today (${today(ctx)} in Korea)`,
    );
  const existsFrom = c.bills.map(billExistsFrom).sort()[0];
  if (existsFrom !== undefined && isBefore(payment.receivedOn, existsFrom)) {
    throw new CaseRuleError(
      'PAYMENT_BEFORE_BILL',
      `a payment received on ${payment.receivedOn} predates every bill of the case (the first exists from ${existsFrom})`,
    );
  }
  const paymentIn: LedgerEntry = { kind: 'PAYMENT_IN', source: payment.paymentId, amount: payment.amount };
  const details = { paymentId: payment.paymentId, amount: payment.amount.toFixed(0), receivedOn: payment.receivedOn };
  const paymentIds = [...c.paymentIds, payment.paymentId];
  if (isClosed(c.status)) {
    const refund: LedgerEntry = { kind: 'REFUND', source: payment.paymentId, amount: payment.amount };
    const notices = [refundNotice(subject(c, today(ctx), ctx.settings), payment.amount, ctx.settings, today(ctx))];
    return transition(
      c,
      { ...c, paymentIds, refundPayable: c.refundPayable.add(payment.amount) },
      ctx,
      'RECORD_PAYMENT',
      {
        reason: `received after the case closed (${c.status}): refunded whole`,
        details: { ...details, refund: payment.amount.toFixed(0) },
        ledger: [paymentIn, refund],
        notices,
      },
    );
  }
  const paid: Case = {
    ...c,
    paymentIds,
    credits: [
      ...c.credits,
      { source: payment.paymentId, kind: 'PAYMENT', amount: payment.amount, on: payment.receivedOn },
    ],
  };
  // Mid-sale, the running sale sees nothing owed at its next slice and settles what it sold.
  if (arrears(paid, today(ctx), ctx.settings).isZero() && c.status !== 'SELLING') {
    return closeAsPaid(c, paid, ctx, 'RECORD_PAYMENT', 'arrears paid in full', { ledger: [paymentIn], details });
  }
  return transition(c, paid, ctx, 'RECORD_PAYMENT', { details, ledger: [paymentIn] });
}

export interface PlaceHold {
  holdId: string;
  kind: HoldKind;
  reason: string;
}

/** A hold blocks any sale and suspends the deadline; mid-sale it stops the sale at its next slice. */
export function placeHold(c: Case, hold: PlaceHold, ctx: TransitionContext): Transition {
  allow(c, 'PLACE_HOLD', OPEN_STATUSES);
  if (c.holds.some((h) => h.holdId === hold.holdId))
    throw new CaseRuleError('DUPLICATE_HOLD', `hold ${hold.holdId} exists`);
  const holds = [...c.holds, { ...hold, from: today(ctx) }];
  const interrupted =
    c.status === 'SELLING' || c.status === 'ON_HOLD' ? {} : { status: 'ON_HOLD' as const, resumeStatus: c.status };
  return transition(
    c,
    { ...c, holds, ...interrupted, changedBy: { ...c.changedBy, holds: ctx.actor.id } },
    ctx,
    'PLACE_HOLD',
    { reason: hold.reason, details: { holdId: hold.holdId, kind: hold.kind } },
  );
}

/** Lifting the last hold resumes the case; the deadline moves by the days it was suspended. */
export function releaseHold(c: Case, holdId: string, ctx: TransitionContext): Transition {
  allow(c, 'RELEASE_HOLD', OPEN_STATUSES);
  const hold = c.holds.find((h) => h.holdId === holdId);
  if (!hold || hold.to !== undefined) throw new CaseRuleError('UNKNOWN_HOLD', `no active hold ${holdId}`);
  const date = today(ctx);
  const holds = c.holds.map((h) => (h === hold ? { ...h, to: date } : h));
  const next: Case = { ...c, holds, changedBy: { ...c.changedBy, holds: ctx.actor.id } };
  if (c.status === 'ON_HOLD' && holds.every((h) => h.to !== undefined)) {
    const suspendedSince =
      c.holds
        .filter((h) => h.to === undefined)
        .map((h) => h.from)
        .sort()[0] ?? date;
    next.status = c.resumeStatus ?? 'REGISTERED';
    delete next.resumeStatus;
    // Only days on which the deadline was running count: not those before the notice took effect.
    const effectiveOn = c.preSaleNotice?.effectiveOn;
    const runningSince = effectiveOn && isAfter(effectiveOn, suspendedSince) ? effectiveOn : suspendedSince;
    if (c.deadline && next.status === 'NOTICE_SENT')
      next.deadline = addDays(c.deadline, Math.max(0, daysBetween(runningSince, date)));
  }
  return transition(c, next, ctx, 'RELEASE_HOLD', {
    details: { holdId, ...(next.deadline ? { deadline: next.deadline } : {}) },
  });
}

/** The city withdrew the bills: the case closes and the coins go back. */
export function cancelCase(c: Case, reason: string, ctx: TransitionContext): Transition {
  allow(
    c,
    'CANCEL',
    OPEN_STATUSES.filter((s) => s !== 'SELLING'),
  );
  const { holdings, releases } = releaseAll(c, 'CANCELLED');
  const notices =
    releases.length > 0
      ? [releaseNotice(subject(c, today(ctx), ctx.settings), releases, ctx.settings, today(ctx))]
      : [];
  return transition(c, { ...c, status: 'CANCELLED', holdings }, ctx, 'CANCEL', {
    reason,
    releases,
    notices,
    details: releaseDetails(releases),
  });
}

export interface Fill {
  market: string;
  quantity: Decimal;
  /** Price × quantity as the exchange executed it (may carry fractions of a won). */
  grossKrw: Decimal;
  feeKrw: Decimal;
}

export interface SaleOutcome {
  saleId: string;
  fills: Fill[];
  /** Remainders the planner found below the exchange minimum: released, never stranded. */
  dust: Seizure[];
  settledOn: LocalDate;
  /** The day the first order went out (printed on the result notice); the settlement day when absent. */
  startedOn?: LocalDate;
  /** Why the sale stopped before covering the need, if it did (escalation, failure). */
  stoppedBecause?: string;
  /**
   * Coins under orders still in doubt (sent, outcome unknown): neither sold nor released; if such an
   * order turns out to have sold, `adjustSale` books it after the settlement.
   */
  heldBack?: Seizure[];
  /** Sold through the market's sale desk (pooled with other cases' coins): the desk orders it had shares in. */
  pooledOrders?: number;
}

/**
 * Settlement of a sale in one transition: the net proceeds (gross − fee, down to the won; the
 * fraction stays as exchange rounding) are applied in the legal order, a surplus is refunded, and
 * when nothing is owed any more every unsold coin goes back.
 */
export function settleSale(c: Case, outcome: SaleOutcome, ctx: TransitionContext): Transition {
  allow(c, 'SETTLE_SALE', ['SELLING']);
  if (outcome.saleId !== c.saleId)
    throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${outcome.saleId}`);
  const gross = sum(outcome.fills.map((f) => f.grossKrw));
  const fee = sum(outcome.fills.map((f) => f.feeKrw));
  const net = floorWon(gross.sub(fee));
  const rounding = gross.sub(fee).sub(net);
  const credits: Credit[] = net.gt(0)
    ? [...c.credits, { source: outcome.saleId, kind: 'SALE', amount: net, on: outcome.settledOn }]
    : c.credits;

  let holdings = c.holdings.map((h) => {
    const sold = sum(outcome.fills.filter((f) => f.market === h.market).map((f) => f.quantity));
    const dust = sum(outcome.dust.filter((d) => d.market === h.market).map((d) => d.quantity));
    return { ...h, sold: h.sold.add(sold), released: h.released.add(dust) };
  });
  if (holdings.some((h) => available(h).lt(0)))
    throw new CaseRuleError('OVERSOLD', 'fills and dust exceed the coins in custody');
  const releases: Release[] = outcome.dust
    .filter((d) => d.quantity.gt(0))
    .map((d) => ({ ...d, reason: 'DUST' as const }));

  const settled: Case = { ...c, credits, holdings };
  const stillOwed = arrears(settled, outcome.settledOn, ctx.settings);
  let status: CaseStatus;
  if (stillOwed.isZero()) {
    const surplus = releaseAll(settled, 'SURPLUS', outcome.heldBack);
    holdings = surplus.holdings;
    releases.push(...surplus.releases);
    status = 'SETTLED';
  } else if (activeHolds(c).length > 0) {
    status = 'ON_HOLD';
  } else if (holdings.every((h) => available(h).lte(0))) {
    status = 'SHORTFALL';
  } else {
    status = 'DUE';
  }
  const ledger: LedgerEntry[] = [
    ...outcome.fills.map((f) => ({
      kind: 'SALE_GROSS' as const,
      source: outcome.saleId,
      amount: f.grossKrw,
      market: f.market,
      quantity: f.quantity,
    })),
    ...outcome.fills.map((f) => ({
      kind: 'SALE_FEE' as const,
      source: outcome.saleId,
      amount: f.feeKrw,
      market: f.market,
    })),
    ...(rounding.gt(0) ? [{ kind: 'SALE_ROUNDING' as const, source: outcome.saleId, amount: rounding }] : []),
  ];
  const applied = rebooking(c, settled, ctx.settings).ledger.filter((e) => e.source === outcome.saleId);
  const allocatedKrw = sum(applied.filter((e) => e.kind === 'ALLOCATION').map((e) => e.amount));
  const refundKrw = sum(applied.filter((e) => e.kind === 'REFUND').map((e) => e.amount));
  const details: Record<string, string> = {
    saleId: outcome.saleId,
    grossKrw: gross.toFixed(),
    feeKrw: fee.toFixed(),
    netKrw: net.toFixed(0),
    allocatedKrw: allocatedKrw.toFixed(0),
    refundKrw: refundKrw.toFixed(0),
    stillOwedKrw: stillOwed.toFixed(0),
    ...releaseDetails(releases),
  };
  const next: Case = {
    ...settled,
    holdings,
    status,
    ...(status === 'ON_HOLD' ? { resumeStatus: 'DUE' as const } : {}),
  };
  if (outcome.stoppedBecause) next.lastError = outcome.stoppedBecause;
  // One notice tells what was sold, how the money was applied and what went back.
  const notices = [
    saleResultNotice(
      subject(next, outcome.settledOn, ctx.settings),
      [...ledger, ...applied],
      releases,
      outcome.startedOn ?? outcome.settledOn,
      ctx.settings,
      today(ctx),
      outcome.pooledOrders,
    ),
  ];
  return transition(c, next, ctx, 'SETTLE_SALE', {
    reason: outcome.stoppedBecause,
    details,
    ledger,
    releases,
    notices,
    refundNoticed: true,
  });
}

/** A fill found after its sale was settled: an order that was in doubt turned out to have sold. */
export interface LateFill extends Fill {
  saleId: string;
  /** The order's identifier: the adjustment is booked once per order. */
  identifier: string;
  settledOn: LocalDate;
  /** Coins still under other orders in doubt (kept in custody if the surplus goes back). */
  heldBack?: Seizure[];
}

/**
 * A post-settlement adjustment: coins an order in doubt sold after its sale was settled. The sold
 * coins leave custody, the net proceeds are applied in the legal order (a surplus refunded), a case
 * that owes nothing any more is settled (its free coins go back), and the taxpayer gets a result
 * notice of the adjustment. Allowed in any state, closed ones included: the money is there and
 * must be accounted for.
 */
export function adjustSale(c: Case, fill: LateFill, ctx: TransitionContext): Transition {
  const net = floorWon(fill.grossKrw.sub(fill.feeKrw));
  const rounding = fill.grossKrw.sub(fill.feeKrw).sub(net);
  // The late proceeds are a dated credit of their own, named by the order (booked once per order).
  const credits: Credit[] = net.gt(0)
    ? [...c.credits, { source: fill.identifier, kind: 'SALE', amount: net, on: fill.settledOn }]
    : c.credits;
  let holdings = c.holdings.map((h) => (h.market === fill.market ? { ...h, sold: h.sold.add(fill.quantity) } : h));
  if (!c.holdings.some((h) => h.market === fill.market) || holdings.some((h) => available(h).lt(0))) {
    throw new CaseRuleError(
      'OVERSOLD',
      `a late fill of ${fill.quantity.toFixed()} ${fill.market} exceeds the coins in custody`,
    );
  }
  const adjusted: Case = { ...c, credits, holdings };
  const owed = arrears(adjusted, fill.settledOn, ctx.settings);
  const releases: Release[] = [];
  let status = c.status;
  if (owed.isZero() && (c.status === 'DUE' || c.status === 'SHORTFALL')) {
    const surplus = releaseAll(adjusted, 'SURPLUS', fill.heldBack);
    holdings = surplus.holdings;
    releases.push(...surplus.releases);
    status = 'SETTLED';
  }
  const ledger: LedgerEntry[] = [
    { kind: 'SALE_GROSS', source: fill.saleId, amount: fill.grossKrw, market: fill.market, quantity: fill.quantity },
    { kind: 'SALE_FEE', source: fill.saleId, amount: fill.feeKrw, market: fill.market },
    ...(rounding.gt(0) ? [{ kind: 'SALE_ROUNDING' as const, source: fill.saleId, amount: rounding }] : []),
  ];
  const applied = rebooking(c, adjusted, ctx.settings).ledger.filter((e) => e.source === fill.identifier);
  const next: Case = { ...adjusted, holdings, status };
  const details: Record<string, string> = {
    saleId: fill.saleId,
    identifier: fill.identifier,
    grossKrw: fill.grossKrw.toFixed(),
    feeKrw: fill.feeKrw.toFixed(),
    netKrw: net.toFixed(0),
    allocatedKrw: sum(applied.filter((e) => e.kind === 'ALLOCATION').map((e) => e.amount)).toFixed(0),
    refundKrw: sum(applied.filter((e) => e.kind === 'REFUND').map((e) => e.amount)).toFixed(0),
    stillOwedKrw: owed.toFixed(0),
    ...releaseDetails(releases),
  };
  const notices = [
    saleResultNotice(
      subject(next, fill.settledOn, ctx.settings),
      [...ledger, ...applied],
      releases,
      fill.settledOn,
      ctx.settings,
      today(ctx),
    ),
  ];
  return transition(c, next, ctx, 'ADJUST_SALE', {
    reason: 'LATE_FILL',
    details,
    ledger,
    releases,
    notices,
    refundNoticed: true,
  });
}

/** A sale that failed before selling anything: the case goes back to DUE, safe, with the error. */
export function failSale(c: Case, saleId: string, error: string, ctx: TransitionContext): Transition {
  allow(c, 'FAIL_SALE', ['SELLING']);
  if (saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${saleId}`);
  return transition(c, { ...c, status: 'DUE', lastError: error }, ctx, 'FAIL_SALE', {
    reason: error,
    details: { saleId },
  });
}

/**
 * The city's finance system paid a refund it was instructed to pay (refunds.ts): the case's refund
 * payable goes down by it, and the case's trail says who confirmed what. The status stays (a
 * refund is paid after the case closed); no money moves in the books, so the ledger is untouched.
 */
export function recordRefundPaid(c: Case, paid: RefundInstruction, ctx: TransitionContext): Transition {
  if (!paid.paid || paid.caseId !== c.caseId)
    throw new CaseRuleError('NOT_THIS_REFUND', `refund ${paid.instructionId} is not a paid refund of case ${c.caseId}`);
  const t = transition(c, { ...c, refundPayable: c.refundPayable.sub(paid.amount) }, ctx, 'REFUND_PAID', {
    details: {
      instructionId: paid.instructionId,
      amount: paid.amount.toFixed(0),
      paidOn: paid.paid.on,
      reference: paid.paid.reference,
    },
  });
  return { ...t, refundPaid: paid };
}
