/**
 * The OpenAPI 3 document of the city's API, generated from the router's own routes and zod
 * schemas (never written by hand). `npm run openapi` writes it to docs/openapi.json, the published
 * copy (a test fails when that copy is behind the routes); the local stack serves it with a
 * rendered reference page.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { AnyRoute } from './router';
import { routes as apiRoutes, type RouteDeps } from './routes';
import { IdempotencyHeaders, ProblemView } from './schemas';
import { taxpayerRoutes as publicRoutes, type TaxpayerRoute } from '../taxpayer-api/routes';

type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

export function openApiDocument(
  routes: readonly AnyRoute<RouteDeps>[] = apiRoutes,
  taxpayerRoutes: readonly TaxpayerRoute[] = publicRoutes,
): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  // API Gateway authenticates callers with SigV4 (IAM); the role comes from the principal.
  registry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  });
  // The taxpayer's page: a session from POST /taxpayer/sessions, checked by the taxpayer API's own authorizer.
  registry.registerComponent('securitySchemes', 'taxpayerSession', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const all = [
    ...routes.map((route) => ({ route, security: [{ sigv4: [] }], extra: { 'x-caller-roles': [...route.roles] } })),
    ...taxpayerRoutes.map((route) => ({
      route,
      security: route.session ? [{ taxpayerSession: [] }] : [],
      extra: { tags: ['taxpayer self-service'] },
    })),
  ];
  for (const { route, security, extra } of all) {
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema
            ? {
                content: {
                  [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema },
                },
              }
            : {}),
        },
      ]),
    );
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete',
      path: route.path,
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security,
      ...extra,
      request: {
        ...('params' in route && route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(route.kind !== 'read' ? { headers: IdempotencyHeaders } : {}),
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses: {
        ...responses,
        500: {
          description: 'Unexpected failure; retry with the same Idempotency-Key.',
          content: { 'application/problem+json': { schema: ProblemView } },
        },
      },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'crypto-tax-recovery: the city’s API',
      version: '1.0.0',
      description:
        'Registers delinquent cases and what happens to them. Won are whole numbers written as strings of digits; quantities and prices are decimal strings. Errors are RFC 9457 problem details. Every POST, PUT and DELETE needs an Idempotency-Key (on the taxpayer routes: the sale request). The /taxpayer routes are the taxpayer’s self-service page’s own public API (docs/SELF_SERVICE.md), on their own API Gateway behind a WAF rate rule.',
    },
  });
}

/** The published file's exact text. */
export const renderOpenApi = (): string => JSON.stringify(openApiDocument(), null, 2) + '\n';

/** Where the published copy lives, from the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';

if (require.main === module) {
  const file = join(__dirname, '..', '..', OPENAPI_FILE);
  writeFileSync(file, renderOpenApi());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
