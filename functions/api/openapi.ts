/**
 * The OpenAPI 3 document of the city's API, generated from the router's own routes and zod
 * schemas (never written by hand). `npm run openapi` writes it to docs/openapi.json, the published
 * copy (a test fails when that copy is behind the routes); the local stack serves it with a
 * rendered reference page.
 *
 * The schemas are zod's mini build (what the handlers bundle); zod itself writes their JSON Schema
 * (`z.toJSONSchema`, OpenAPI 3.0's dialect) with the descriptions and examples the schemas carry in
 * zod's registry (`withMeta` in schemas.ts). A schema with an `id` is a component, referenced.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { AnyRoute } from './router';
import { routes as apiRoutes, type RouteDeps } from './routes';
import { IdempotencyHeaders, ProblemView } from './schemas';
import { taxpayerRoutes as publicRoutes, type TaxpayerRoute } from '../taxpayer-api/routes';

type Json = { [key: string]: unknown };

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  components: { securitySchemes: Record<string, Json>; schemas: Record<string, Json> };
  paths: Record<string, Record<string, Json>>;
}

const COMPONENTS = '#/components/schemas/';
/** Schemas a route names that are no component: converted under a key of their own, then written inline. */
const INLINE = 'inline:';

export function openApiDocument(
  routes: readonly AnyRoute<RouteDeps>[] = apiRoutes,
  taxpayerRoutes: readonly TaxpayerRoute[] = publicRoutes,
): OpenApiDocument {
  const all = [
    ...routes.map((route) => ({ route, security: [{ sigv4: [] }], extra: { 'x-caller-roles': [...route.roles] } })),
    ...taxpayerRoutes.map((route) => ({
      route,
      security: route.session ? [{ taxpayerSession: [] }] : [],
      extra: { tags: ['taxpayer self-service'] },
    })),
  ];

  // Every schema with an id is a component; every other schema a route names gets a key of its own.
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of z.globalRegistry._idmap) registry.add(schema, { id });
  const keys = new Map<z.core.$ZodType, string>();
  const keyOf = (schema: z.core.$ZodType): string => {
    const id = registry.get(schema)?.id;
    if (id) return id;
    let key = keys.get(schema);
    if (!key) {
      key = `${INLINE}${keys.size}`;
      keys.set(schema, key);
      registry.add(schema, { id: key });
    }
    return key;
  };
  for (const { route } of all) {
    for (const schema of [
      'params' in route ? route.params : undefined,
      route.query,
      route.body,
      ...Object.values(route.responses).map((r) => r.schema),
    ])
      if (schema) keyOf(schema);
  }
  keyOf(IdempotencyHeaders);
  keyOf(ProblemView);
  // What a caller sends (`input`: before defaults and transforms); the answers have neither.
  const converted = z.toJSONSchema(registry, {
    target: 'openapi-3.0',
    io: 'input',
    uri: (id) => COMPONENTS + id,
  }).schemas as Record<string, Json>;
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENTS + INLINE))
      return inline(converted[ref.slice(COMPONENTS.length)]);
    const schema = Object.fromEntries(
      Object.entries(value as Json)
        // zod names each converted schema by its URI ($id); OpenAPI 3.0 has no such keyword.
        .filter(([k]) => k !== '$id')
        .map(([k, v]) => [k, inline(v)]),
    );
    // An integer's bounds, when zod gives only JavaScript's safe range, say nothing a reader needs.
    if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
    // OpenAPI 3.0: `nullable` does not widen an `enum`; null must be one of its values.
    if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null))
      schema.enum = [...(schema.enum as unknown[]), null];
    return schema;
  };
  /** A schema where the document names one: a component's reference, or the schema itself. */
  const schemaOf = (schema: z.core.$ZodType): Json => {
    const key = keyOf(schema);
    return key.startsWith(INLINE) ? (inline(converted[key]) as Json) : { $ref: COMPONENTS + key };
  };
  /** An object's fields as parameters (path, query, header). */
  const parameters = (schema: z.core.$ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] => {
    if (!schema) return [];
    const json = inline(converted[keyOf(schema)]) as { properties?: Record<string, Json>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      schema: property,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
      name,
      in: where,
    }));
  };

  const paths: OpenApiDocument['paths'] = {};
  for (const { route, security, extra } of all) {
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema
            ? {
                content: {
                  [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: {
                    schema: schemaOf(r.schema),
                  },
                },
              }
            : {}),
        },
      ]),
    );
    const parameterList = [
      ...parameters('params' in route ? route.params : undefined, 'path'),
      ...parameters(route.query, 'query'),
      ...parameters(route.kind !== 'read' ? IdempotencyHeaders : undefined, 'header'),
    ];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security,
      ...extra,
      ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } } }
        : {}),
      responses: {
        ...responses,
        500: {
          description: 'Unexpected failure; retry with the same Idempotency-Key.',
          content: { 'application/problem+json': { schema: schemaOf(ProblemView) } },
        },
      },
    };
  }

  // The components the paths reach, in the order they are first met.
  const schemas: Record<string, Json> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const ref = (value as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENTS)) {
      const id = ref.slice(COMPONENTS.length);
      if (!(id in schemas)) {
        schemas[id] = inline(converted[id]) as Json;
        visit(schemas[id]);
      }
    }
    Object.values(value).forEach(visit);
  };
  visit(paths);

  return {
    openapi: '3.0.3',
    info: {
      title: 'crypto-tax-recovery: the city’s API',
      version: '1.0.0',
      description:
        'Registers delinquent cases and what happens to them. Won are whole numbers written as strings of digits; quantities and prices are decimal strings. Errors are RFC 9457 problem details. Every POST, PUT and DELETE needs an Idempotency-Key (on the taxpayer routes: the sale request). The /taxpayer routes are the taxpayer’s self-service page’s own public API (docs/SELF_SERVICE.md), on their own API Gateway behind a WAF rate rule.',
    },
    components: {
      securitySchemes: {
        // API Gateway authenticates callers with SigV4 (IAM); the role comes from the principal.
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
        // The taxpayer's page: a session from POST /taxpayer/sessions, checked by the taxpayer API's own authorizer.
        taxpayerSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas,
    },
    paths,
  };
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
