/**
 * The case lifecycle. Every transition is a pure function: it checks its preconditions and returns
 * the new case with what it causes (an audit entry, notices to send, ledger entries, coins to
 * release). An illegal transition throws a typed error; nothing is silently ignored.
 *
 * REGISTERED → TRANSFER_REQUESTED → IN_CUSTODY → NOTICE_SENT → DUE → SELLING → SETTLED | SHORTFALL
 * and from any open state: PAID, ON_HOLD (sale blocked, deadline suspended), CANCELLED.
 */
import { allocate, allocatedTotal, applyAllocations, type Allocation } from './allocation';
import { arrearsLines, bringForward, totalOutstanding, type Bill } from './bills';
import type { CitySettings } from './city-settings';
import { addDays, daysBetween, isAfter, kstDate, type DateRange, type LocalDate } from './dates';
import { Decimal, floorWon, sum, ZERO } from './money';
import { preSaleNotice, releaseNotice, reminderNotice, saleResultNotice, seizureNotices } from './notice-builders';
import type { NoticeContent, NoticeKind, ReleaseReason } from './notices';

export type CaseStatus =
  | 'REGISTERED'
  | 'TRANSFER_REQUESTED'
  | 'IN_CUSTODY'
  | 'NOTICE_SENT'
  | 'DUE'
  | 'SELLING'
  | 'SETTLED'
  | 'SHORTFALL'
  | 'PAID'
  | 'ON_HOLD'
  | 'CANCELLED';

/** Closed for good: nothing more may happen to the case. */
export const CLOSED_STATUSES: readonly CaseStatus[] = ['SETTLED', 'PAID', 'CANCELLED'];
export const isClosed = (status: CaseStatus): boolean => CLOSED_STATUSES.includes(status);

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
  /** The taxpayer's own floor price per coin, by market. */
  limitPrices: Record<string, Decimal>;
  /** That the taxpayer asked: selling before the deadline rests on it. */
  evidence: SaleRequestEvidence;
}

export type SaleRequestChannel = 'IN_PERSON' | 'PHONE' | 'MAIL' | 'EMAIL' | 'ONLINE';

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
  /** The approving officer's identity, as authenticated. */
  approvedBy: string;
  approvedAt: string;
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
  bills: Bill[];
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
  /** An officer's approval of a sale above the approval threshold (the sale workflow waits for it). */
  saleApproval?: SaleApproval;
  paymentIds: string[];
  refundPayable: Decimal;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
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
  return c.holds.filter((h) => h.kind === 'COLLECTION_DEFERRAL').map((h) => ({ from: h.from, ...(h.to ? { to: h.to } : {}) }));
}

function surchargeOptions(settings: CitySettings) {
  return { truncateUnder10Won: settings.truncateUnder10Won };
}

/** Bills with surcharges projected to a date. */
export function billsAsOf(c: Case, date: LocalDate, settings: CitySettings): Bill[] {
  return c.bills.map((b) => bringForward(b, date, deferrals(c), surchargeOptions(settings)));
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

const OPEN: readonly CaseStatus[] = ['REGISTERED', 'TRANSFER_REQUESTED', 'IN_CUSTODY', 'NOTICE_SENT', 'DUE', 'SELLING', 'SHORTFALL', 'ON_HOLD'];

function transition(
  before: Case,
  after: Omit<Case, 'version' | 'updatedAt'> & Partial<Pick<Case, 'version' | 'updatedAt'>>,
  ctx: TransitionContext,
  action: string,
  extra: { reason?: string; details?: Record<string, string>; notices?: NoticeContent[]; noticeIds?: string[]; ledger?: LedgerEntry[]; releases?: Release[] } = {},
): Transition {
  const version = before.version + 1;
  const next: Case = { ...after, version, updatedAt: ctx.now.toISOString() };
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
    notices: (extra.notices ?? []).map((content, i) => ({
      noticeId: extra.noticeIds?.[i] ?? `${before.caseId}.v${version}.${i}.${content.kind}`,
      kind: content.kind,
      content,
    })),
    ledger: extra.ledger ?? [],
    releases: extra.releases ?? [],
  };
}

