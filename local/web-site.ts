/**
 * A built web app (web/<app>/, bundled by web/build.ts) on localhost, as CloudFront serves it when
 * deployed: the app's built files, `/config.json` (what the deployment writes next to them:
 * the API's address and the sign-in settings), the same security headers, and index.html for any
 * other path. Optional `routes` answer paths of their own first (the local user pool's endpoint).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { builtWebApp } from '../web/build';
import { contentSecurityPolicy, STATIC_SECURITY_HEADERS } from '../web/headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export interface LocalWebSite {
  url: string;
  close(): Promise<void>;
}

export interface LocalWebSiteOptions {
  app: string;
  /** Served as /config.json (read at each request: it may name servers started after this one). */
  config: () => unknown;
  /** Origins the app may call (the CSP's connect-src besides its own). */
  connectTo: () => readonly string[];
  port?: number;
  routes?: (req: IncomingMessage, res: ServerResponse, body: string) => Promise<boolean>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startLocalWebSite(options: LocalWebSiteOptions): Promise<LocalWebSite> {
  const dir = builtWebApp(options.app);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const headers = {
        ...STATIC_SECURITY_HEADERS,
        'content-security-policy': contentSecurityPolicy(options.connectTo()),
      };
      const body = req.method === 'POST' ? await readBody(req) : (req.resume(), '');
      if (options.routes && (await options.routes(req, res, body))) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, headers).end();
        return;
      }
      if (url.pathname === '/config.json') {
        res
          .writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify(options.config()));
        return;
      }
      // Only files under the app's folder; anything else is the page (the app routes by its hash).
      const file = normalize(join(dir, decodeURIComponent(url.pathname)));
      const inside = file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile();
      const path = inside ? file : join(dir, 'index.html');
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      const cache = path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable';
      // Read before the head is written: a failed read must still end the response (with a 500).
      const content = readFileSync(path);
      res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache }).end(content);
    })().catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
      process.stderr.write(`local web site: ${(error as Error).stack ?? String(error)}\n`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
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
