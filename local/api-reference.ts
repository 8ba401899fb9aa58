/**
 * The API reference on the local stack, without a login: `/docs/` renders the OpenAPI document with
 * Swagger UI (served from the swagger-ui-dist package in node_modules, no CDN), `/docs/openapi.json`
 * is the document the router generates (the published docs/openapi.json while that is up to date).
 * "Try it out" calls this same server: put `Bearer <key>` (a key from .local/credentials.json) in
 * Authorize, where the deployed API takes a SigV4 signature.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApi } from '../functions/api/openapi';

export const API_REFERENCE_PATH = '/docs/';

/** The only files served from the package (never a path taken from the request). */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>crypto-tax-recovery: API reference</title>
  <link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#reference', deepLinking: true, persistAuthorization: true });
  </script>
</body>
</html>
`;

export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const assetDir = (): string => join(require.resolve('swagger-ui-dist/package.json'), '..');

/** The answer for a GET under /docs, or undefined when the path is not the reference's. */
export function apiReference(path: string): StaticAnswer | undefined {
  if (path === '/docs') return { status: 308, headers: { location: API_REFERENCE_PATH }, body: '' };
  if (!path.startsWith(API_REFERENCE_PATH)) return undefined;
  const name = path.slice(API_REFERENCE_PATH.length);
  if (name === '' || name === 'index.html')
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: PAGE };
  if (name === 'openapi.json')
    return { status: 200, headers: { 'content-type': 'application/json' }, body: renderOpenApi() };
  const type = ASSETS.get(name);
  if (type)
    return {
      status: 200,
      headers: { 'content-type': type, 'cache-control': 'max-age=3600' },
      body: readFileSync(join(assetDir(), name)),
    };
  return undefined;
}
