/**
 * Idempotency of every POST, PUT and DELETE. The answer to a change is stored in the same
 * transaction as the change itself (an IDEMPOTENCY item with a TTL in the cases table), so an
 * answer exists exactly when the change does: a repeat with the same key and the same request
 * gets the first answer and writes nothing; the same key with another request is refused (422).
 * A request that was refused changed nothing and stores nothing: it may be retried with its key.
 * Nothing is read before a change: the transaction's condition on the record (attribute_not_exists,
 * or expired) detects a repeat, and only then is the saved answer read and compared.
 *
 * Why not Powertools idempotency: it saves the answer after the handler, in a second write, so a
 * crash between the two leaves a change without its answer (the retry then hits the domain's
 * refusal instead of the first answer), and its in-progress lock adds a write to every request.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { IdempotencyRecord } from '#domain/case-store';
import { invalid, Problem } from './problem';
import type { Caller } from './roles';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The header's value: visible ASCII, at most 255 characters (a quoted structured-field string is unquoted). */
export function parseIdempotencyKey(value: string | undefined): string {
  const key = value?.trim().replace(/^"(.*)"$/, '$1');
  if (!key)
    throw invalid([{ in: 'header', name: IDEMPOTENCY_HEADER, detail: 'is required on every POST, PUT and DELETE' }]);
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw invalid([{ in: 'header', name: IDEMPOTENCY_HEADER, detail: 'must be 1-255 visible ASCII characters' }]);
  return key;
}

/** Keys are the caller's own: two callers choosing the same key never meet. */
export const scopedKey = (caller: Caller, key: string): string => sha256(`${caller.principal}\n${key}`);

/** JSON with keys sorted, so a reordered or re-spaced body is the same request. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const fingerprint = (method: string, path: string, query: unknown, body: unknown): string =>
  sha256(`${method}\n${path}\n${canonical(query ?? {})}\n${canonical(body ?? null)}`);

/** The first answer again, or a refusal when the key came with another request. */
export function replay(record: IdempotencyRecord, requestFingerprint: string): APIGatewayProxyResult {
  if (record.fingerprint !== requestFingerprint) {
    throw new Problem(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      `this ${IDEMPOTENCY_HEADER} was used for a different request; use a new key for a new request`,
      {
        errors: [{ in: 'header', name: IDEMPOTENCY_HEADER, detail: 'was used for a different request' }],
      },
    );
  }
  return {
    statusCode: record.response.statusCode,
    headers: { ...record.response.headers, 'Idempotent-Replayed': 'true' },
    body: record.response.body,
  };
}