/** Every free coin goes back; coins under orders in doubt (`heldBack`, per market) stay in custody. */
function releaseAll(c: Case, reason: Release['reason'], heldBack: readonly Seizure[] = []): { holdings: Holding[]; releases: Release[] } {
  const free = (h: Holding) => {
    const held = sum(heldBack.filter((x) => x.market === h.market).map((x) => x.quantity));
    const q = available(h).sub(held);
    return q.gt(0) ? q : ZERO;
  };
  const releases = c.holdings.filter((h) => free(h).gt(0)).map((h) => ({ market: h.market, quantity: free(h), reason }));
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
  bills: Bill[];
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
    holdings: [],
    holds: [],
    saleAttempts: 0,
    paymentIds: [],
    refundPayable: ZERO,
    createdAt: at,
    updatedAt: at,
  };
  return transition(blank, blank, ctx, 'REGISTER', { details: { arrears: totalOutstanding(cmd.bills).toFixed(0), bills: String(cmd.bills.length) } });
}

/** The city replaces its bill amounts (it is the source of truth); what we recorded as paid stays. */
export function updateBills(c: Case, bills: Bill[], ctx: TransitionContext): Transition {
  allow(c, 'UPDATE_BILLS', OPEN);
  const byId = new Map(c.bills.map((b) => [b.billId, b]));
  const merged = bills.map((b) => {
    const old = byId.get(b.billId);
    if (!old) return b;
    return { ...b, cost: { ...b.cost, paid: old.cost.paid }, tax: { ...b.tax, paid: old.tax.paid }, surcharge: { ...b.surcharge, paid: old.surcharge.paid } };
  });
  for (const old of c.bills) {
    if (!merged.some((b) => b.billId === old.billId)) merged.push(old);
  }
  return transition(c, { ...c, bills: merged }, ctx, 'UPDATE_BILLS', { details: { arrears: totalOutstanding(merged).toFixed(0) } });
}

export interface Seizure {
  market: string;
  quantity: Decimal;
}

