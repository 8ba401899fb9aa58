/**
 * The taxpayer's self-service page on the local stack, as deployed (infra/constructs/taxpayer-api.ts):
 *
 *   page      web/dist/taxpayer/ with /config.json and the security headers (CloudFront + S3)
 *   gateway   node:http playing the public API Gateway: every taxpayer route but the one that
 *             opens a session goes through the same Lambda authorizer first (a refused session is
 *             API Gateway's 401), then the unchanged API function; CORS for the page. The per-address
 *             rate limit is the function's own (the WAF rule in front of it is not emulated).
 *   secret    the link, check and session keys' secret, kept in the state folder so links printed
 *             on earlier runs still work
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { accessKeys, type AccessKeys } from '#adapters/self-service/access-keys';
import type { ApiHandler } from '../functions/api/app';
import { proxyEvent } from '../functions/api/proxy-event';
import type { createTaxpayerAuthorizer } from '../functions/taxpayer-api/authorizer';
import { taxpayerRoutes } from '../functions/taxpayer-api/routes';
import { startLocalWebSite, type LocalWebSite } from './web-site';

/** The state folder's access secret (created on first use, like the callers' keys). */
export function loadOrCreateAccessKeys(stateDir: string): AccessKeys {
  const path = join(stateDir, 'taxpayer-access-secret');
  if (!existsSync(path)) writeFileSync(path, randomBytes(48).toString('base64') + '\n', { mode: 0o600 });
  return accessKeys(readFileSync(path, 'utf8'));
}

/** The page's site; `apiUrl` is read at each request (the gateway starts after it). */
export async function startLocalTaxpayerSite(options: {
  apiUrl: () => string;
  port?: number;
}): Promise<LocalWebSite & { pageUrl: string }> {
  const site = await startLocalWebSite({
    app: 'taxpayer',
    config: () => ({ apiUrl: options.apiUrl() }),
    connectTo: () => [options.apiUrl()],
    ...(options.port ? { port: options.port } : {}),
  });
  // The notice's link: the page, the code after '#'.
  return { ...site, pageUrl: `${site.url}/t/` };
}

export interface LocalTaxpayerGateway {
  url: string;
  close(): Promise<void>;
}

const SESSION_ROUTES = new Set(taxpayerRoutes.filter((r) => r.session).map((r) => `${r.method} ${r.path}`));

export async function startLocalTaxpayerGateway(options: {
  handler: ApiHandler;
  authorize: ReturnType<typeof createTaxpayerAuthorizer>;
  corsOrigin: () => string;
  onRequest?: (r: { method: string; path: string; status: number; ms: number }) => void;
}): Promise<LocalTaxpayerGateway> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    res.on('finish', () =>
      options.onRequest?.({ method, path: url.pathname, status: res.statusCode, ms: Date.now() - started }),
    );
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        res.setHeader('access-control-allow-origin', options.corsOrigin());
        res.setHeader('vary', 'origin');
        if (method === 'OPTIONS') {
          res
            .writeHead(204, {
              'access-control-allow-methods': 'GET,POST',
              'access-control-allow-headers': 'authorization,content-type,idempotency-key',
              'access-control-max-age': '600',
            })
            .end();
          return;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers))
          if (value !== undefined && name !== 'authorization')
            headers[name] = Array.isArray(value) ? value.join(',') : value;
        const query: Record<string, string> = {};
        for (const [k, v] of url.searchParams) query[k] = v;
        const body = Buffer.concat(chunks).toString('utf8');
        const event = proxyEvent({
          method,
          path: decodeURIComponent(url.pathname),
          headers,
          query,
          body: body.length > 0 ? body : null,
          userArn: null,
          requestId: randomUUID(),
        });
        event.requestContext.identity.sourceIp = req.socket.remoteAddress ?? 'unknown';
        if (SESSION_ROUTES.has(`${method} ${url.pathname}`)) {
          const verdict = await options
            .authorize({
              authorizationToken: req.headers.authorization ?? '',
              methodArn: `arn:aws:execute-api:local:000000000000:local/v1/${method}${url.pathname}`,
            })
            .catch(() => undefined);
          if (!verdict) {
            // API Gateway's own answer to a refused authorizer (the stack's gateway response: problem+json).
            const text = JSON.stringify({
              type: 'about:blank',
              title: 'UNAUTHORIZED',
              status: 401,
              detail: 'Unauthorized',
            });
            res.writeHead(401, { 'content-type': 'application/problem+json' }).end(text);
            return;
          }
          event.requestContext.authorizer = { principalId: verdict.principalId, ...verdict.context };
        }
        const result = await options.handler(event);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(result.headers ?? {})) out[k] = String(v);
        res.writeHead(result.statusCode, out).end(result.body);
      })().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end();
        process.stderr.write(`local taxpayer gateway: ${(error as Error).stack ?? String(error)}\n`);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
