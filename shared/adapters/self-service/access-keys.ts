/**
 * The taxpayer's keys to the self-service page (docs/SELF_SERVICE.md "Link, second check, session").
 * One secret of its own (Secrets Manager, never the exchange keys) gives three keys by HKDF:
 *
 *  - the link key signs the code printed on the notice: HMAC-SHA256 over city, case, notice and
 *    expiry, cut to 80 bits and written as 16 Crockford base-32 characters. A MAC, not a JWS: the
 *    same function signs and checks it, and it must be short enough to type from paper and to make
 *    a small QR code. The code names a link record (written when the notice goes out) and is checked
 *    against it, so a code that was altered, or a record that was, is refused.
 *  - the check key peppers the second check: only HMAC(check key, city, case, birth date) is stored,
 *    so the table alone gives no one the birth date (36,500 values are no secret without the pepper).
 *  - the session key signs the short-lived session (a JWT, HS256, with jose) the page then sends;
 *    the API's authorizer checks it.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { SESSION_TTL_SECONDS } from '#domain/self-service';

export interface AccessKeys {
  readonly link: Buffer;
  readonly check: Buffer;
  readonly session: Uint8Array;
}

export class AccessSecretError extends Error {
  override readonly name = 'AccessSecretError';
}

/** The secret: at least 32 random bytes, written as base64 (Secrets Manager generates it). */
export function accessKeys(secret: string): AccessKeys {
  const raw = Buffer.from(secret.trim(), 'base64');
  if (raw.length < 32) throw new AccessSecretError('the taxpayer access secret must be at least 32 bytes, base64');
  const derive = (label: string) =>
    Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), `crypto-tax-recovery/taxpayer/${label}`, 32));
  return { link: derive('link/v1'), check: derive('check/v1'), session: new Uint8Array(derive('session/v1')) };
}

// ---------------------------------------------------------------- the link

export interface LinkGrant {
  cityId: string;
  caseId: string;
  noticeId: string;
  /** The last day the link works (Korean date). */
  expiresOn: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 16;

function base32(bytes: Buffer, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

const mac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

/** The code printed on the notice for this grant: deterministic, so a notice retried prints the same. */
export const linkCode = (keys: AccessKeys, g: LinkGrant): string =>
  base32(mac(keys.link, `link/v1\n${g.cityId}\n${g.caseId}\n${g.noticeId}\n${g.expiresOn}`), CODE_LENGTH);

/** As printed: four groups of four. */
export const formatCode = (code: string): string => code.match(/.{1,4}/g)?.join('-') ?? code;

/** What a person typed or a QR code carried, as a code: case, dashes and spaces ignored, O→0, I/L→1 (Crockford). */
export function normalizeCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => CROCKFORD.includes(c)) ? code : undefined;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Whether the code is the one this grant's signature gives (constant time). */
export const codeMatches = (keys: AccessKeys, code: string, g: LinkGrant): boolean => same(linkCode(keys, g), code);

// ---------------------------------------------------------------- the second check

/** The stored form of the taxpayer's birth date for this case: a peppered HMAC, never the date. */
export const checkDigest = (keys: AccessKeys, cityId: string, caseId: string, birthDate: string): string =>
  mac(keys.check, `check/v1\n${cityId}\n${caseId}\n${birthDate}`).toString('base64url');

export const checkMatches = (
  keys: AccessKeys,
  stored: string,
  cityId: string,
  caseId: string,
  birthDate: string,
): boolean => same(checkDigest(keys, cityId, caseId, birthDate), stored);

// ---------------------------------------------------------------- the session

export interface TaxpayerSession {
  cityId: string;
  caseId: string;
  noticeId: string;
  /** The link's code: the sale request's evidence names the notice it came through. */
  code: string;
  expiresAt: Date;
}

const ISSUER = 'crypto-tax-recovery';
const AUDIENCE = 'taxpayer-self-service';

export async function signSession(
  keys: AccessKeys,
  s: Omit<TaxpayerSession, 'expiresAt'>,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + SESSION_TTL_SECONDS;
  const token = await new SignJWT({ city: s.cityId, notice: s.noticeId, code: s.code })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(s.caseId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keys.session);
  return { token, expiresAt: new Date(exp * 1000) };
}

/** The session a token carries, or undefined for one that is altered, expired or not ours. */
export async function verifySession(keys: AccessKeys, token: string, now: Date): Promise<TaxpayerSession | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.session, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now,
    });
    const { city, notice, code, sub, exp } = payload as {
      city?: unknown;
      notice?: unknown;
      code?: unknown;
      sub?: unknown;
      exp?: unknown;
    };
    if (
      typeof city !== 'string' ||
      typeof notice !== 'string' ||
      typeof code !== 'string' ||
      typeof sub !== 'string' ||
      typeof exp !== 'number'
    )
      return undefined;
    return { cityId: city, caseId: sub, noticeId: notice, code, expiresAt: new Date(exp * 1000) };
  } catch {
    return undefined;
  }
}