/** Seizure of coins and the demand that the exchange move them to the city's account (징수법 §61③). */
export function requestTransfer(c: Case, seizures: Seizure[], ctx: TransitionContext): Transition {
  allow(c, 'REQUEST_TRANSFER', ['REGISTERED', 'TRANSFER_REQUESTED', 'SHORTFALL']);
  if (seizures.length === 0 || seizures.some((s) => s.quantity.lte(0))) throw new CaseRuleError('INVALID_SEIZURE', 'seizures need a positive quantity');
  const holdings = c.holdings.map((h) => ({ ...h }));
  for (const s of seizures) {
    const h = holdings.find((x) => x.market === s.market);
    if (h) h.seized = h.seized.add(s.quantity);
    else holdings.push({ market: s.market, seized: s.quantity, inCustody: ZERO, sold: ZERO, released: ZERO });
  }
  const details = Object.fromEntries(seizures.map((s) => [`seized:${s.market}`, s.quantity.toFixed()]));
  return transition(c, { ...c, status: 'TRANSFER_REQUESTED', holdings }, ctx, 'REQUEST_TRANSFER', {
    details,
    notices: seizureNotices(c, seizures, ctx.settings, today(ctx)),
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
    if (!valuation.some((v) => v.market === h.market)) throw new CaseRuleError('NO_VALUATION', `no current price for ${h.market}`);
  }
  const notice = preSaleNotice(c, holdings, valuation, ctx.now.toISOString(), earliest, owedAtDeadline, ctx.settings, on, ctx.settings.preSaleNoticeDays);
  const version = c.version + 1;
  const noticeId = `${c.caseId}.v${version}.0.PRE_SALE`;
  const next: Case = { ...c, status: 'NOTICE_SENT', preSaleNotice: { noticeId, issuedOn: on } };
  delete next.preSaleNoticeHeld;
  delete next.deadline;
  return transition(c, next, ctx, 'SEND_PRE_SALE_NOTICE', {
    details: { noticeId, windowDays: String(ctx.settings.preSaleNoticeDays), earliestDeadline: earliest, owedAtDeadline: owedAtDeadline.toFixed(0) },
    notices: [notice],
    noticeIds: [noticeId],
  });
}

/** An officer holds the pre-sale notice back for a case in custody (the daily run skips it). */
export function holdBackPreSaleNotice(c: Case, reason: string, ctx: TransitionContext): Transition {
  allow(c, 'HOLD_BACK_PRE_SALE_NOTICE', ['REGISTERED', 'TRANSFER_REQUESTED', 'IN_CUSTODY']);
  if (ctx.actor.kind !== 'OFFICER') throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may hold a notice back');
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

export type DeliveryOutcome = { noticeId: string; outcome: 'DELIVERED'; on: LocalDate } | { noticeId: string; outcome: 'FAILED'; on: LocalDate; reason: string };

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
  allow(c, 'RECORD_DELIVERY', OPEN);
  const service = c.preSaleNotice;
  if (!service || service.noticeId !== outcome.noticeId) throw new CaseRuleError('UNKNOWN_NOTICE', `${outcome.noticeId} is not this custody's pre-sale notice`);
  // A delivery before a posted public notice takes effect still counts from its own day.
  if (service.effectiveOn && !isAfter(service.effectiveOn, outcome.on)) throw new CaseRuleError('ALREADY_EFFECTIVE', `the pre-sale notice took effect on ${service.effectiveOn}`);
  if (isAfter(service.issuedOn, outcome.on) || isAfter(outcome.on, today(ctx))) throw new CaseRuleError('INVALID_DELIVERY_DATE', 'a delivery date lies between the issue and today');
  if (outcome.outcome === 'FAILED') {
    const failed = { on: outcome.on, reason: outcome.reason };
    return transition(c, { ...c, preSaleNotice: { ...service, failed } }, ctx, 'RECORD_DELIVERY_FAILURE', { reason: outcome.reason, details: { noticeId: service.noticeId, on: outcome.on } });
  }
  const next = takeEffect(c, { ...service, deliveredOn: outcome.on }, outcome.on, ctx.settings);
  return transition(c, next, ctx, 'RECORD_DELIVERY', { details: { noticeId: service.noticeId, deliveredOn: outcome.on, ...(next.deadline ? { deadline: next.deadline } : {}) } });
}

/**
 * After a failed delivery an officer orders public notice (공시송달, 기본법 §33): it takes effect 14
 * days after posting, and the deadline runs from then.
 */
export function orderPublicNotice(c: Case, noticeId: string, postedOn: LocalDate, ctx: TransitionContext): Transition {
  allow(c, 'ORDER_PUBLIC_NOTICE', OPEN);
  if (ctx.actor.kind !== 'OFFICER') throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may order public notice');
  const service = c.preSaleNotice;
  if (!service || service.noticeId !== noticeId) throw new CaseRuleError('UNKNOWN_NOTICE', `${noticeId} is not this custody's pre-sale notice`);
  if (service.effectiveOn) throw new CaseRuleError('ALREADY_EFFECTIVE', `the pre-sale notice took effect on ${service.effectiveOn}`);
  if (!service.failed) throw new CaseRuleError('NOT_FAILED', 'public notice needs a failed delivery first');
  if (isAfter(service.failed.on, postedOn) || isAfter(postedOn, today(ctx))) throw new CaseRuleError('INVALID_POSTING_DATE', 'public notice is posted after the failed delivery, by today');
  const effectiveOn = addDays(postedOn, PUBLIC_NOTICE_DAYS);
  const withPosting: NoticeService = { ...service, publicNotice: { postedOn, effectiveOn, orderedBy: ctx.actor.id } };
  const next = takeEffect(c, withPosting, effectiveOn, ctx.settings);
  return transition(c, next, ctx, 'ORDER_PUBLIC_NOTICE', { details: { noticeId, postedOn, effectiveOn, ...(next.deadline ? { deadline: next.deadline } : {}) } });
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
    notices: [reminderNotice(c, c.deadline, days, ctx.settings, today(ctx))],
    noticeIds: [`${c.caseId}.reminder.${c.deadline}.d${days}`],
  });
}

