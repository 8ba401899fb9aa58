/**
 * Case and records to DynamoDB items and back. Money and quantities are decimal strings; the only
 * Number attributes are counters (version, saleAttempts) and the TTL, read through `wrapNumbers`.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { Credit } from '#domain/account';
import { billHead, type AssessedBill } from '#domain/bills';
import type {
  AuditEntry,
  Case,
  CaseStatus,
  Hold,
  Holding,
  LedgerEntry,
  NoticeIntent,
  NoticeService,
  Release,
  SaleRequest,
} from '#domain/case';
import { available } from '#domain/case';
import type {
  AuditRecord,
  CaseSummary,
  DeadlineEntry,
  LedgerBatch,
  NoticeRecord,
  PaymentRecord,
  ReleaseRecord,
} from '#domain/case-store';
import { addDays, kstDate, type LocalDate } from '#domain/dates';
import { Decimal, sum, wonString } from '#domain/money';
import {
  casePk,
  deadlineShard,
  deadlineSk,
  journalPk,
  journalSk,
  outboxShard,
  preSaleShard,
  releasesPk,
  SK,
  statusPk,
  statusSk,
} from './keys';

export type Item = Record<string, unknown>;

/** The statuses in which a case waits on a date and therefore sits in the deadline index. */
export const WAITING_STATUSES: readonly CaseStatus[] = ['NOTICE_SENT', 'DUE'];

export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

// ---------------------------------------------------------------- reading helpers

