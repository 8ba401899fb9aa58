/**
 * The local user pool: the officers' sign-in on the local stack, speaking the calls of Amazon
 * Cognito's user-pool protocol the console makes, with Cognito's request and answer shapes:
 *
 *   InitiateAuth (USER_PASSWORD_AUTH)     → a challenge: NEW_PASSWORD_REQUIRED (an account an
 *                                           administrator created, still on its temporary password),
 *                                           MFA_SETUP (no authenticator app yet) or SOFTWARE_TOKEN_MFA
 *   RespondToAuthChallenge                NEW_PASSWORD_REQUIRED (NEW_PASSWORD, checked against the
 *                                           deployed pool's password policy), MFA_SETUP (after the
 *                                           app is verified), SOFTWARE_TOKEN_MFA (a TOTP code, RFC 6238)
 *   AssociateSoftwareToken (Session)      → the new TOTP secret (SecretCode) for the officer's app
 *   VerifySoftwareToken (Session, UserCode) → Status SUCCESS once a code of that secret is typed
 *
 * and issuing an RS256 ID token with the claims Cognito puts in one (`cognito:username`,
 * `cognito:groups`, `custom:cities`, `token_use: id`, `aud` the app client). The console API checks
 * that token with the public key (as API Gateway's Cognito authorizer checks it against the pool's
 * keys when deployed). AdminCreateUser is a method here (`adminCreateUser`), not an HTTP call: on AWS
 * it is an administrator's IAM call, never the console's.
 *
 * Accounts: `.local/console-users.json` (mode 0600, made on first start, rewritten when an officer
 * sets a password or enrols an app): per officer key of the credentials file an officer account, and
 * the auditor; each with a password and a TOTP secret (MFA is required, as in the deployed pool).
 * City systems have no account: they cannot sign in.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { z } from 'zod';
import type { Credentials } from './credentials';

export const LOCAL_CLIENT_ID = 'local-console';

const User = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  password: z.string().min(12),
  /** FORCE_CHANGE_PASSWORD: created by an administrator, `password` is the temporary one. */
  status: z.enum(['FORCE_CHANGE_PASSWORD', 'CONFIRMED']).default('CONFIRMED'),
  /** Base32 TOTP secret (what an authenticator app is given); absent until the officer enrols an app. */
  totpSecret: z
    .string()
    .regex(/^[A-Z2-7]{16,64}$/)
    .optional(),
  group: z.enum(['officer', 'auditor']),
  cities: z.array(z.string()).min(1),
});
export type ConsoleUser = z.infer<typeof User>;
const UsersFile = z.strictObject({ note: z.string().optional(), users: z.array(User) });

const totpOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) });

/** The TOTP code (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) of a secret at an instant. */
export const totp = (secret: string, atMs = Date.now()): string => totpOf(secret).generate({ timestamp: atMs });

/** A code of the secret's current step or the one before (a code typed as it turned over), as Cognito allows. */
const codeMatches = (secret: string, code: unknown, now = Date.now()) =>
  typeof code === 'string' && [now, now - 30_000].some((t) => totp(secret, t) === code);

const newSecret = () => new Secret({ size: 20 }).base32;

/** The deployed pool's password policy (infra/constructs/web-console.ts): what is wrong with a new password. */
export function passwordProblem(password: string): string | undefined {
  const missing = [
    password.length < 12 ? 'at least 12 characters' : '',
    /[a-z]/.test(password) ? '' : 'a lowercase letter',
    /[A-Z]/.test(password) ? '' : 'an uppercase letter',
    /[0-9]/.test(password) ? '' : 'a digit',
    /[^A-Za-z0-9]/.test(password) ? '' : 'a symbol',
  ].filter(Boolean);
  return missing.length > 0 ? `Password does not conform to policy: needs ${missing.join(', ')}` : undefined;
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
          status: 'CONFIRMED',
          totpSecret: newSecret(),
          group: k.role === 'OFFICER' ? 'officer' : 'auditor',
          cities: [...k.cities],
        }) as const,
    );
}

const NOTE =
  'Local console accounts (npm start). Sign in with username and password, then the TOTP code of totpSecret (add totpSecret to any authenticator app). An account with status FORCE_CHANGE_PASSWORD sets its password and enrols an app at its first sign-in.';

