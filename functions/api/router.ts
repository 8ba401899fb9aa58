/**
 * A tiny typed router: a route names its method, path template, the roles allowed, its zod
 * schemas and responses (the same objects openapi.ts documents), and a handler. A read answers;
 * a change returns the transition to commit and the answer to give, and the pipeline (app.ts)
 * commits both in one transaction with the idempotency record; a record change (a release) does
 * the same through its own store.
 */
import * as z from 'zod/mini';
import type { Transition } from '#domain/case';
import type { IdempotencyRecord } from '#domain/case-store';
import { invalid, Problem, type FieldError } from './problem';
import type { Caller, Role } from './roles';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const CHANGING_METHODS: ReadonlySet<Method> = new Set(['POST', 'PUT', 'DELETE']);

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  now: Date;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Change extends Reply {
  /** The version the case was read at, or null for a new case. */
  previousVersion: number | null;
  transition: Transition;
}

/** A change to a record outside the case (a release): written by `commit` with the request's idempotency record, in one transaction. */
export interface Recorded extends Reply {
  commit(idempotency: IdempotencyRecord): Promise<void>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodMiniType;
}

export interface RouteSpec<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType> {
  method: Method;
  /** API Gateway style template: `/cases/{caseId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  roles: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseSpec>;
}

export type ReadRoute<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType, D> = RouteSpec<
  P,
  Q,
  B
> & {
  kind: 'read';
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, deps: D): Promise<Reply>;
};

export type ChangeRoute<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType, D> = RouteSpec<
  P,
  Q,
  B
> & {
  kind: 'change';
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, deps: D): Promise<Change>;
};

export type RecordRoute<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType, D> = RouteSpec<
  P,
  Q,
  B
> & {
  kind: 'record';
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, deps: D): Promise<Recorded>;
};

type Loose = z.ZodMiniType;
export type AnyRoute<D> =
  ReadRoute<Loose, Loose, Loose, D> | ChangeRoute<Loose, Loose, Loose, D> | RecordRoute<Loose, Loose, Loose, D>;

/** Keeps each route's handler typed by its own schemas, then erases the types for the table. */
export function defineRoute<
  D,
  P extends z.ZodMiniType = z.ZodMiniUndefined,
  Q extends z.ZodMiniType = z.ZodMiniUndefined,
  B extends z.ZodMiniType = z.ZodMiniUndefined,
>(route: ReadRoute<P, Q, B, D> | ChangeRoute<P, Q, B, D> | RecordRoute<P, Q, B, D>): AnyRoute<D> {
  return route;
}

// ---------------------------------------------------------------- matching

const segments = (path: string): string[] => path.split('/').filter((s) => s.length > 0);

export type Match<D> = { route: AnyRoute<D>; params: Record<string, string> } | { allow: Method[] } | undefined;

/**
 * The route for a method and path; `allow` when the path exists under other methods (405). When
 * API Gateway names the resource it matched (explicit resources, as the stack defines them), that
 * template and its path parameters are used, so a custom domain's base path does not matter.
 */
export function matchRoute<D>(
  routes: readonly AnyRoute<D>[],
  method: string,
  path: string,
  resource?: { template: string | undefined; params: Record<string, string | undefined> | null },
): Match<D> {
  const template = resource?.template;
  if (template && routes.some((r) => r.path === template)) {
    const route = routes.find((r) => r.path === template && r.method === method);
    const params = Object.fromEntries(
      Object.entries(resource.params ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
    );
    if (route) return { route, params };
    return { allow: [...new Set(routes.filter((r) => r.path === template).map((r) => r.method))].sort() };
  }
  const actual = segments(path);
  const allow = new Set<Method>();
  for (const route of routes) {
    const template = segments(route.path);
    if (template.length !== actual.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((t, i) => {
      const a = actual[i] ?? '';
      if (t.startsWith('{') && t.endsWith('}')) {
        try {
          params[t.slice(1, -1)] = decodeURIComponent(a);
        } catch {
          return false;
        }
        return true;
      }
      return t === a;
    });
    if (!fits) continue;
    if (route.method === method) return { route, params };
    allow.add(route.method);
  }
  return allow.size > 0 ? { allow: [...allow].sort() } : undefined;
}

// ---------------------------------------------------------------- validation

type Where = FieldError['in'];

/** RFC 6901 JSON pointer; the empty string is the whole body. */
const pointer = (path: readonly PropertyKey[]): string =>
  path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');

/** Messages a caller can act on: a missing field says so, a number where a string belongs says why. */
const errorMap = (issue: { code?: string; input?: unknown; expected?: unknown }): string | undefined => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  if (issue.expected === 'string' && typeof issue.input === 'number') {
    return 'must be a string: amounts, quantities and ids are JSON strings (e.g. "150000"), never numbers';
  }
  return `must be ${String(issue.expected)}`;
};

export function validate<S extends z.ZodMiniType>(schema: S, value: unknown, where: Where): z.output<S> {
  const result = z.safeParse(schema, value, { error: errorMap });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.flatMap((issue): FieldError[] => {
    const located = (path: readonly PropertyKey[], detail: string): FieldError =>
      where === 'body'
        ? { in: where, pointer: pointer(path), detail }
        : { in: where, name: String(path[0] ?? ''), detail };
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => located([...issue.path, k], 'is not a known field'));
    return [located(issue.path, issue.message)];
  });
  throw invalid(errors);
}

export function header(
  headers: Record<string, string | undefined> | null | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function notFound(path: string): Problem {
  return new Problem(404, 'not-found', 'Not found', `no resource at ${path}`);
}

export function methodNotAllowed(method: string, allow: Method[]): Problem {
  return new Problem(
    405,
    'method-not-allowed',
    'Method not allowed',
    `${method} is not allowed here; allowed: ${allow.join(', ')}`,
    {},
    { Allow: allow.join(', ') },
  );
}