export function int(value: unknown, name: string): number {
  const text = value instanceof NumberValue ? value.value : typeof value === 'number' ? String(value) : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) throw new CorruptItemError(`${name} is not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CorruptItemError(`${name} is out of range`);
  return n;
}

export function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new CorruptItemError(`${name} is not a string`);
  return value;
}

const optStr = (value: unknown, name: string): string | undefined =>
  value === undefined ? undefined : str(value, name);

export function dec(value: unknown, name: string): Decimal {
  // Decimal strings only: a Number here would mean something wrote money as a float.
  return new Decimal(str(value, name));
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CorruptItemError(`${name} is not a map`);
  return value as Record<string, unknown>;
}

function list(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new CorruptItemError(`${name} is not a list`);
  return value;
}

const strings = (value: unknown, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(record(value ?? {}, name)).map(([k, v]) => [k, str(v, `${name}.${k}`)]));

// ---------------------------------------------------------------- case

// The city's figures only (docs/LEGAL.md "Payments are dated facts"): no projection, no payment.
function billOut(b: AssessedBill): Item {
  return {
    ...billHead(b),
    cost: wonString(b.cost),
    tax: wonString(b.tax),
    surcharge: wonString(b.surcharge),
    surchargeAsOf: b.surchargeAsOf,
  };
}

function billIn(v: unknown): AssessedBill {
  const m = record(v, 'bill');
  const liabilityDate = optStr(m.liabilityDate, 'bill.liabilityDate');
  return {
    billId: str(m.billId, 'bill.billId'),
    taxItem: str(m.taxItem, 'bill.taxItem'),
    provincial: m.provincial === true,
    ...(liabilityDate ? { liabilityDate } : {}),
    dueDate: str(m.dueDate, 'bill.dueDate'),
    cost: dec(m.cost, 'bill.cost'),
    tax: dec(m.tax, 'bill.tax'),
    surcharge: dec(m.surcharge, 'bill.surcharge'),
    surchargeAsOf: str(m.surchargeAsOf, 'bill.surchargeAsOf'),
  };
}

const creditOut = (c: Credit): Item => ({ source: c.source, kind: c.kind, amount: wonString(c.amount), on: c.on });

function creditIn(v: unknown): Credit {
  const m = record(v, 'credit');
  const kind = str(m.kind, 'credit.kind');
  if (kind !== 'PAYMENT' && kind !== 'SALE') throw new CorruptItemError(`credit.kind is not a credit kind: ${kind}`);
  return {
    source: str(m.source, 'credit.source'),
    kind,
    amount: dec(m.amount, 'credit.amount'),
    on: str(m.on, 'credit.on'),
  };
}

const holdingOut = (h: Holding): Item => ({
  market: h.market,
  seized: h.seized.toFixed(),
  inCustody: h.inCustody.toFixed(),
  sold: h.sold.toFixed(),
  released: h.released.toFixed(),
});

function holdingIn(v: unknown): Holding {
  const m = record(v, 'holding');
  return {
    market: str(m.market, 'holding.market'),
    seized: dec(m.seized, 'holding.seized'),
    inCustody: dec(m.inCustody, 'holding.inCustody'),
    sold: dec(m.sold, 'holding.sold'),
    released: dec(m.released, 'holding.released'),
  };
}

function holdIn(v: unknown): Hold {
  const m = record(v, 'hold');
  const to = optStr(m.to, 'hold.to');
  return {
    holdId: str(m.holdId, 'hold.holdId'),
    kind: str(m.kind, 'hold.kind') as Hold['kind'],
    reason: str(m.reason, 'hold.reason'),
    from: str(m.from, 'hold.from'),
    ...(to ? { to } : {}),
  };
}

const saleRequestOut = (r: SaleRequest): Item => ({
  requestId: r.requestId,
  requestedAt: r.requestedAt,
  ...(r.requestedBy ? { requestedBy: r.requestedBy } : {}),
  limitPrices: Object.fromEntries(Object.entries(r.limitPrices).map(([m, p]) => [m, p.toFixed()])),
  evidence: { ...r.evidence },
});

function saleRequestIn(v: unknown): SaleRequest {
  const m = record(v, 'saleRequest');
  return {
    requestId: str(m.requestId, 'saleRequest.requestId'),
    requestedAt: str(m.requestedAt, 'saleRequest.requestedAt'),
    ...(m.requestedBy !== undefined ? { requestedBy: str(m.requestedBy, 'saleRequest.requestedBy') } : {}),
    limitPrices: Object.fromEntries(
      Object.entries(strings(m.limitPrices, 'saleRequest.limitPrices')).map(([k, p]) => [k, new Decimal(p)]),
    ),
    evidence: evidenceIn(m.evidence),
  };
}

/** Requests recorded before evidence was asked for read as relayed by an unknown hand. */
function evidenceIn(v: unknown): SaleRequest['evidence'] {
  if (v === undefined) return { relayedBy: 'unrecorded', receivedAt: '', channel: 'ONLINE' };
  const e = strings(v, 'saleRequest.evidence');
  return {
    relayedBy: e.relayedBy ?? '',
    receivedAt: e.receivedAt ?? '',
    channel: (e.channel ?? 'ONLINE') as SaleRequest['evidence']['channel'],
    ...(e.reference ? { reference: e.reference } : {}),
  };
}

const serviceOut = (n: NoticeService): Item => ({
  noticeId: n.noticeId,
  issuedOn: n.issuedOn,
  ...(n.deliveredOn ? { deliveredOn: n.deliveredOn } : {}),
  ...(n.failed ? { failed: { ...n.failed } } : {}),
  ...(n.publicNotice ? { publicNotice: { ...n.publicNotice } } : {}),
  ...(n.effectiveOn ? { effectiveOn: n.effectiveOn } : {}),
});

function serviceIn(v: unknown): NoticeService {
  const m = record(v, 'preSaleNotice');
  const n: NoticeService = {
    noticeId: str(m.noticeId, 'preSaleNotice.noticeId'),
    issuedOn: str(m.issuedOn, 'preSaleNotice.issuedOn'),
  };
  const deliveredOn = optStr(m.deliveredOn, 'preSaleNotice.deliveredOn');
  if (deliveredOn) n.deliveredOn = deliveredOn;
  if (m.failed !== undefined) {
    const f = record(m.failed, 'preSaleNotice.failed');
    n.failed = { on: str(f.on, 'preSaleNotice.failed.on'), reason: str(f.reason, 'preSaleNotice.failed.reason') };
  }
  if (m.publicNotice !== undefined) {
    const p = record(m.publicNotice, 'preSaleNotice.publicNotice');
    n.publicNotice = {
      postedOn: str(p.postedOn, 'publicNotice.postedOn'),
      effectiveOn: str(p.effectiveOn, 'publicNotice.effectiveOn'),
      orderedBy: str(p.orderedBy, 'publicNotice.orderedBy'),
    };
  }
  const effectiveOn = optStr(m.effectiveOn, 'preSaleNotice.effectiveOn');
  if (effectiveOn) n.effectiveOn = effectiveOn;
  return n;
}

/**
 * The last day a waiting case waits on, or undefined when it waits on nothing. The deadline check
 * acts on entries whose date is before today: a NOTICE_SENT case after its deadline (no sale on
 * the deadline itself), a DUE case from the day it became due (the day before a taxpayer's request,
 * so a same-day request is picked up the same day).
 */
export function waitDate(c: Case): LocalDate | undefined {
  if (c.status === 'NOTICE_SENT') return c.deadline;
  if (c.status !== 'DUE') return undefined;
  const candidates = [c.deadline, c.saleRequest ? addDays(kstDate(c.saleRequest.requestedAt), -1) : undefined].filter(
    (d): d is LocalDate => d !== undefined,
  );
  return candidates.sort()[0] ?? addDays(kstDate(c.updatedAt), -1);
}

/** A case in custody whose pre-sale notice is to go out (not held back): its custody date, for the daily notice run. */
export const awaitingNoticeSince = (c: Case): LocalDate | undefined =>
  c.status === 'IN_CUSTODY' && !c.preSaleNoticeHeld ? c.custodyOn : undefined;

function deadlineIndexKeys(c: Case): Item {
  const wait = waitDate(c);
  if (wait)
    return { waitDate: wait, GSI1PK: deadlineShard(c.cityId, c.caseId), GSI1SK: deadlineSk(wait, c.cityId, c.caseId) };
  const since = awaitingNoticeSince(c);
  if (since)
    return { waitDate: since, GSI1PK: preSaleShard(c.cityId, c.caseId), GSI1SK: deadlineSk(since, c.cityId, c.caseId) };
  return {};
}

export function caseToItem(c: Case): Item {
  return {
    PK: casePk(c.cityId, c.caseId),
    SK: SK.case,
    recordType: 'CASE',
    cityId: c.cityId,
    caseId: c.caseId,
    cityCaseRef: c.cityCaseRef,
    status: c.status,
    version: c.version,
    taxpayer: { ref: c.taxpayer.ref, name: c.taxpayer.name, contact: { ...c.taxpayer.contact } },
    bills: c.bills.map(billOut),
    credits: c.credits.map(creditOut),
    balance: { owedKrw: wonString(c.balance.owed), recoveredKrw: wonString(c.balance.recovered), asOf: c.balance.asOf },
    holdings: c.holdings.map(holdingOut),
    holds: c.holds.map((h) => ({ ...h })),
    ...(c.resumeStatus ? { resumeStatus: c.resumeStatus } : {}),
    ...(c.custodyOn ? { custodyOn: c.custodyOn } : {}),
    ...(c.preSaleNoticeHeld ? { preSaleNoticeHeld: { ...c.preSaleNoticeHeld } } : {}),
    ...(c.preSaleNotice ? { preSaleNotice: serviceOut(c.preSaleNotice) } : {}),
    ...(c.deadline ? { deadline: c.deadline } : {}),
    ...(c.saleRequest ? { saleRequest: saleRequestOut(c.saleRequest) } : {}),
    ...(c.saleId ? { saleId: c.saleId } : {}),
    saleAttempts: c.saleAttempts,
    ...(c.saleApproval
      ? { saleApproval: { saleId: c.saleApproval.saleId, approvals: c.saleApproval.approvals.map((a) => ({ ...a })) } }
      : {}),
    ...(c.saleStop ? { saleStop: { ...c.saleStop } } : {}),
    ...(c.changedBy ? { changedBy: { ...c.changedBy } } : {}),
    paymentIds: [...c.paymentIds],
    refundPayableKrw: wonString(c.refundPayable),
    ...(c.lastError ? { lastError: c.lastError } : {}),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    // Denormalised for the listing index and the summary report.
    arrearsKrw: wonString(c.balance.owed),
    recoveredKrw: wonString(c.balance.recovered),
    available: Object.fromEntries(c.holdings.map((h) => [h.market, available(h).toFixed()])),
    GSI2PK: statusPk(c.cityId, c.status),
    GSI2SK: statusSk(c.createdAt, c.caseId),
    // Sparse: only a case waiting on a date (a deadline, or its pre-sale notice) is in the deadline index.
    ...deadlineIndexKeys(c),
  };
}

function balanceIn(v: unknown): Case['balance'] {
  const m = record(v, 'balance');
  return {
    owed: dec(m.owedKrw, 'balance.owedKrw'),
    recovered: dec(m.recoveredKrw, 'balance.recoveredKrw'),
    asOf: str(m.asOf, 'balance.asOf'),
  };
}

export function itemToCase(item: Item): Case {
  const taxpayer = record(item.taxpayer, 'taxpayer');
  const contact = strings(taxpayer.contact, 'taxpayer.contact');
  const c: Case = {
    cityId: str(item.cityId, 'cityId'),
    caseId: str(item.caseId, 'caseId'),
    cityCaseRef: str(item.cityCaseRef, 'cityCaseRef'),
    taxpayer: { ref: str(taxpayer.ref, 'taxpayer.ref'), name: str(taxpayer.name, 'taxpayer.name'), contact },
    status: str(item.status, 'status') as CaseStatus,
    version: int(item.version, 'version'),
    bills: list(item.bills, 'bills').map(billIn),
    credits: list(item.credits, 'credits').map(creditIn),
    balance: balanceIn(item.balance),
    holdings: list(item.holdings, 'holdings').map(holdingIn),
    holds: list(item.holds, 'holds').map(holdIn),
    saleAttempts: int(item.saleAttempts, 'saleAttempts'),
    paymentIds: list(item.paymentIds, 'paymentIds').map((p) => str(p, 'paymentId')),
    refundPayable: dec(item.refundPayableKrw, 'refundPayableKrw'),
    createdAt: str(item.createdAt, 'createdAt'),
    updatedAt: str(item.updatedAt, 'updatedAt'),
  };
  if (item.resumeStatus !== undefined) c.resumeStatus = str(item.resumeStatus, 'resumeStatus') as CaseStatus;
  if (item.deadline !== undefined) c.deadline = str(item.deadline, 'deadline');
  if (item.custodyOn !== undefined) c.custodyOn = str(item.custodyOn, 'custodyOn');
  if (item.preSaleNoticeHeld !== undefined) {
    const h = record(item.preSaleNoticeHeld, 'preSaleNoticeHeld');
    c.preSaleNoticeHeld = {
      by: str(h.by, 'preSaleNoticeHeld.by'),
      at: str(h.at, 'preSaleNoticeHeld.at'),
      reason: str(h.reason, 'preSaleNoticeHeld.reason'),
    };
  }
  if (item.preSaleNotice !== undefined) c.preSaleNotice = serviceIn(item.preSaleNotice);
  if (item.saleRequest !== undefined) c.saleRequest = saleRequestIn(item.saleRequest);
  if (item.saleId !== undefined) c.saleId = str(item.saleId, 'saleId');
  if (item.lastError !== undefined) c.lastError = str(item.lastError, 'lastError');
  if (item.saleApproval !== undefined) {
    const a = record(item.saleApproval, 'saleApproval');
    c.saleApproval = {
      saleId: str(a.saleId, 'saleApproval.saleId'),
      approvals: list(a.approvals, 'saleApproval.approvals').map((v) => {
        const m = record(v, 'approval');
        return { by: str(m.by, 'approval.by'), at: str(m.at, 'approval.at') };
      }),
    };
  }
  if (item.saleStop !== undefined) {
    const m = record(item.saleStop, 'saleStop');
    c.saleStop = {
      saleId: str(m.saleId, 'saleStop.saleId'),
      by: str(m.by, 'saleStop.by'),
      at: str(m.at, 'saleStop.at'),
      reason: str(m.reason, 'saleStop.reason'),
    };
  }
  if (item.changedBy !== undefined) {
    const m = strings(item.changedBy, 'changedBy');
    c.changedBy = { ...(m.bills ? { bills: m.bills } : {}), ...(m.holds ? { holds: m.holds } : {}) };
  }
  return c;
}

export function itemToSummary(item: Item): CaseSummary {
  const deadline = optStr(item.deadline, 'deadline');
  return {
    cityId: str(item.cityId, 'cityId'),
    caseId: str(item.caseId, 'caseId'),
    status: str(item.status, 'status') as CaseStatus,
    createdAt: str(item.createdAt, 'createdAt'),
    updatedAt: str(item.updatedAt, 'updatedAt'),
    arrears: dec(item.arrearsKrw, 'arrearsKrw'),
    recovered: dec(item.recoveredKrw, 'recoveredKrw'),
    refundPayable: dec(item.refundPayableKrw, 'refundPayableKrw'),
    ...(deadline ? { deadline } : {}),
  };
}

export const itemToDeadline = (item: Item): DeadlineEntry => ({
  cityId: str(item.cityId, 'cityId'),
  caseId: str(item.caseId, 'caseId'),
  status: str(item.status, 'status') as CaseStatus,
  date: str(item.waitDate, 'waitDate'),
});

export const availableOf = (item: Item): Record<string, Decimal> =>
  Object.fromEntries(Object.entries(strings(item.available, 'available')).map(([m, q]) => [m, new Decimal(q)]));

// ---------------------------------------------------------------- records of a transition

const base = (c: Case, sk: string, recordType: string): Item => ({
  PK: casePk(c.cityId, c.caseId),
  SK: sk,
  recordType,
  cityId: c.cityId,
  caseId: c.caseId,
});

export function auditToItem(c: Case, a: AuditEntry): Item {
  return {
    ...base(c, SK.audit(a.at, c.version), 'AUDIT'),
    version: c.version,
    at: a.at,
    actor: { kind: a.actor.kind, id: a.actor.id },
    action: a.action,
    before: a.before,
    after: a.after,
    ...(a.reason ? { reason: a.reason } : {}),
    details: { ...a.details },
  };
}

export function itemToAudit(item: Item): AuditRecord {
  const actor = record(item.actor, 'actor');
  const reason = optStr(item.reason, 'reason');
  return {
    version: int(item.version, 'version'),
    at: str(item.at, 'at'),
    actor: { kind: str(actor.kind, 'actor.kind') as AuditRecord['actor']['kind'], id: str(actor.id, 'actor.id') },
    action: str(item.action, 'action'),
    before: item.before === null ? null : (str(item.before, 'before') as CaseStatus),
    after: str(item.after, 'after') as CaseStatus,
    ...(reason ? { reason } : {}),
    details: strings(item.details, 'details'),
  };
}

const ledgerEntryOut = (e: LedgerEntry): Item => ({
  kind: e.kind,
  source: e.source,
  amount: e.amount.toFixed(),
  ...(e.billId ? { billId: e.billId } : {}),
  ...(e.component ? { component: e.component } : {}),
  ...(e.market ? { market: e.market } : {}),
  ...(e.quantity ? { quantity: e.quantity.toFixed() } : {}),
});

function ledgerEntryIn(v: unknown): LedgerEntry {
  const m = record(v, 'ledger entry');
  const e: LedgerEntry = {
    kind: str(m.kind, 'kind') as LedgerEntry['kind'],
    source: str(m.source, 'source'),
    amount: dec(m.amount, 'amount'),
  };
  if (m.billId !== undefined) e.billId = str(m.billId, 'billId');
  if (m.component !== undefined) e.component = str(m.component, 'component') as LedgerEntry['component'];
  if (m.market !== undefined) e.market = str(m.market, 'market');
  if (m.quantity !== undefined) e.quantity = dec(m.quantity, 'quantity');
  return e;
}

export const ledgerToItem = (c: Case, at: string, entries: LedgerEntry[]): Item => ({
  ...base(c, SK.ledger(c.version), 'LEDGER'),
  version: c.version,
  at,
  entries: entries.map(ledgerEntryOut),
});

export const itemToLedger = (item: Item): LedgerBatch => ({
  version: int(item.version, 'version'),
  at: str(item.at, 'at'),
  entries: list(item.entries, 'entries').map(ledgerEntryIn),
});

export const noticeToItem = (c: Case, at: string, n: NoticeIntent): Item => ({
  ...base(c, SK.notice(n.noticeId), 'NOTICE'),
  noticeId: n.noticeId,
  kind: n.kind,
  // The content is plain strings and small integers: stored as JSON text, read back exactly.
  content: JSON.stringify(n.content),
  version: c.version,
  createdAt: at,
  outboxStatus: 'PENDING',
  // Sparse outbox index: the dispatcher removes these when the notice is handed to a channel.
  GSI3PK: outboxShard(c.cityId, c.caseId),
  GSI3SK: `${at}#${c.cityId}#${c.caseId}#${n.noticeId}`,
});