/** The deadline passed unpaid: the case becomes due for sale. */
export function markDue(c: Case, ctx: TransitionContext): Transition {
  allow(c, 'MARK_DUE', ['NOTICE_SENT']);
  const block = saleBlock(c, today(ctx), ctx.settings);
  if (block === 'NOTHING_OWED') return closeAsPaid(c, ctx, 'MARK_DUE', 'nothing owed at the deadline');
  if (block) throw new CaseRuleError(block, `the case is not due: ${block}`);
  return transition(c, { ...c, status: 'DUE' }, ctx, 'MARK_DUE', { details: { deadline: c.deadline ?? '' } });
}

/** The taxpayer asks the city to sell now, before the deadline, optionally with floor prices. */
export function requestSaleByTaxpayer(c: Case, request: SaleRequest, ctx: TransitionContext): Transition {
  allow(c, 'TAXPAYER_SALE_REQUEST', ['IN_CUSTODY', 'NOTICE_SENT']);
  const e = request.evidence;
  if (!e.relayedBy.trim()) throw new CaseRuleError('NO_EVIDENCE', 'the sale request needs who relayed it');
  if (!(Date.parse(e.receivedAt) <= ctx.now.getTime())) throw new CaseRuleError('NO_EVIDENCE', 'the taxpayer’s request cannot be received in the future');
  const details = Object.fromEntries(Object.entries(request.limitPrices).map(([m, p]) => [`limit:${m}`, p.toFixed()]));
  const evidence = { 'evidence:relayedBy': e.relayedBy, 'evidence:receivedAt': e.receivedAt, 'evidence:channel': e.channel, ...(e.reference ? { 'evidence:reference': e.reference } : {}) };
  return transition(c, { ...c, status: 'DUE', saleRequest: request }, ctx, 'TAXPAYER_SALE_REQUEST', { details: { requestId: request.requestId, ...details, ...evidence } });
}

/** The sale id names the attempt, so a duplicate start request maps to the same sale. */
export const nextSaleId = (c: Case): string => `${c.caseId}-sale-${c.saleAttempts + 1}`;

export function startSale(c: Case, saleId: string, ctx: TransitionContext): Transition {
  allow(c, 'START_SALE', ['DUE']);
  if (saleId !== nextSaleId(c)) throw new CaseRuleError('STALE_SALE', `expected sale ${nextSaleId(c)}, got ${saleId}`);
  const block = saleBlock(c, today(ctx), ctx.settings);
  if (block) throw new CaseRuleError(block, `the sale may not start: ${block}`);
  return transition(c, { ...c, status: 'SELLING', saleId, saleAttempts: c.saleAttempts + 1 }, ctx, 'START_SALE', { details: { saleId } });
}

/**
 * An officer approves the running sale, which waits for it when planned at or above the approval
 * threshold (the workflow polls the case). Only for the sale in progress, once.
 */
