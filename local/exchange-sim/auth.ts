/**
 * Request authentication as the exchange does it, written independently of the client's signer:
 * `Authorization: Bearer <JWT>`, HS512 (what Upbit's current documentation shows) or HS256 (what its
 * earlier documentation recommended and ccxt still sends), signature checked with the secret of the token's
 * `access_key`, each `nonce` accepted once, and `query_hash` (SHA-512 hex of the unescaped query
 * string, or of the JSON body's fields as `k=v&...` in body order) compared with what was received.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AuthFailure {
  ok: false;
  name: string;
  message: string;
}

/** `accessKey` names the account: the key it was opened with, whatever key signed the request. */
export type AuthResult = { ok: true; accessKey: string } | AuthFailure;

const HMAC: Record<string, string> = { HS512: 'sha512', HS256: 'sha256' };

function fail(name: string, message: string): AuthFailure {
  return { ok: false, name, message };
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The access key a token claims, unverified (used only to pick the rate-limit bucket). */
export function claimedAccessKey(authorization: string | undefined): string | undefined {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const payload = token ? decodeJson(token.split('.')[1] ?? '') : undefined;
  return typeof payload?.access_key === 'string' ? payload.access_key : undefined;
}

export class Authenticator {
  private readonly usedNonces = new Map<string, Set<string>>();
  /** A rotated key's account: the access key the account was opened with. */
  private readonly accounts = new Map<string, string>();

  constructor(private readonly secrets: Map<string, string>) {}

  /** Issues a new key pair for the account of `accessKey` and revokes that key (as on Upbit's website). */
  rotate(accessKey: string, next: { accessKey: string; secretKey: string }): void {
    if (!this.secrets.delete(accessKey)) throw new Error('no such access key');
    this.secrets.set(next.accessKey, next.secretKey);
    this.accounts.set(next.accessKey, this.accounts.get(accessKey) ?? accessKey);
  }

  /** `hashedQuery` is the string the exchange hashes ('' when the request has no parameters). */
  verify(authorization: string | undefined, hashedQuery: string): AuthResult {
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) return fail('jwt_verification', 'Authorization: Bearer <JWT> required');
    const [h, p, s] = token.split('.') as [string, string, string];
    const header = decodeJson(h);
    const payload = decodeJson(p);
    if (!header || !payload) return fail('jwt_verification', 'malformed token');
    const hmac = HMAC[String(header.alg)];
    if (!hmac) return fail('jwt_verification', `unsupported alg ${String(header.alg)}`);
    const accessKey = payload.access_key;
    if (typeof accessKey !== 'string') return fail('invalid_query_payload', 'access_key missing');
    const secret = this.secrets.get(accessKey);
    if (secret === undefined) return fail('invalid_access_key', 'unknown access key');
    const expected = createHmac(hmac, secret).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return fail('jwt_verification', 'signature does not verify');
    const nonce = payload.nonce;
    if (typeof nonce !== 'string' || nonce.length === 0) return fail('invalid_query_payload', 'nonce missing');

    const hash = payload.query_hash;
    if (hashedQuery !== '' || hash !== undefined) {
      const alg = payload.query_hash_alg ?? 'SHA512';
      if (alg !== 'SHA512') return fail('invalid_query_payload', `unsupported query_hash_alg ${JSON.stringify(alg)}`);
      const want = createHash('sha512').update(hashedQuery, 'utf8').digest('hex');
      if (typeof hash !== 'string' || hash !== want)
        return fail('invalid_query_payload', 'query_hash does not match the request');
    }

    let used = this.usedNonces.get(accessKey);
    if (!used) this.usedNonces.set(accessKey, (used = new Set()));
    if (used.has(nonce)) return fail('nonce_used', 'nonce already used');
    used.add(nonce);
    return { ok: true, accessKey: this.accounts.get(accessKey) ?? accessKey };
  }
}