export const itemToNotice = (item: Item): NoticeRecord => ({
  noticeId: str(item.noticeId, 'noticeId'),
  kind: str(item.kind, 'kind') as NoticeRecord['kind'],
  content: JSON.parse(str(item.content, 'content')) as NoticeRecord['content'],
  version: int(item.version, 'version'),
  createdAt: str(item.createdAt, 'createdAt'),
  status: str(item.outboxStatus, 'outboxStatus') as NoticeRecord['status'],
  ...(typeof item.channel === 'string' ? { channel: item.channel } : {}),
});

export const releaseToItem = (c: Case, at: string, r: Release, index: number): Item => {
  const releaseId = `${c.caseId}.v${c.version}.r${index}`;
  return {
    ...base(c, SK.release(c.version, index), 'RELEASE'),
    releaseId,
    market: r.market,
    quantity: r.quantity.toFixed(),
    reason: r.reason,
    version: c.version,
    createdAt: at,
    releaseStatus: 'PENDING',
    revision: 0,
    approvals: [],
    history: [],
    updatedAt: at,
    // The city's open releases (sparse: a DONE release leaves). Not the notice outbox partitions:
    // the outbox sweeper never reads a release.
    GSI3PK: releasesPk(c.cityId),
    GSI3SK: `${at}#${c.caseId}#${releaseId}`,
  };
};

