/**
 * The officers' web console on the local stack, as deployed (infra/constructs/web-console.ts):
 *
 *   console site   web/dist/console/ with /config.json and the security headers (CloudFront + S3)
 *   user pool      officers' and auditors' accounts with MFA (local/cognito.ts), at <site>/_cognito (Cognito):
 *                  sign-in, first sign-in (new password, authenticator app enrolment) with Cognito's calls
 *   console API    the same API handler behind a second local gateway that accepts only the pool's ID
 *                  tokens, checked against its key, with CORS for the site (API Gateway, Cognito authorizer)
 *
 * A city system's key is refused by the console API (401), and no city system has an account.
 */
import { join } from 'node:path';
import type { ApiHandler } from '../functions/api/app';
import { matchRoute } from '../functions/api/router';
import { routes } from '../functions/api/routes';
import {
  createLocalUserPool,
  LOCAL_CLIENT_ID,
  loadOrCreateConsoleUsers,
  saveConsoleUsers,
  type ConsoleUser,
  type LocalUserPool,
} from './cognito';
import type { Credentials } from './credentials';
import { startLocalHttpApi, type LocalHttpApi } from './http-api';
import { startLocalWebSite, type LocalWebSite } from './web-site';

export const COGNITO_PATH = '/_cognito';

/** The console API's routes: those an officer or an auditor may call (as infra/constructs/web-console.ts deploys them). */
export const CONSOLE_ROUTES = routes.filter((r) => r.roles.includes('OFFICER') || r.roles.includes('AUDITOR'));

/** Only the console's routes reach the handler; API Gateway answers any other path 403 itself. */
const consoleOnly =
  (handler: ApiHandler): ApiHandler =>
  async (event) => {
    const match = matchRoute(CONSOLE_ROUTES, event.httpMethod.toUpperCase(), event.path, {
      template: event.resource,
      params: event.pathParameters,
    });
    if (!match || 'allow' in match)
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/problem+json' },
        body: JSON.stringify({
          type: 'about:blank',
          title: 'MISSING_AUTHENTICATION_TOKEN',
          status: 403,
          detail: 'Missing Authentication Token',
        }),
      };
    return handler(event);
  };

export interface LocalConsole {
  site: LocalWebSite;
  api: LocalHttpApi;
  /** The accounts as they are now (a first sign-in sets a password and enrols an app). */
  readonly users: readonly ConsoleUser[];
  usersPath: string;
  /** The user pool: `pool.adminCreateUser` makes an account as an administrator does on AWS. */
  pool: LocalUserPool;
  close(): Promise<void>;
}

export async function startLocalConsole(options: {
  handler: ApiHandler;
  credentials: Credentials;
  stateDir: string;
  port?: number;
  onRequest?: (r: { method: string; path: string; status: number; ms: number }) => void;
}): Promise<LocalConsole> {
  const usersPath = join(options.stateDir, 'console-users.json');
  const users = loadOrCreateConsoleUsers(usersPath, options.credentials);
  let pool: LocalUserPool | undefined;
  let apiUrl = '';
  const site = await startLocalWebSite({
    app: 'console',
    ...(options.port ? { port: options.port } : {}),
    config: () => ({ apiUrl, signIn: { endpoint: `${siteUrl}${COGNITO_PATH}`, clientId: LOCAL_CLIENT_ID } }),
    connectTo: () => [apiUrl],
    routes: async (req, res, body) => {
      if (req.method !== 'POST' || !req.url?.startsWith(COGNITO_PATH) || !pool) return false;
      const answer = await pool.handle(req.headers['x-amz-target'] as string | undefined, body);
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.body));
      return true;
    },
  });
  const siteUrl = site.url;
  const userPool = (pool = await createLocalUserPool(users, `${siteUrl}${COGNITO_PATH}`, (now) =>
    saveConsoleUsers(usersPath, now),
  ));
  try {
    const api = await startLocalHttpApi({
      handler: consoleOnly(options.handler),
      reference: false,
      corsOrigin: siteUrl,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      async authenticate(authorization) {
        const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
        const claims = token ? await userPool.verify(token) : undefined;
        if (!claims) return undefined;
        // As API Gateway hands a Cognito authorizer's claims over: every value a string, lists as "[a b]".
        return {
          claims: Object.fromEntries(
            Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
          ),
        };
      },
    });
    apiUrl = api.url;
    return {
      site,
      api,
      get users() {
        return userPool.users();
      },
      usersPath,
      pool: userPool,
      close: async () => {
        await api.close();
        await site.close();
      },
    };
  } catch (error) {
    await site.close();
    throw error;
  }
}
