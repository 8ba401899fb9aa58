/**
 * The request pipeline: who is calling → which route → may they → Idempotency-Key → parse and
 * validate → the handler (load → domain transition) → one transaction (change, audit, outbox,
 * ledger, idempotency record) → the answer. Every refusal is problem+json.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CaseRuleError, IllegalTransitionError, type Transition } from '#domain/case';
import {
  CaseExistsError,
  CaseNotFoundError,
  CaseRefTakenError,
  ConcurrencyConflictError,
  DuplicateRecordError,
  IdempotencyKeyTakenError,
  InvalidCursorError,
  StoreLimitError,
  type IdempotencyRecord,
} from '#domain/case-store';
import { CitySettingsMissingError, InvalidCitySettingsError } from '#domain/city-settings';
import { InvalidDateError } from '#domain/dates';
import { SettingsVersionConflictError } from '#adapters/dynamodb/city-settings-store';
import { ReleaseConflictError } from '#adapters/dynamodb/release-store';
import { InvalidAmountError } from '#domain/money';
import { RefundRuleError } from '#domain/refunds';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { fingerprint, parseIdempotencyKey, replay, scopedKey, IDEMPOTENCY_HEADER } from './idempotency';
import { newId as defaultNewId } from './ids';
import { invalid, Problem } from './problem';
import { callerOf, UnverifiedCallerError, type Caller } from './roles';
import {
  CHANGING_METHODS,
  header,
  matchRoute,
  methodNotAllowed,
  notFound,
  validate,
  type AnyRoute,
  type Change,
  type Method,
  type Recorded,
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

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** A change that lost a race is re-read and re-applied a few times before the caller hears of it. */
const CHANGE_ATTEMPTS = 3;

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

/** What committing a change needs: the store, how long answers are kept, and what to tell after. */
export interface CommitDeps extends Pick<ApiDeps, 'publishNotices' | 'requestSales'> {
  store: Pick<ApiDeps['store'], 'getIdempotency' | 'create' | 'commit'>;
  idempotencyTtlSeconds: number;
}

/**
 * Commits one change with its answer as the idempotency record, in one transaction: a lost race is
 * re-read and re-applied a few times; a repeat (or a copy of this very request saved first) gets
 * the saved answer. Notices and sale requests are published after the commit.
 */
export async function commitChange(
  deps: CommitDeps,
  produce: () => Promise<Change | Recorded>,
  { cityId, scope, print, now }: { cityId: string; scope: string; print: string; now: Date },
): Promise<{ result: APIGatewayProxyResult; replayed: boolean }> {
  const replayIfSaved = async () => {
    const seen = await deps.store.getIdempotency(cityId, scope, now);
    return seen ? { result: replay(seen, print), replayed: true } : undefined;
  };
  for (let attempt = 1; ; attempt++) {
    // After a lost race, a copy of this very request may be the one saved: its answer is ours.
    const saved = attempt > 1 ? await replayIfSaved() : undefined;
    if (saved) return saved;
    let change: Change | Recorded;
    try {
      change = await produce();
    } catch (error) {
      // A repeat of a saved request may be refused by the rules (a payment already applied, a
      // case since closed): the saved answer is the right one.
      const saved = await replayIfSaved();
      if (saved) return saved;
      throw error;
    }
    const result = jsonResult(change.status, change.body, change.headers);
    const record: IdempotencyRecord = {
      cityId,
      key: scope,
      fingerprint: print,
      response: { statusCode: result.statusCode, headers: result.headers as Record<string, string>, body: result.body },
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + deps.idempotencyTtlSeconds,
    };
    try {
      if ('commit' in change) await change.commit(record);
      else if (change.previousVersion === null) await deps.store.create(change.transition, { idempotency: record });
      else await deps.store.commit(change.previousVersion, change.transition, { idempotency: record });
    } catch (error) {
      if (error instanceof IdempotencyKeyTakenError) {
        // The same request raced itself and the other copy was saved first: answer as it did.
        const saved = await replayIfSaved();
        if (saved) return saved;
      }
      if (
        (error instanceof ConcurrencyConflictError || error instanceof ReleaseConflictError) &&
        attempt < CHANGE_ATTEMPTS
      )
        continue;
      throw error;
    }
    if ('commit' in change) return { result, replayed: false };
    // After the commit, outside its error handling: publishing never undoes or repeats a change.
    if (change.transition.notices.length > 0) await deps.publishNotices?.(change.transition);
    await deps.requestSales?.(change.transition);
    return { result, replayed: false };
  }
}

