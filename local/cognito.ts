/**
 * The local user pool: the officers' sign-in on the local stack, speaking the two calls of Amazon
 * Cognito's user-pool protocol the console makes (InitiateAuth with USER_PASSWORD_AUTH, then
 * RespondToAuthChallenge answering SOFTWARE_TOKEN_MFA with a TOTP code, RFC 6238), and issuing an
 * RS256 ID token with the claims Cognito puts in one (`cognito:username`, `cognito:groups`,
 * `custom:cities`, `token_use: id`, `aud` the app client). The console API checks that token with the
 * public key (as API Gateway's Cognito authorizer checks it against the pool's keys when deployed).
 *
 * Accounts: `.local/console-users.json` (mode 0600, made on first start): per officer key of the
 * credentials file an officer account, and the auditor; each with a password and a TOTP secret
 * (MFA is required, as in the deployed pool). City systems have no account: they cannot sign in.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import { z } from 'zod';
import type { Credentials } from './credentials';

export const LOCAL_CLIENT_ID = 'local-console';

const User = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  password: z.string().min(12),
  /** Base32 TOTP secret (what an authenticator app is given). */
  totpSecret: z.string().regex(/^[A-Z2-7]{16,64}$/),
  group: z.enum(['officer', 'auditor']),
  cities: z.array(z.string()).min(1),
});
export type ConsoleUser = z.infer<typeof User>;
const UsersFile = z.strictObject({ note: z.string().optional(), users: z.array(User) });

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const base32 = (bytes: Buffer) => {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  return (bits.match(/.{1,5}/g) ?? []).map((c) => BASE32[parseInt(c.padEnd(5, '0'), 2)]).join('');
};
const unbase32 = (text: string) => {
  const bits = [...text].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
};

/** The TOTP code (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) of a secret at an instant. */
export function totp(secret: string, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', unbase32(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The console accounts for the keys of the credentials file: officers and auditors, never a city system. */
export function consoleUsersFor(credentials: Credentials): ConsoleUser[] {
  return credentials.keys
    .filter((k) => k.role === 'OFFICER' || k.role === 'AUDITOR')
    .map(
      (k) =>
        ({
          username: k.name,
          password: randomBytes(12).toString('base64url'),
          totpSecret: base32(randomBytes(20)),
          group: k.role === 'OFFICER' ? 'officer' : 'auditor',
          cities: [...k.cities],
        }) as const,
    );
}

export function loadOrCreateConsoleUsers(path: string, credentials: Credentials): ConsoleUser[] {
  if (existsSync(path)) {
    const parsed = UsersFile.parse(JSON.parse(readFileSync(path, 'utf8')));
    const known = new Set(parsed.users.map((u) => u.username));
    const missing = consoleUsersFor(credentials).filter((u) => !known.has(u.username));
    if (missing.length === 0) return parsed.users;
    const users = [...parsed.users, ...missing];
    writeFileSync(path, JSON.stringify({ ...parsed, users }, null, 2) + '\n', { mode: 0o600 });
    return users;
  }
  const users = consoleUsersFor(credentials);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    JSON.stringify(
      {
        note: 'Local console accounts (npm start). Sign in with username, password and the TOTP code of totpSecret (add totpSecret to any authenticator app).',
        users,
      },
      null,
      2,
    ) + '\n',
    { mode: 0o600 },
  );
  chmodSync(path, 0o600);
  return users;
}

export interface LocalUserPool {
  issuer: string;
  /** Answers one call of the user-pool protocol (the body of a POST with its X-Amz-Target). */
  handle(target: string | undefined, body: string): Promise<{ status: number; body: unknown }>;
  /** The ID token's verified claims, or undefined (bad signature, expired, another client, not an ID token). */
  verify(token: string): Promise<JWTPayload | undefined>;
}

const TOKEN_SECONDS = 3600;
const SESSION_MS = 3 * 60_000;

export async function createLocalUserPool(users: readonly ConsoleUser[], issuer: string): Promise<LocalUserPool> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = (await exportJWK(publicKey)).n?.slice(0, 16) ?? 'local';
  const sessions = new Map<string, { username: string; until: number }>();
  const find = (name: unknown) => users.find((u) => u.username === name);
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const refuse = (message = 'Incorrect username or password.') => ({
    status: 400,
    body: { __type: 'NotAuthorizedException', message },
  });

  const idToken = (u: ConsoleUser, key: CryptoKey) =>
    new SignJWT({
      'cognito:username': u.username,
      'cognito:groups': [u.group],
      'custom:cities': u.cities.join(','),
      token_use: 'id',
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(LOCAL_CLIENT_ID)
      .setSubject(u.username)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_SECONDS}s`)
      .sign(key);

  return {
    issuer,
    async handle(target, text) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { __type: 'InvalidParameterException', message: 'not JSON' } };
      }
      if (body.ClientId !== LOCAL_CLIENT_ID)
        return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'no such app client' } };
      if (target === 'AWSCognitoIdentityProviderService.InitiateAuth' && body.AuthFlow === 'USER_PASSWORD_AUTH') {
        const p = (body.AuthParameters ?? {}) as Record<string, string>;
        const u = find(p.USERNAME);
        if (!u || typeof p.PASSWORD !== 'string' || !same(p.PASSWORD, u.password)) return refuse();
        const session = randomBytes(24).toString('base64url');
        sessions.set(session, { username: u.username, until: Date.now() + SESSION_MS });
        return {
          status: 200,
          body: {
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: session,
            ChallengeParameters: { USER_ID_FOR_SRP: u.username },
          },
        };
      }
      if (
        target === 'AWSCognitoIdentityProviderService.RespondToAuthChallenge' &&
        body.ChallengeName === 'SOFTWARE_TOKEN_MFA'
      ) {
        const s = sessions.get(String(body.Session));
        sessions.delete(String(body.Session));
        const r = (body.ChallengeResponses ?? {}) as Record<string, string>;
        const u = s && s.until > Date.now() ? find(s.username) : undefined;
        if (!u || r.USERNAME !== u.username) return refuse('Invalid session for the user, session is expired.');
        const code = String(r.SOFTWARE_TOKEN_MFA_CODE ?? '');
        const now = Date.now();
        // The current step or the one before (a code typed as it turned over), as Cognito allows.
        if (![now, now - 30_000].some((t) => same(code, totp(u.totpSecret, t))))
          return { status: 400, body: { __type: 'CodeMismatchException', message: 'Invalid code received for user' } };
        return {
          status: 200,
          body: {
            AuthenticationResult: {
              IdToken: await idToken(u, privateKey),
              ExpiresIn: TOKEN_SECONDS,
              TokenType: 'Bearer',
            },
            ChallengeParameters: {},
          },
        };
      }
      return {
        status: 400,
        body: { __type: 'InvalidParameterException', message: `unsupported: ${target ?? 'no target'}` },
      };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer,
          audience: LOCAL_CLIENT_ID,
          algorithms: ['RS256'],
        });
        return payload.token_use === 'id' ? payload : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