export const itemToRelease = (item: Item): ReleaseRecord => ({
  releaseId: str(item.releaseId, 'releaseId'),
  market: str(item.market, 'market'),
  quantity: dec(item.quantity, 'quantity'),
  reason: str(item.reason, 'reason') as ReleaseRecord['reason'],
  version: int(item.version, 'version'),
  createdAt: str(item.createdAt, 'createdAt'),
  status: str(item.releaseStatus, 'releaseStatus') as ReleaseRecord['status'],
});

export const paymentToItem = (
  c: Case,
  at: string,
  paymentId: string,
  amount: Decimal,
  receivedOn: string | undefined,
): Item => ({
  ...base(c, SK.payment(paymentId), 'PAYMENT'),
  paymentId,
  amount: wonString(amount),
  ...(receivedOn ? { receivedOn } : {}),
  version: c.version,
  recordedAt: at,
});

export const itemToPayment = (item: Item): PaymentRecord => {
  const receivedOn = optStr(item.receivedOn, 'receivedOn');
  return {
    paymentId: str(item.paymentId, 'paymentId'),
    amount: dec(item.amount, 'amount'),
    ...(receivedOn ? { receivedOn } : {}),
    version: int(item.version, 'version'),
    recordedAt: str(item.recordedAt, 'recordedAt'),
  };
};