export function parseBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const type = header(event.headers, 'content-type');
  if (type && !/\bjson\b/i.test(type))
    throw new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'the body must be application/json');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid([{ in: 'body', pointer: '', detail: 'is not valid JSON' }]);
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

export function jsonResult(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function problemFor(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof UnverifiedCallerError) return new Problem(403, 'forbidden', 'Forbidden', error.message);
  if (error instanceof InvalidCitySettingsError)
    return invalid(
      error.issues.map((i) => ({ in: 'body', pointer: `/settings${i.path === '/' ? '' : i.path}`, detail: i.message })),
    );
  if (error instanceof SettingsVersionConflictError)
    return new Problem(409, 'concurrent-update', 'The settings changed meanwhile', `${error.message}; read them again`);
  if (error instanceof CitySettingsMissingError)
    return new Problem(503, 'city-not-configured', 'The city is not configured yet', error.message);
  if (error instanceof IllegalTransitionError)
    return new Problem(409, 'illegal-transition', 'Not allowed in the case’s state', error.message, {
      code: error.code,
    });
  if (error instanceof RefundRuleError)
    return new Problem(422, 'rule-violation', 'Refused by a rule', error.message, { code: error.code });
  if (error instanceof CaseRuleError)
    return new Problem(422, 'rule-violation', 'Refused by a rule', error.message, { code: error.code });
  if (error instanceof CaseNotFoundError) return new Problem(404, 'case-not-found', 'No such case', error.message);
  if (error instanceof ReleaseConflictError)
    return new Problem(
      409,
      'concurrent-update',
      'The release changed meanwhile',
      `${error.message}; retry the request with the same Idempotency-Key`,
      { retryable: true },
      { 'Retry-After': '1' },
    );
  if (error instanceof ConcurrencyConflictError) {
    return new Problem(
      409,
      'concurrent-update',
      'The case changed meanwhile',
      `${error.message}; retry the request with the same Idempotency-Key`,
      { retryable: true },
      { 'Retry-After': '1' },
    );
  }
  if (error instanceof CaseRefTakenError) {
    const existing = error.existingCaseId;
    return new Problem(
      409,
      'case-registered',
      'The case is registered already',
      `${error.message}; it stays the one case for this reference until it closes`,
      existing ? { caseId: existing } : {},
      existing ? { Location: `/cases/${existing}?city=${error.cityId}` } : {},
    );
  }
  if (error instanceof DuplicateRecordError && error.kind === 'PAYMENT')
    return new Problem(422, 'rule-violation', 'Refused by a rule', error.message, { code: 'DUPLICATE_PAYMENT' });
  if (error instanceof DuplicateRecordError || error instanceof CaseExistsError)
    return new Problem(409, 'duplicate', 'Already recorded', error.message);
  if (error instanceof InvalidCursorError) return invalid([{ in: 'query', name: 'cursor', detail: error.message }]);
  if (error instanceof InvalidAmountError || error instanceof InvalidDateError)
    return new Problem(422, 'rule-violation', 'Refused by a rule', error.message, { code: 'INVALID_VALUE' });
  if (error instanceof StoreLimitError) return new Problem(422, 'too-large', 'Too large', error.message);
  return new Problem(
    500,
    'internal',
    'Internal error',
    'the request failed; it may be retried with the same Idempotency-Key',
  );
}

export type { Caller };
