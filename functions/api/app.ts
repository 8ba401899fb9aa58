/**
 * The request pipeline: who is calling → which route → may they → Idempotency-Key → parse and
 * validate → the handler (load → domain transition) → one transaction (change, audit, outbox,
 * ledger, idempotency record) → the answer. Every refusal is problem+json.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Transition } from '#domain/case';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { commitChange, jsonResult, parseBody, problemFor, type ApiHandler } from './http';
import { fingerprint, parseIdempotencyKey, scopedKey, IDEMPOTENCY_HEADER } from './idempotency';
import { newId as defaultNewId } from './ids';
import { invalid, Problem } from './problem';
import { callerOf, type Caller } from './roles';
import {
  CHANGING_METHODS,
  header,
  matchRoute,
  methodNotAllowed,
  notFound,
  validate,
  type AnyRoute,
  type Method,
} from './router';
import { routes as defaultRoutes, type RouteDeps } from './routes';

export interface ApiDeps extends Omit<RouteDeps, 'newId'> {
  now?: () => Date;
  newId?: (prefix: string) => string;
  routes?: readonly AnyRoute<RouteDeps>[];
  /** Queues the notices a committed change caused (best effort: unsent ones wait in the outbox for the sweeper). */
  publishNotices?: PublishNotices;
  /** Queues a sale request when a committed change made the case due at the taxpayer's request (best effort: the daily deadline check finds it otherwise). */
  requestSales?: (transition: Transition) => Promise<void>;
}

export function createApi(deps: ApiDeps): ApiHandler {
  const routeDeps: RouteDeps = { ...deps, newId: deps.newId ?? defaultNewId };
  const routes = deps.routes ?? defaultRoutes;
  const clock = deps.now ?? (() => new Date());

  return async function handle(event) {
    const started = Date.now();
    const now = clock();
    const method = event.httpMethod.toUpperCase();
    const path = event.path;
    let routeName = 'unmatched';
    let role: string | undefined;
    let replayed = false;
    let result: APIGatewayProxyResult;
    try {
      const caller = callerOf(event, deps.config.callers);
      if (!caller) throw new Problem(403, 'forbidden', 'Forbidden', 'the caller is not one this API knows');
      role = caller.role;
      const match = matchRoute(routes, method, path, { template: event.resource, params: event.pathParameters });
      if (!match) throw notFound(path);
      if ('allow' in match) throw methodNotAllowed(method, match.allow);
      const route = match.route;
      routeName = `${route.method} ${route.path}`;
      if (!route.roles.includes(caller.role))
        throw new Problem(403, 'forbidden', 'Forbidden', `${caller.role} may not ${route.summary.toLowerCase()}`);

      const key = CHANGING_METHODS.has(method as Method)
        ? parseIdempotencyKey(header(event.headers, IDEMPOTENCY_HEADER))
        : undefined;
      const rawBody = route.body ? parseBody(event) : undefined;
      const rawQuery = event.queryStringParameters ?? {};
      // A caller learns nothing of a city it does not act for, not even how its requests would be validated.
      const named = (rawBody as { cityId?: unknown } | undefined)?.cityId ?? rawQuery.city;
      if (typeof named === 'string' && deps.config.servedCities.has(named) && !caller.cities.includes(named))
        throw new Problem(403, 'forbidden', 'Forbidden', `this caller does not act for ${named}`);
      const input = {
        params: route.params ? validate(route.params, match.params, 'path') : undefined,
        query: route.query ? validate(route.query, rawQuery, 'query') : undefined,
        body: route.body ? validate(route.body, rawBody, 'body') : undefined,
        caller,
        now,
      };
      const cityId = servedCity(input, deps.config.servedCities);
      // Every route acts for one city, and only a caller granted that city may (docs/LEGAL.md "Many cities").
      if (!caller.cities.includes(cityId))
        throw new Problem(403, 'forbidden', 'Forbidden', `this caller does not act for ${cityId}`);

      if (route.kind === 'read') {
        const reply = await route.handle(input, routeDeps);
        result = jsonResult(reply.status, reply.body, reply.headers);
      } else {
        const scope = scopedKey(caller, key ?? '');
        const print = fingerprint(method, path, route.query ? rawQuery : {}, rawBody);
        // No read first: the transaction's condition on the idempotency record detects a repeat,
        // which then reads the saved answer; a first request costs no extra round trip.
        const saved = await changeOnce(route, input, cityId, scope, print, now);
        replayed = saved.replayed;
        result = saved.result;
      }
    } catch (error) {
      result = problemFor(error).toResult(path);
      if (result.statusCode >= 500)
        deps.logger.error('request failed', {
          route: routeName,
          error:
            error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        });
    }
    // The console (another origin) may read what its signed-in officers are answered.
    const signedIn = (event.requestContext?.authorizer as { claims?: unknown } | null | undefined)?.claims;
    if (signedIn && deps.config.consoleOrigin)
      result = {
        ...result,
        headers: { ...result.headers, 'access-control-allow-origin': deps.config.consoleOrigin, vary: 'Origin' },
      };
    // No body, no query, no names: only what identifies the request's shape and outcome.
    deps.logger.info('request', {
      route: routeName,
      method,
      status: result.statusCode,
      role,
      replayed,
      ms: Date.now() - started,
    });
    return result;
  };

  function changeOnce(
    route: Exclude<AnyRoute<RouteDeps>, { kind: 'read' }>,
    input: Parameters<typeof route.handle>[0],
    cityId: string,
    scope: string,
    print: string,
    now: Date,
  ): Promise<{ result: APIGatewayProxyResult; replayed: boolean }> {
    return commitChange(
      { ...deps, idempotencyTtlSeconds: deps.config.idempotencyTtlSeconds },
      () => route.handle(input, routeDeps),
      { cityId, scope, print, now },
    );
  }
}

/** The city named in the body (`cityId`) or query (`city`) must be one this deployment serves. */
function servedCity(input: { body?: unknown; query?: unknown }, served: ReadonlySet<string>): string {
  const fromBody = (input.body as { cityId?: string } | undefined)?.cityId;
  const fromQuery = (input.query as { city?: string } | undefined)?.city;
  const cityId = fromBody ?? fromQuery;
  if (cityId === undefined) throw new Error('every route names its city in the body or the query');
  if (!served.has(cityId)) {
    throw invalid([
      fromBody !== undefined
        ? { in: 'body', pointer: '/cityId', detail: 'is not a city this deployment serves' }
        : { in: 'query', name: 'city', detail: 'is not a city this deployment serves' },
    ]);
  }
  return cityId;
}

export type { ApiHandler, Caller };
