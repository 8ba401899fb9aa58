/**
 * The port through which the rest of the system keeps cases. Types only: the DynamoDB adapter
 * implements it (shared/adapters/dynamodb/case-store.ts); handlers depend on this file alone.
 *
 * A transition is saved whole or not at all: the case over the version it was read at
 * (optimistic locking), its audit event, the ledger entries, notice and release outbox records,
 * payment records, and optionally an idempotency record for the API request that caused it.
 */
import type { AuditEntry, Case, CaseStatus, LedgerEntry, NoticeKind, Release, Transition } from './case';
import type { NoticeContent } from './notices';
import type { LocalDate } from './dates';
import type { ReleaseStatus } from './release';
import type { Decimal } from './money';

/** An opaque position in a listing; absent on the last page. */
export type Cursor = string;

export interface Page<T> {
  items: T[];
  cursor?: Cursor;
}

/** A case as the listing index holds it: enough for an officer's list and for reports. */
export interface CaseSummary {
  cityId: string;
  caseId: string;
  status: CaseStatus;
  createdAt: string;
  updatedAt: string;
  /** Outstanding on the bills as last recorded (not projected to today). */
  arrears: Decimal;
  /** Everything applied to the bills so far (payments and sale proceeds). */
  recovered: Decimal;
  refundPayable: Decimal;
  deadline?: LocalDate;
}

/** A case waiting on a date: NOTICE_SENT (its deadline) or DUE (the date it became due). */
export interface DeadlineEntry {
  cityId: string;
  caseId: string;
  status: CaseStatus;
  date: LocalDate;
}

/** The response an API request produced, kept so a repeat with the same key gets it again. */
export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  cityId: string;
  /** The caller's scope and key, already combined (see functions/api/idempotency.ts). */
  key: string;
  /** Hash of method, path and canonical body: the same key with another request is refused. */
  fingerprint: string;
  response: StoredResponse;
  createdAt: string;
  /** Epoch seconds after which the record may be forgotten (DynamoDB TTL). */
  expiresAt: number;
}

export interface CommitOptions {
  /** Written in the same transaction, so the answer is kept if and only if the change is. */
  idempotency?: IdempotencyRecord;
}

export interface LedgerBatch {
  version: number;
  at: string;
  entries: LedgerEntry[];
}

export type OutboxStatus = 'PENDING' | 'SENT';

export interface NoticeRecord {
  noticeId: string;
  kind: NoticeKind;
  content: NoticeContent;
  version: number;
  createdAt: string;
  status: OutboxStatus;
  /** The channel that took it, once SENT (POST, EMAIL, ...). */
  channel?: string;
}

export interface PaymentRecord {
  paymentId: string;
  amount: Decimal;
  receivedOn?: LocalDate;
  version: number;
  recordedAt: string;
}

export interface ReleaseRecord extends Release {
  releaseId: string;
  version: number;
  createdAt: string;
  status: ReleaseStatus;
}

export interface AuditRecord extends AuditEntry {
  version: number;
}

/** Everything a statement is built from, in the order it happened. */
export interface StatementData {
  case: Case;
  audit: AuditRecord[];
  ledger: LedgerBatch[];
  payments: PaymentRecord[];
  notices: NoticeRecord[];
  releases: ReleaseRecord[];
}

/** Totals over a city's cases, read from the listing index (never from the whole table). */
export interface CityTotals {
  cityId: string;
  byStatus: Partial<Record<CaseStatus, number>>;
  /** Outstanding on open cases, as last recorded. */
  arrearsOutstanding: Decimal;
  recoveredToDate: Decimal;
  refundPayable: Decimal;
  /** Coins in the city's custody not yet sold or released, by market, over open cases. */
  available: Record<string, Decimal>;
}

export interface ListOptions {
  cursor?: Cursor;
  limit?: number;
}