/** Writes the accounts file (mode 0600: it holds passwords and TOTP secrets). */
export function saveConsoleUsers(path: string, users: readonly ConsoleUser[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ note: NOTE, users }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function loadOrCreateConsoleUsers(path: string, credentials: Credentials): ConsoleUser[] {
  const known = existsSync(path) ? UsersFile.parse(JSON.parse(readFileSync(path, 'utf8'))).users : [];
  const names = new Set(known.map((u) => u.username));
  const missing = consoleUsersFor(credentials).filter((u) => !names.has(u.username));
  const users = [...known, ...missing];
  if (missing.length > 0 || !existsSync(path)) saveConsoleUsers(path, users);
  return users;
}

export interface LocalUserPool {
  issuer: string;
  /** The accounts as they are now (passwords set and apps enrolled since the start included). */
  users(): readonly ConsoleUser[];
  /** An administrator creates an account (as AdminCreateUser): its temporary password, to change at first sign-in. */
  adminCreateUser(user: Pick<ConsoleUser, 'username' | 'group' | 'cities'>): { temporaryPassword: string };
  /** Answers one call of the user-pool protocol (the body of a POST with its X-Amz-Target). */
  handle(target: string | undefined, body: string): Promise<{ status: number; body: unknown }>;
  /** The ID token's verified claims, or undefined (bad signature, expired, another client, not an ID token). */
  verify(token: string): Promise<JWTPayload | undefined>;
}

const TOKEN_SECONDS = 3600;
const SESSION_MS = 3 * 60_000;
const TARGET = 'AWSCognitoIdentityProviderService.';

/** Where a sign-in stands between calls (Cognito's Session): the challenge it must answer next. */
interface SignInSession {
  username: string;
  until: number;
  awaits: 'SOFTWARE_TOKEN_MFA' | 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP';
  /** MFA_SETUP: the secret handed out by AssociateSoftwareToken, and whether a code of it was verified. */
  secret?: string;
  verified?: boolean;
}

type Answer = { status: number; body: unknown };
const error = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } });

