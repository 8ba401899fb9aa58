/**
 * Sign-in over Amazon Cognito's user-pool protocol, one step per call:
 *
 *   InitiateAuth (USER_PASSWORD_AUTH)  → SOFTWARE_TOKEN_MFA: the authenticator app's code
 *                                      → NEW_PASSWORD_REQUIRED: first sign-in on the temporary password
 *                                      → MFA_SETUP: no app yet; AssociateSoftwareToken hands its secret
 *   RespondToAuthChallenge             answers each (NEW_PASSWORD; after VerifySoftwareToken, MFA_SETUP)
 *
 * Deployed, `endpoint` is Cognito's regional endpoint; on the local stack it is the local user pool
 * (local/cognito.ts), which speaks the same calls. The ID token (it carries the groups and custom
 * attributes the API maps to role and cities) is kept in sessionStorage only: closing the tab signs
 * the officer out.
 */

export interface SignInSettings {
  endpoint: string;
  clientId: string;
}

export interface Session {
  idToken: string;
  expiresAt: number;
  username: string;
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(settings: SignInSettings, target: string, body: unknown): Promise<T> {
  const response = await fetch(settings.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as T & { __type?: string; message?: string };
  if (!response.ok)
    throw new SignInError(answer.__type?.split('#').pop() ?? 'Error', answer.message ?? `HTTP ${response.status}`);
  return answer;
}

interface AuthAnswer {
  ChallengeName?: string;
  Session?: string;
  AuthenticationResult?: { IdToken: string; ExpiresIn: number };
}

/** Where a sign-in stands: signed in, or the next thing the officer must give (with Cognito's session). */
export type SignInStep =
  | { step: 'done'; session: Session }
  | { step: 'code'; username: string; session: string }
  | { step: 'new-password'; username: string; session: string }
  /** Enrol an authenticator app: `secret` (base32) is shown as a QR code and as text. */
  | { step: 'enrol'; username: string; session: string; secret: string };

async function next(settings: SignInSettings, username: string, answer: AuthAnswer): Promise<SignInStep> {
  const result = answer.AuthenticationResult;
  if (result)
    return {
      step: 'done',
      session: { idToken: result.IdToken, expiresAt: Date.now() + result.ExpiresIn * 1000, username },
    };
  const session = answer.Session ?? '';
  switch (answer.ChallengeName) {
    case 'SOFTWARE_TOKEN_MFA':
      return { step: 'code', username, session };
    case 'NEW_PASSWORD_REQUIRED':
      return { step: 'new-password', username, session };
    case 'MFA_SETUP': {
      const token = await call<{ SecretCode: string; Session?: string }>(settings, 'AssociateSoftwareToken', {
        Session: session,
      });
      return { step: 'enrol', username, session: token.Session ?? session, secret: token.SecretCode };
    }
    default:
      throw new SignInError(
        answer.ChallengeName ?? 'NoToken',
        `이 콘솔에서 처리할 수 없는 로그인 단계입니다: ${answer.ChallengeName ?? '토큰 없음'}`,
      );
  }
}

/** First step: user name and password. */
export async function signIn(settings: SignInSettings, username: string, password: string): Promise<SignInStep> {
  const answer = await call<AuthAnswer>(settings, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: settings.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return next(settings, username, answer);
}

const respond = async (
  settings: SignInSettings,
  at: { username: string; session: string },
  challenge: string,
  responses: Record<string, string>,
) =>
  next(
    settings,
    at.username,
    await call<AuthAnswer>(settings, 'RespondToAuthChallenge', {
      ChallengeName: challenge,
      ClientId: settings.clientId,
      Session: at.session,
      ChallengeResponses: { USERNAME: at.username, ...responses },
    }),
  );

/** The authenticator app's current code (later sign-ins). */
export const answerCode = (settings: SignInSettings, at: { username: string; session: string }, code: string) =>
  respond(settings, at, 'SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: code });

/** The officer's own password, replacing the administrator's temporary one (first sign-in). */
export const setNewPassword = (settings: SignInSettings, at: { username: string; session: string }, password: string) =>
  respond(settings, at, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password });

/** The enrolled app's first code: verifies the secret, then completes the MFA_SETUP challenge. */
export async function verifyApp(
  settings: SignInSettings,
  at: { username: string; session: string },
  code: string,
): Promise<SignInStep> {
  const verified = await call<{ Status: string; Session?: string }>(settings, 'VerifySoftwareToken', {
    Session: at.session,
    UserCode: code,
    FriendlyDeviceName: 'console',
  });
  if (verified.Status !== 'SUCCESS') throw new SignInError('EnableSoftwareTokenMFAException', 'Code mismatch');
  return respond(settings, { ...at, session: verified.Session ?? at.session }, 'MFA_SETUP', {});
}

/** The otpauth:// address an authenticator app reads from the QR code (Google Authenticator's key URI format). */
export const otpauthUri = (issuer: string, username: string, secret: string): string =>
  `otpauth://totp/${encodeURIComponent(`${issuer}:${username}`)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;

const KEY = 'console-session';

export function savedSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.expiresAt > Date.now() + 30_000 ? s : undefined;
  } catch {
    return undefined;
  }
}

export const saveSession = (s: Session | undefined): void =>
  s ? sessionStorage.setItem(KEY, JSON.stringify(s)) : sessionStorage.removeItem(KEY);

/** The token's claims (already verified by the API on every call; read here only to show who and where). */
export function claimsOf(idToken: string): Record<string, unknown> {
  const part = idToken.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}
