import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_FILE, openApiDocument, renderOpenApi } from '../../../functions/api/openapi';
import { routes } from '../../../functions/api/routes';
import { taxpayerRoutes } from '../../../functions/taxpayer-api/routes';

const document = openApiDocument();
type Operation = {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, Operation>).map(([method, op]) => ({
    key: `${method.toUpperCase()} ${path}`,
    op,
  })),
);

describe('the OpenAPI document', () => {
  it('lists exactly the routes the routers serve: the city’s and the taxpayer’s', () => {
    const routed = [...routes, ...taxpayerRoutes].map((r) => `${r.method} ${r.path}`).sort();
    expect(operations.map((o) => o.key).sort()).toEqual(routed);
  });

  it('documents each route’s parameters, body, idempotency header and answers', () => {
    for (const route of routes) {
      const op = operations.find((o) => o.key === `${route.method} ${route.path}`)?.op;
      expect(op?.operationId).toBe(route.operationId);
      const params = op?.parameters ?? [];
      for (const name of [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect(params).toContainEqual(expect.objectContaining({ in: 'path', name, required: true }));
      }
      if (route.kind === 'change')
        expect(params).toContainEqual(
          expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: true }),
        );
      expect(op?.requestBody !== undefined).toBe(route.body !== undefined);
      expect(Object.keys(op?.responses ?? {}).sort()).toEqual([...Object.keys(route.responses), '500'].sort());
    }
  });

  it('documents the taxpayer routes: a session on all but the one that opens it, an Idempotency-Key on the sale request', () => {
    for (const route of taxpayerRoutes) {
      const op = operations.find((o) => o.key === `${route.method} ${route.path}`)?.op as Operation & {
        security?: unknown[];
      };
      expect(op.operationId).toBe(route.operationId);
      expect(op.security).toEqual(route.session ? [{ taxpayerSession: [] }] : []);
      expect((op.parameters ?? []).some((p) => p.name === 'Idempotency-Key')).toBe(route.kind === 'change');
      expect(Object.keys(op.responses).sort()).toEqual([...Object.keys(route.responses), '500'].sort());
    }
  });

  it('describes won as strings of digits', () => {
    const schemas = document.components?.schemas as Record<
      string,
      { properties?: Record<string, { type?: string; pattern?: string }> }
    >;
    expect(schemas.Payment?.properties?.amount).toMatchObject({
      type: 'string',
      pattern: expect.stringContaining('\\d'),
    });
    expect(schemas.BillInput?.properties?.tax).toMatchObject({ type: 'string' });
    expect(document.openapi).toBe('3.0.3');
  });

  it('is published up to date in docs/openapi.json (after changing a route or schema, run `npm run openapi` and commit the file)', () => {
    const published = readFileSync(join(__dirname, '..', '..', '..', OPENAPI_FILE), 'utf8');
    expect(published).toBe(renderOpenApi());
  });
});