/**
 * The city journal lines a transition's ledger causes: the KRW a settlement leaves at the exchange
 * (gross − fee, fractions included: the exchange credits exactly that) and any refund made payable.
 */
export function journalLines(c: Case, at: string, ledger: readonly LedgerEntry[]): Item[] {
  const day = kstDate(at);
  const id = `${c.caseId}#v${c.version}`;
  const line = (kind: 'KRW' | 'REFUND', amount: Decimal, source: string): Item => ({
    PK: journalPk(c.cityId),
    SK: journalSk(kind, day, at, id),
    recordType: 'JOURNAL',
    kind,
    cityId: c.cityId,
    caseId: c.caseId,
    source,
    day,
    at,
    amount: amount.toFixed(),
  });
  const lines: Item[] = [];
  const sale = ledger.filter((e) => e.kind === 'SALE_GROSS' || e.kind === 'SALE_FEE');
  if (sale.length > 0) {
    const net = sum(sale.map((e) => (e.kind === 'SALE_GROSS' ? e.amount : e.amount.neg())));
    lines.push(line('KRW', net, sale[0]!.source));
  }
  const refunds = ledger.filter((e) => e.kind === 'REFUND');
  if (refunds.length > 0) lines.push(line('REFUND', sum(refunds.map((e) => e.amount)), refunds[0]!.source));
  return lines;
}