export interface CaseStore {
  /** Saves a new case (transition from registerCase); refuses an existing id, and a city reference an open case holds (CaseRefTakenError). */
  create(transition: Transition, options?: CommitOptions): Promise<void>;
  get(cityId: string, caseId: string): Promise<Case | undefined>;
  /** Several cases of a city at once (strongly consistent, as `get`), by case id; a case not found is absent. */
  getMany(cityId: string, caseIds: readonly string[]): Promise<Map<string, Case>>;
  /** Saves a transition of a case read at `previousVersion`; a newer write wins and this one throws ConcurrencyConflictError. */
  commit(previousVersion: number, transition: Transition, options?: CommitOptions): Promise<void>;
  /** A city's cases in one status (or every status), oldest registration first. */
  listByStatus(cityId: string, status: CaseStatus | undefined, options?: ListOptions): Promise<Page<CaseSummary>>;
  /** How many of a city's cases are in `status` (read from the listing index: it may trail a commit by a moment on AWS). */
  countByStatus(cityId: string, status: CaseStatus): Promise<number>;
  /** Cases of every city waiting on a date strictly before `before` (the daily deadline check). */
  dueByDeadline(before: LocalDate, options?: ListOptions): Promise<Page<DeadlineEntry>>;
  /** Cases of every city in custody, not held back, whose custody became complete on or before `through` (the daily pre-sale notice run); `date` is the custody date. */
  awaitingPreSaleNotice(through: LocalDate, options?: ListOptions): Promise<Page<DeadlineEntry>>;
  statement(cityId: string, caseId: string): Promise<StatementData | undefined>;
  cityTotals(cityId: string): Promise<CityTotals>;
  getIdempotency(cityId: string, key: string, now: Date): Promise<IdempotencyRecord | undefined>;
}

// ---------------------------------------------------------------- errors

/** Someone else saved the case first (or a write raced on it): reload and retry. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  readonly retryable = true;
  constructor(
    readonly cityId: string,
    readonly caseId: string,
    readonly expectedVersion: number,
    readonly currentVersion?: number,
  ) {
    super(
      `case ${caseId} changed since version ${expectedVersion}` +
        (currentVersion === undefined ? '' : ` (now version ${currentVersion})`),
    );
  }
}

export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
  constructor(
    readonly cityId: string,
    readonly caseId: string,
  ) {
    super(`no case ${caseId} in ${cityId}`);
  }
}

export class CaseExistsError extends Error {
  override readonly name = 'CaseExistsError';
  constructor(readonly caseId: string) {
    super(`case ${caseId} exists`);
  }
}

/** A record that may be written once (a payment, an audit event) already exists. */
export class DuplicateRecordError extends Error {
  override readonly name = 'DuplicateRecordError';
  constructor(
    readonly kind: 'PAYMENT' | 'AUDIT' | 'LEDGER' | 'NOTICE' | 'RELEASE' | 'REFUND_PAID',
    readonly id: string,
    /** The case it was recorded on, when that is another case (a payment reference is unique per city). */
    readonly onCase?: string,
  ) {
    super(`${kind.toLowerCase()} ${id} was already recorded` + (onCase ? ` on case ${onCase}` : ''));
  }
}

/** The city already has an open case under this reference of its own system. */
export class CaseRefTakenError extends Error {
  override readonly name = 'CaseRefTakenError';
  constructor(
    readonly cityId: string,
    readonly cityCaseRef: string,
    /** The open case registered under it (undefined if the store could not tell). */
    readonly existingCaseId: string | undefined,
  ) {
    super(
      `the city's case ${cityCaseRef} is already registered` + (existingCaseId ? ` as case ${existingCaseId}` : ''),
    );
  }
}

/** Another request with the same idempotency key was saved first. */
export class IdempotencyKeyTakenError extends Error {
  override readonly name = 'IdempotencyKeyTakenError';
  constructor(readonly key: string) {
    super('the idempotency key was used by a request saved first');
  }
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** The change would not fit DynamoDB's limits (400 KB per item, 100 items per transaction). */
export class StoreLimitError extends Error {
  override readonly name = 'StoreLimitError';
}