export async function createLocalUserPool(
  initial: readonly ConsoleUser[],
  issuer: string,
  save: (users: readonly ConsoleUser[]) => void = () => undefined,
): Promise<LocalUserPool> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = (await exportJWK(publicKey)).n?.slice(0, 16) ?? 'local';
  const users = initial.map((u) => ({ ...u }));
  const sessions = new Map<string, SignInSession>();
  const find = (name: unknown) => users.find((u) => u.username === name);
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const refuse = (message = 'Incorrect username or password.') => error('NotAuthorizedException', message);
  const expired = () => refuse('Invalid session for the user, session is expired.');

  const open = (s: Omit<SignInSession, 'until'>) => {
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { ...s, until: Date.now() + SESSION_MS });
    return id;
  };
  /** The session named in a call, if it is alive and awaits `awaits`. */
  const sessionOf = (body: Record<string, unknown>, awaits: SignInSession['awaits']) => {
    const id = String(body.Session);
    const s = sessions.get(id);
    return s && s.until > Date.now() && s.awaits === awaits ? { id, s } : undefined;
  };

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

  const signedIn = async (u: ConsoleUser): Promise<Answer> => ({
    status: 200,
    body: {
      AuthenticationResult: { IdToken: await idToken(u, privateKey), ExpiresIn: TOKEN_SECONDS, TokenType: 'Bearer' },
      ChallengeParameters: {},
    },
  });

  /** The challenge after the password: a new one first, then enrol an app, then its code (MFA is required). */
  const nextChallenge = (u: ConsoleUser): Answer => {
    const awaits =
      u.status === 'FORCE_CHANGE_PASSWORD'
        ? 'NEW_PASSWORD_REQUIRED'
        : u.totpSecret
          ? 'SOFTWARE_TOKEN_MFA'
          : 'MFA_SETUP';
    const parameters =
      awaits === 'NEW_PASSWORD_REQUIRED'
        ? { USER_ID_FOR_SRP: u.username, requiredAttributes: '[]', userAttributes: '{}' }
        : awaits === 'MFA_SETUP'
          ? { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }
          : { USER_ID_FOR_SRP: u.username };
    return {
      status: 200,
      body: { ChallengeName: awaits, Session: open({ username: u.username, awaits }), ChallengeParameters: parameters },
    };
  };

  async function respond(body: Record<string, unknown>): Promise<Answer> {
    const r = (body.ChallengeResponses ?? {}) as Record<string, unknown>;
    const challenge = body.ChallengeName;
    if (challenge !== 'SOFTWARE_TOKEN_MFA' && challenge !== 'NEW_PASSWORD_REQUIRED' && challenge !== 'MFA_SETUP')
      return error('InvalidParameterException', `unsupported challenge: ${String(challenge)}`);
    const at = sessionOf(body, challenge);
    const u = at ? find(at.s.username) : undefined;
    if (!at || !u || r.USERNAME !== u.username) return expired();
    if (challenge === 'SOFTWARE_TOKEN_MFA') {
      sessions.delete(at.id);
      if (!u.totpSecret || !codeMatches(u.totpSecret, r.SOFTWARE_TOKEN_MFA_CODE))
        return error('CodeMismatchException', 'Invalid code received for user');
      return signedIn(u);
    }
    if (challenge === 'NEW_PASSWORD_REQUIRED') {
      const password = typeof r.NEW_PASSWORD === 'string' ? r.NEW_PASSWORD : '';
      // A refused password leaves the session open for another try, as Cognito does.
      const problem = passwordProblem(password);
      if (problem) return error('InvalidPasswordException', problem);
      sessions.delete(at.id);
      Object.assign(u, { password, status: 'CONFIRMED' });
      save(users);
      return nextChallenge(u);
    }
    // MFA_SETUP: answered once the app's code was verified (VerifySoftwareToken) in this session.
    if (!at.s.verified || !at.s.secret) return error('InvalidParameterException', 'the software token is not verified');
    sessions.delete(at.id);
    u.totpSecret = at.s.secret;
    save(users);
    return signedIn(u);
  }

  return {
    issuer,
    users: () => users,
    adminCreateUser(user) {
      if (find(user.username)) throw new Error(`UsernameExistsException: ${user.username}`);
      // Cognito's temporary passwords meet the policy too.
      const temporaryPassword = `Tmp-${randomBytes(9).toString('base64url')}7a`;
      users.push(
        User.parse({ ...user, cities: [...user.cities], password: temporaryPassword, status: 'FORCE_CHANGE_PASSWORD' }),
      );
      save(users);
      return { temporaryPassword };
    },
    async handle(target, text) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return error('InvalidParameterException', 'not JSON');
      }
      const call = target?.startsWith(TARGET) ? target.slice(TARGET.length) : undefined;
      // AssociateSoftwareToken and VerifySoftwareToken name a session, not the app client.
      if (call === 'AssociateSoftwareToken') {
        const at = sessionOf(body, 'MFA_SETUP');
        if (!at) return expired();
        const secret = newSecret();
        sessions.delete(at.id);
        return { status: 200, body: { SecretCode: secret, Session: open({ ...at.s, secret, verified: false }) } };
      }
      if (call === 'VerifySoftwareToken') {
        const at = sessionOf(body, 'MFA_SETUP');
        if (!at?.s.secret) return expired();
        // A wrong code leaves the session as it was: the officer types the next one.
        if (!codeMatches(at.s.secret, body.UserCode)) return error('EnableSoftwareTokenMFAException', 'Code mismatch');
        sessions.delete(at.id);
        return { status: 200, body: { Status: 'SUCCESS', Session: open({ ...at.s, verified: true }) } };
      }
      if (body.ClientId !== LOCAL_CLIENT_ID) return error('ResourceNotFoundException', 'no such app client');
      if (call === 'InitiateAuth' && body.AuthFlow === 'USER_PASSWORD_AUTH') {
        const p = (body.AuthParameters ?? {}) as Record<string, unknown>;
        const u = find(p.USERNAME);
        if (!u || typeof p.PASSWORD !== 'string' || !same(p.PASSWORD, u.password)) return refuse();
        return nextChallenge(u);
      }
      if (call === 'RespondToAuthChallenge') return respond(body);
      return error('InvalidParameterException', `unsupported: ${target ?? 'no target'}`);
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
