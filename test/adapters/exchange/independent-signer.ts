/**
 * Upbit's token scheme written out again with node:crypto, separately from the code under test, so
 * the tests check the client's signer and the simulator's verifier against a second implementation.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface TokenParts {
  accessKey: string;
  secretKey: string;
  /** Unescaped `k=v&k=v`, or undefined for a request without parameters. */
  query?: string;
  nonce?: string;
  alg?: string;
  /** HMAC digest; by default the one `alg` names (SHA-512 for anything but HS256). */
  digest?: 'sha256' | 'sha512';
  /** Override the hash (to forge a bad one). */
  queryHash?: string;
}

export function token(p: TokenParts): string {
  const header = b64url(`{"alg":"${p.alg ?? 'HS512'}","typ":"JWT"}`);
  const nonce = p.nonce ?? randomUUID();
  let payload = `{"access_key":"${p.accessKey}","nonce":"${nonce}"`;
  if (p.query !== undefined || p.queryHash !== undefined) {
    const hash =
      p.queryHash ??
      createHash('sha512')
        .update(p.query ?? '')
        .digest('hex');
    payload += `,"query_hash":"${hash}","query_hash_alg":"SHA512"`;
  }
  payload += '}';
  const body = `${header}.${b64url(payload)}`;
  const sig = createHmac(p.digest ?? (p.alg === 'HS256' ? 'sha256' : 'sha512'), Buffer.from(p.secretKey, 'utf8'))
    .update(body)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return `${body}.${sig}`;
}
