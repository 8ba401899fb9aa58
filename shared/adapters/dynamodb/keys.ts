/**
 * Key builders for the cases table (see table-definition.ts for the layout and why).
 * Ids never contain '#', so every key splits back unambiguously.
 */
import { createHash } from 'node:crypto';
import type { CaseStatus } from '#domain/case';
import type { LocalDate } from '#domain/dates';
import { DEADLINE_SHARDS, OUTBOX_SHARDS } from './table-definition';

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export class UnsafeKeyError extends Error {
  override readonly name = 'UnsafeKeyError';
}

export function safeId(kind: string, id: string): string {
  if (!SAFE_ID.test(id))
    throw new UnsafeKeyError(`${kind} must be 1-128 letters, digits, '.', '_' or '-': ${JSON.stringify(id)}`);
  return id;
}

/** Version numbers padded so that LEDGER# and RELEASE# items sort in the order they happened. */
export const pad = (n: number): string => String(n).padStart(8, '0');

export const casePk = (cityId: string, caseId: string): string =>
  `CITY#${safeId('cityId', cityId)}#CASE#${safeId('caseId', caseId)}`;

export const SK = {
  case: 'CASE',
  audit: (at: string, version: number) => `AUDIT#${at}#${pad(version)}`,
  ledger: (version: number) => `LEDGER#${pad(version)}`,
  notice: (noticeId: string) => `NOTICE#${noticeId}`,
  release: (version: number, index: number) => `RELEASE#${pad(version)}#${index}`,
  payment: (paymentId: string) => `PAYMENT#${safeId('paymentId', paymentId)}`,
  sale: (saleId: string) => `SALE#${saleId}`,
  order: (identifier: string) => `ORDER#${identifier}`,
  idempotency: 'IDEMPOTENCY',
} as const;

/**
 * Orders in doubt, account-wide: one marker per order (`<cityId>#<caseId>#<identifier>`), written
 * and deleted in the same transaction as the order's status, so the scheduled sweep finds every one
 * without a scan or an index.
 */
export const ORDERS_IN_DOUBT_PK = 'ORDERS#IN_DOUBT';
export const inDoubtSk = (cityId: string, caseId: string, identifier: string): string =>
  `${safeId('cityId', cityId)}#${safeId('caseId', caseId)}#${identifier}`;

export const idempotencyPk = (cityId: string, key: string): string =>
  `CITY#${safeId('cityId', cityId)}#IDEMPOTENCY#${key}`;

/**
 * What must be unique across a city's cases, claimed by one item each in the transaction that
 * uses it: the city system's reference of an open case (released when the case closes), and a
 * payment reference (a bank transaction is booked once, on one case, for good).
 */
export const caseRefPk = (cityId: string, cityCaseRef: string): string =>
  `CITY#${safeId('cityId', cityId)}#CASEREF#${safeId('cityCaseRef', cityCaseRef)}`;
export const cityPaymentPk = (cityId: string, paymentId: string): string =>
  `CITY#${safeId('cityId', cityId)}#PAYMENT#${safeId('paymentId', paymentId)}`;
export const CLAIM_SK = 'CLAIM';

/** A stable small number from a string (FNV-1a): spreads index partitions, never changes. */
export function shardOf(value: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export const deadlinePk = (shard: number): string => `DEADLINE#${String(shard).padStart(2, '0')}`;
export const deadlineShard = (cityId: string, caseId: string): string =>
  deadlinePk(shardOf(`${cityId}#${caseId}`, DEADLINE_SHARDS));
export const deadlineSk = (date: LocalDate, cityId: string, caseId: string): string => `${date}#${cityId}#${caseId}`;
export const DEADLINE_PARTITIONS: readonly string[] = Array.from({ length: DEADLINE_SHARDS }, (_, i) => deadlinePk(i));
/** Cases in custody waiting for their pre-sale notice sit in the same index under their own partitions (sorted by custody date). */
export const preSalePk = (shard: number): string => `PRESALE#${String(shard).padStart(2, '0')}`;
export const preSaleShard = (cityId: string, caseId: string): string =>
  preSalePk(shardOf(`${cityId}#${caseId}`, DEADLINE_SHARDS));
export const PRE_SALE_PARTITIONS: readonly string[] = Array.from({ length: DEADLINE_SHARDS }, (_, i) => preSalePk(i));

export const statusPk = (cityId: string, status: CaseStatus): string =>
  `CITY#${safeId('cityId', cityId)}#STATUS#${status}`;
export const statusSk = (createdAt: string, caseId: string): string => `${createdAt}#${caseId}`;

export const outboxPk = (shard: number): string => `OUTBOX#${String(shard).padStart(2, '0')}`;
export const outboxShard = (cityId: string, caseId: string): string =>
  outboxPk(shardOf(`${cityId}#${caseId}`, OUTBOX_SHARDS));
export const OUTBOX_PARTITIONS: readonly string[] = Array.from({ length: OUTBOX_SHARDS }, (_, i) => outboxPk(i));

/** A city's open releases, in the outbox index under their own partition (the sweeper reads only OUTBOX#nn). */
export const releasesPk = (cityId: string): string => `CITY#${safeId('cityId', cityId)}#RELEASES`;

/**
 * A city's money journal, written in the transaction that caused each line: `KRW#<day>#…` what a
 * settlement left in KRW at the exchange (gross − fee) and what an officer confirmed moved to the
 * treasury (negative); `REFUND#<day>#…` a refund that became payable. Days are Korean dates, so a
 * day's refund file or transfer is one query.
 */
export const journalPk = (cityId: string): string => `CITY#${safeId('cityId', cityId)}#JOURNAL`;
export const journalSk = (kind: 'KRW' | 'REFUND', day: LocalDate, at: string, id: string): string =>
  `${kind}#${day}#${at}#${id}`;
/** Refund instructions and their payments, beside the lines (journal-store.ts). */
export const INSTRUCTION_PREFIX = 'INSTRUCTION#';
export const PAID_PREFIX = 'PAID#';
export const instructionSk = (instructionId: string): string =>
  `${INSTRUCTION_PREFIX}${safeId('instructionId', instructionId)}`;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// Prices (written by the price poller; exchange-wide, not per city) and each city's coverage sheet.
//   PRICE#<market> / LATEST                        the latest price, flags included
//   PRICE#<market>#<yyyy-mm-dd> / <minute>         one point per market per minute (UTC day), TTL
//   CITY#<cityId>#COVERAGE / PART#<nnnn>           the city's open cases' coverage, in parts
export const pricePk = (market: string): string => `PRICE#${safeId('market', market)}`;
export const priceSeriesPk = (market: string, utcDay: string): string => `PRICE#${safeId('market', market)}#${utcDay}`;
export const coveragePk = (cityId: string): string => `CITY#${safeId('cityId', cityId)}#COVERAGE`;
export const PRICE_SK = {
  latest: 'LATEST',
  /** An instant cut to its minute, ISO 8601 UTC (`2024-08-05T00:01:00Z`): sorts in time order. */
  minute: (at: Date): string =>
    `${new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString().slice(0, 16)}:00Z`,
  coveragePart: (index: number): string => `PART#${String(index).padStart(4, '0')}`,
} as const;
