/**
 * Upbit request signing: a JWT signed with HS512 whose payload carries `access_key`, a fresh UUID
 * `nonce` and, when the request has parameters, `query_hash` (SHA-512 hex of the unescaped query
 * string `k=v&k=v` in the order sent; for a POST, the JSON body's fields in body order) with
 * `query_hash_alg: 'SHA512'`. node:crypto only: the scheme is small and this keeps it auditable.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

/** Ordered request parameters; order matters because the hash covers the string as sent. */
export type Params = ReadonlyArray<readonly [string, string]>;

/** The string Upbit hashes: `k=v&k=v`, not percent-encoded. */
export function queryStringForHash(params: Params): string {
  return params.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The same parameters percent-encoded for the URL. */
export function encodeQuery(params: Params): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export interface SignInput {
  accessKey: string;
  secretKey: string;
  params?: Params;
  /** Fixed only in tests; a fresh UUID v4 otherwise. */
  nonce?: string;
}

export function signUpbitToken(input: SignInput): string {
  const payload: Record<string, string> = { access_key: input.accessKey, nonce: input.nonce ?? randomUUID() };
  if (input.params && input.params.length > 0) {
    payload.query_hash = sha512Hex(queryStringForHash(input.params));
    payload.query_hash_alg = 'SHA512';
  }
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha512', input.secretKey).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