export function approveSale(c: Case, saleId: string, ctx: TransitionContext): Transition {
  allow(c, 'APPROVE_SALE', ['SELLING']);
  if (saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${saleId}`);
  if (ctx.actor.kind !== 'OFFICER') throw new CaseRuleError('NOT_AN_OFFICER', 'only a tax officer may approve a sale');
  if (c.saleApproval?.saleId === saleId) throw new CaseRuleError('ALREADY_APPROVED', `sale ${saleId} is already approved`);
  const saleApproval: SaleApproval = { saleId, approvedBy: ctx.actor.id, approvedAt: ctx.now.toISOString() };
  return transition(c, { ...c, saleApproval }, ctx, 'APPROVE_SALE', { details: { saleId } });
}

export const isSaleApproved = (c: Case, saleId: string): boolean => c.saleApproval?.saleId === saleId;

function closeAsPaid(c: Case, ctx: TransitionContext, action: string, reason: string, extra: { ledger?: LedgerEntry[]; details?: Record<string, string>; refund?: Decimal } = {}): Transition {
  const { holdings, releases } = releaseAll(c, 'PAID');
  const notices = releases.length > 0 ? [releaseNotice(c, releases, ctx.settings, today(ctx))] : [];
  const refundPayable = c.refundPayable.add(extra.refund ?? ZERO);
  return transition(c, { ...c, status: 'PAID', holdings, refundPayable }, ctx, action, { reason, details: extra.details ?? {}, ledger: extra.ledger ?? [], releases, notices });
}

export interface Payment {
  paymentId: string;
  amount: Decimal;
  receivedOn: LocalDate;
}

function applyMoney(c: Case, moneyIn: Decimal, on: LocalDate, settings: CitySettings, source: string) {
  const bills = billsAsOf(c, on, settings);
  const { allocations, refund } = allocate(moneyIn, arrearsLines(bills));
  const ledger: LedgerEntry[] = [
    ...allocations.map((a) => ({ kind: 'ALLOCATION' as const, source, amount: a.amount, billId: a.billId, component: a.component })),
    ...(refund.gt(0) ? [{ kind: 'REFUND' as const, source, amount: refund }] : []),
  ];
  return { bills: applyAllocations(bills, allocations), allocations, refund, ledger };
}

/** A payment the city received, applied in the legal order; a surplus is refunded (§99③). */
export function recordPayment(c: Case, payment: Payment, ctx: TransitionContext): Transition {
  allow(c, 'RECORD_PAYMENT', OPEN);
  if (c.paymentIds.includes(payment.paymentId)) throw new CaseRuleError('DUPLICATE_PAYMENT', `payment ${payment.paymentId} was already applied`);
  if (!payment.amount.isInteger() || payment.amount.lte(0)) throw new CaseRuleError('INVALID_AMOUNT', 'a payment is a positive whole number of won');
  const applied = applyMoney(c, payment.amount, payment.receivedOn, ctx.settings, payment.paymentId);
  const ledger = [{ kind: 'PAYMENT_IN' as const, source: payment.paymentId, amount: payment.amount }, ...applied.ledger];
  const paid: Case = { ...c, bills: applied.bills, paymentIds: [...c.paymentIds, payment.paymentId] };
  const details = { paymentId: payment.paymentId, amount: payment.amount.toFixed(0), receivedOn: payment.receivedOn, allocated: allocatedTotal(applied.allocations).toFixed(0), refund: applied.refund.toFixed(0) };
  // Mid-sale, the running sale sees nothing owed at its next slice and settles what it sold.
  if (totalOutstanding(applied.bills).isZero() && c.status !== 'SELLING') {
    return closeAsPaid(paid, ctx, 'RECORD_PAYMENT', 'arrears paid in full', { ledger, details, refund: applied.refund });
  }
  return transition(c, { ...paid, refundPayable: c.refundPayable.add(applied.refund) }, ctx, 'RECORD_PAYMENT', { details, ledger });
}

export interface PlaceHold {
  holdId: string;
  kind: HoldKind;
  reason: string;
}

/** A hold blocks any sale and suspends the deadline; mid-sale it stops the sale at its next slice. */
export function placeHold(c: Case, hold: PlaceHold, ctx: TransitionContext): Transition {
  allow(c, 'PLACE_HOLD', OPEN);
  if (c.holds.some((h) => h.holdId === hold.holdId)) throw new CaseRuleError('DUPLICATE_HOLD', `hold ${hold.holdId} exists`);
  const holds = [...c.holds, { ...hold, from: today(ctx) }];
  const interrupted = c.status === 'SELLING' || c.status === 'ON_HOLD' ? {} : { status: 'ON_HOLD' as const, resumeStatus: c.status };
  return transition(c, { ...c, holds, ...interrupted }, ctx, 'PLACE_HOLD', { reason: hold.reason, details: { holdId: hold.holdId, kind: hold.kind } });
}

/** Lifting the last hold resumes the case; the deadline moves by the days it was suspended. */
export function releaseHold(c: Case, holdId: string, ctx: TransitionContext): Transition {
  allow(c, 'RELEASE_HOLD', OPEN);
  const hold = c.holds.find((h) => h.holdId === holdId);
  if (!hold || hold.to !== undefined) throw new CaseRuleError('UNKNOWN_HOLD', `no active hold ${holdId}`);
  const date = today(ctx);
  const holds = c.holds.map((h) => (h === hold ? { ...h, to: date } : h));
  const next: Case = { ...c, holds };
  if (c.status === 'ON_HOLD' && holds.every((h) => h.to !== undefined)) {
    const suspendedSince = c.holds.filter((h) => h.to === undefined).map((h) => h.from).sort()[0] ?? date;
    next.status = c.resumeStatus ?? 'REGISTERED';
    delete next.resumeStatus;
    // Only days on which the deadline was running count: not those before the notice took effect.
    const effectiveOn = c.preSaleNotice?.effectiveOn;
    const runningSince = effectiveOn && isAfter(effectiveOn, suspendedSince) ? effectiveOn : suspendedSince;
    if (c.deadline && next.status === 'NOTICE_SENT') next.deadline = addDays(c.deadline, Math.max(0, daysBetween(runningSince, date)));
  }
  return transition(c, next, ctx, 'RELEASE_HOLD', { details: { holdId, ...(next.deadline ? { deadline: next.deadline } : {}) } });
}

/** The city withdrew the bills: the case closes and the coins go back. */
export function cancelCase(c: Case, reason: string, ctx: TransitionContext): Transition {
  allow(c, 'CANCEL', OPEN.filter((s) => s !== 'SELLING'));
  const { holdings, releases } = releaseAll(c, 'CANCELLED');
  const notices = releases.length > 0 ? [releaseNotice(c, releases, ctx.settings, today(ctx))] : [];
  return transition(c, { ...c, status: 'CANCELLED', holdings }, ctx, 'CANCEL', { reason, releases, notices, details: releaseDetails(releases) });
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
}

/**
 * Settlement of a sale in one transition: the net proceeds (gross − fee, down to the won; the
 * fraction stays as exchange rounding) are applied in the legal order, a surplus is refunded, and
 * when nothing is owed any more every unsold coin goes back.
 */
export function settleSale(c: Case, outcome: SaleOutcome, ctx: TransitionContext): Transition {
  allow(c, 'SETTLE_SALE', ['SELLING']);
  if (outcome.saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${outcome.saleId}`);
  const gross = sum(outcome.fills.map((f) => f.grossKrw));
  const fee = sum(outcome.fills.map((f) => f.feeKrw));
  const net = floorWon(gross.sub(fee));
  const rounding = gross.sub(fee).sub(net);
  const applied = applyMoney(c, net, outcome.settledOn, ctx.settings, outcome.saleId);

  let holdings = c.holdings.map((h) => {
    const sold = sum(outcome.fills.filter((f) => f.market === h.market).map((f) => f.quantity));
    const dust = sum(outcome.dust.filter((d) => d.market === h.market).map((d) => d.quantity));
    return { ...h, sold: h.sold.add(sold), released: h.released.add(dust) };
  });
  if (holdings.some((h) => available(h).lt(0))) throw new CaseRuleError('OVERSOLD', 'fills and dust exceed the coins in custody');
  const releases: Release[] = outcome.dust.filter((d) => d.quantity.gt(0)).map((d) => ({ ...d, reason: 'DUST' as const }));

  const owed = totalOutstanding(applied.bills);
  const settled: Case = { ...c, bills: applied.bills, holdings, refundPayable: c.refundPayable.add(applied.refund) };
  let status: CaseStatus;
  if (owed.isZero()) {
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
    ...outcome.fills.map((f) => ({ kind: 'SALE_GROSS' as const, source: outcome.saleId, amount: f.grossKrw, market: f.market, quantity: f.quantity })),
    ...outcome.fills.map((f) => ({ kind: 'SALE_FEE' as const, source: outcome.saleId, amount: f.feeKrw, market: f.market })),
    ...(rounding.gt(0) ? [{ kind: 'SALE_ROUNDING' as const, source: outcome.saleId, amount: rounding }] : []),
    ...applied.ledger,
  ];
  const details: Record<string, string> = {
    saleId: outcome.saleId,
    grossKrw: gross.toFixed(),
    feeKrw: fee.toFixed(),
    netKrw: net.toFixed(0),
    allocatedKrw: allocatedTotal(applied.allocations).toFixed(0),
    refundKrw: applied.refund.toFixed(0),
    stillOwedKrw: owed.toFixed(0),
    ...releaseDetails(releases),
  };
  const next: Case = { ...settled, holdings, status, ...(status === 'ON_HOLD' ? { resumeStatus: 'DUE' as const } : {}) };
  if (outcome.stoppedBecause) next.lastError = outcome.stoppedBecause;
  // One notice tells what was sold, how the money was applied and what went back.
  const notices = [saleResultNotice(next, ledger, releases, outcome.startedOn ?? outcome.settledOn, ctx.settings, today(ctx))];
  return transition(c, next, ctx, 'SETTLE_SALE', { reason: outcome.stoppedBecause, details, ledger, releases, notices });
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
  const applied = applyMoney(c, net, fill.settledOn, ctx.settings, fill.saleId);
  let holdings = c.holdings.map((h) => (h.market === fill.market ? { ...h, sold: h.sold.add(fill.quantity) } : h));
  if (!c.holdings.some((h) => h.market === fill.market) || holdings.some((h) => available(h).lt(0))) {
    throw new CaseRuleError('OVERSOLD', `a late fill of ${fill.quantity.toFixed()} ${fill.market} exceeds the coins in custody`);
  }
  const adjusted: Case = { ...c, bills: applied.bills, holdings, refundPayable: c.refundPayable.add(applied.refund) };
  const owed = totalOutstanding(applied.bills);
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
    ...applied.ledger,
  ];
  const next: Case = { ...adjusted, holdings, status };
  const details: Record<string, string> = {
    saleId: fill.saleId,
    identifier: fill.identifier,
    grossKrw: fill.grossKrw.toFixed(),
    feeKrw: fill.feeKrw.toFixed(),
    netKrw: net.toFixed(0),
    allocatedKrw: allocatedTotal(applied.allocations).toFixed(0),
    refundKrw: applied.refund.toFixed(0),
    stillOwedKrw: owed.toFixed(0),
    ...releaseDetails(releases),
  };
  const notices = [saleResultNotice(next, ledger, releases, fill.settledOn, ctx.settings, today(ctx))];
  return transition(c, next, ctx, 'ADJUST_SALE', { reason: 'LATE_FILL', details, ledger, releases, notices });
}

/** A sale that failed before selling anything: the case goes back to DUE, safe, with the error. */
export function failSale(c: Case, saleId: string, error: string, ctx: TransitionContext): Transition {
  allow(c, 'FAIL_SALE', ['SELLING']);
  if (saleId !== c.saleId) throw new CaseRuleError('STALE_SALE', `case is selling ${c.saleId}, not ${saleId}`);
  return transition(c, { ...c, status: 'DUE', lastError: error }, ctx, 'FAIL_SALE', { reason: error, details: { saleId } });
}
