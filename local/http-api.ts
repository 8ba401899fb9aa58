/**
 * The city's API on localhost: a node:http server that plays API Gateway (REST, proxy integration,
 * IAM auth). It authenticates the caller from the local credentials file, turns the request into
 * the same proxy event API Gateway builds (functions/api/proxy-event.ts) and hands it to the
 * unchanged Lambda handler. Unauthenticated requests are refused here, as API Gateway refuses an
 * unsigned request before any Lambda runs. The API reference (local/api-reference.ts) needs no key.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiHandler } from '../functions/api/app';
import { proxyEvent } from '../functions/api/proxy-event';
import { apiReference } from './api-reference';
import type { Authenticated } from './credentials';

/** A signed-in officer: the claims of the ID token, as API Gateway's Cognito authorizer hands them over. */
export interface ConsoleCaller {
  claims: Record<string, string>;
}

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalHttpApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalHttpApiOptions {
  handler: ApiHandler;
  /** Who the request's Authorization names: a local key's principal, or (the console API) an ID token's verified claims. */
  authenticate(
    authorization: string | undefined,
  ): Authenticated | ConsoleCaller | undefined | Promise<Authenticated | ConsoleCaller | undefined>;
  /** A browser app's origin allowed to call (CORS), as the console API allows the console's. */
  corsOrigin?: string;
  /** Serve the public API reference under /docs/ (default true). */
  reference?: boolean;
  port?: number;
  host?: string;
  /** The local console's routes (`/_local/...`, officers only), outside the city API. */
  local?(req: {
    method: string;
    path: string;
    query: Record<string, string>;
  }): Promise<{ status: number; body: unknown } | undefined>;
  /** Called after each request (method, path, status, ms); no bodies, no callers' names. */
  onRequest?(line: { method: string; path: string; status: number; ms: number }): void;
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new TooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: `about:blank`, title, status, detail });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
  res.end(body);
}

export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    res.on('finish', () =>
      options.onRequest?.({ method, path: url.pathname, status: res.statusCode, ms: Date.now() - started }),
    );
    handle(req, res, url, method).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, 'Internal error', 'the local API server failed');
      else res.destroy();
      process.stderr.write(`local API server: ${(error as Error).stack ?? String(error)}\n`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    if (options.corsOrigin) {
      res.setHeader('access-control-allow-origin', options.corsOrigin);
      res.setHeader('vary', 'origin');
      if (method === 'OPTIONS') {
        req.resume();
        res.writeHead(204, {
          'access-control-allow-methods': 'GET,POST,PUT,DELETE',
          'access-control-allow-headers': 'authorization,content-type,idempotency-key',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }
    // The API reference is public, like a published document.
    const reference = method === 'GET' && options.reference !== false ? apiReference(url.pathname) : undefined;
    if (reference) {
      req.resume();
      res.writeHead(reference.status, {
        ...reference.headers,
        'content-length': String(Buffer.byteLength(reference.body)),
      });
      res.end(reference.body);
      return;
    }
    const caller = await options.authenticate(req.headers.authorization);
    if (!caller) {
      // Drain what was sent so the client sees the answer, not a reset.
      req.resume();
      return problem(
        res,
        401,
        'Unauthorized',
        'send "Authorization: Bearer <key>" with a key from .local/credentials.json',
        { 'www-authenticate': 'Bearer realm="crypto-tax-recovery-local"' },
      );
    }
    if (url.pathname.startsWith('/_local/')) {
      req.resume();
      if (!('role' in caller) || caller.role !== 'OFFICER')
        return problem(res, 403, 'Forbidden', 'the local console is for officers');
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const answer = await options.local?.({ method, path: url.pathname, query });
      if (!answer) return problem(res, 404, 'Not found', `no local console route ${method} ${url.pathname}`);
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof TooLarge)
        return problem(res, 413, 'Payload too large', `the body must be at most ${MAX_BODY_BYTES} bytes`);
      throw error;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      // API Gateway hands the authenticated principal over in the request context, never the credential itself.
      if (value === undefined || name === 'authorization') continue;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const event = proxyEvent({
      method,
      path: decodeURIComponent(url.pathname),
      headers,
      query,
      body: body.length > 0 ? body : null,
      ...('claims' in caller ? { userArn: null, claims: caller.claims } : { userArn: caller.userArn }),
      requestId: randomUUID(),
    });
    const result = await options.handler(event);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) out[k] = String(v);
    const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
    out['content-length'] = String(text.length);
    res.writeHead(result.statusCode, out);
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}
