/**
 * Sign-in over Amazon Cognito's user-pool protocol (InitiateAuth with USER_PASSWORD_AUTH, then the
 * SOFTWARE_TOKEN_MFA challenge answered with the authenticator app's code). Deployed, `endpoint` is
 * Cognito's regional endpoint; on the local stack it is the local user pool (local/cognito.ts),
 * which speaks the same two calls. The ID token (it carries the groups and custom attributes the API
 * maps to role and cities) is kept in sessionStorage only: closing the tab signs the officer out.
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

/** Signs in with user name, password and the current one-time code; MFA is required of officers. */
export async function signIn(
  settings: SignInSettings,
  username: string,
  password: string,
  code: string,
): Promise<Session> {
  const first = await call<AuthAnswer>(settings, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: settings.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  let result = first.AuthenticationResult;
  if (!result) {
    if (first.ChallengeName !== 'SOFTWARE_TOKEN_MFA')
      throw new SignInError(
        first.ChallengeName ?? 'Unknown',
        `이 콘솔에서 처리할 수 없는 로그인 단계입니다: ${first.ChallengeName ?? '알 수 없음'}`,
      );
    const second = await call<AuthAnswer>(settings, 'RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ClientId: settings.clientId,
      Session: first.Session,
      ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
    });
    result = second.AuthenticationResult;
  }
  if (!result) throw new SignInError('NoToken', '로그인 응답에 토큰이 없습니다');
  return { idToken: result.IdToken, expiresAt: Date.now() + result.ExpiresIn * 1000, username };
}

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
