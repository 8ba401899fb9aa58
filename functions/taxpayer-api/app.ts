/**
 * The taxpayer self-service API's pipeline (docs/SELF_SERVICE.md): the client's request count in
 * its window (the same limit as the WAF rule in front when deployed) → the route → the session the
 * authorizer verified (every route but the one that opens it) → validation → the handler → for the
 * sale request, one transaction with its idempotency record, as in the city's API. Every refusal is
 * problem+json; nothing is written for a refused request but the access record.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PUBLIC_RATE_LIMIT } from '#domain/self-service';
import type { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import type { TaxpayerSession } from '#adapters/self-service/access-keys';
import { commitChange, jsonResult, parseBody, problemFor, type ApiHandler, type CommitDeps } from '../api/http';
import { fingerprint, IDEMPOTENCY_HEADER, parseIdempotencyKey } from '../api/idempotency';
import { newId as defaultNewId } from '../api/ids';
import { Problem } from '../api/problem';
import { header, matchRoute, methodNotAllowed, notFound, validate } from '../api/router';
import { notRecognized, taxpayerRoutes, type TaxpayerDeps, type TaxpayerRoute } from './routes';

export interface TaxpayerApiDeps extends Omit<TaxpayerDeps, 'newId'>, Omit<CommitDeps, 'store'> {
  selfService: TaxpayerDeps['selfService'] & Pick<DynamoDbSelfServiceStore, 'countRequest'>;
  logger: Pick<Logger, 'info' | 'error'>;
  now?: () => Date;
  newId?: (prefix: string) => string;
  rateLimit?: { requests: number; windowSeconds: number };
  /** The page's origin: every answer lets it read it (CORS; API Gateway answers the preflight). */
  allowOrigin?: string;
}

/** The session the authorizer put in the request context (API Gateway passes its context on). */
export function sessionOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): TaxpayerSession | undefined {
  const a = event.requestContext?.authorizer;
  const { cityId, caseId, noticeId, code, expiresAt } = a ?? {};
  if (
    typeof cityId !== 'string' ||
    typeof caseId !== 'string' ||
    typeof noticeId !== 'string' ||
    typeof code !== 'string' ||
    typeof expiresAt !== 'string'
  )
    return undefined;
  return { cityId, caseId, noticeId, code, expiresAt: new Date(expiresAt) };
}

export function createTaxpayerApi(deps: TaxpayerApiDeps): ApiHandler {
  const routeDeps: TaxpayerDeps = { ...deps, newId: deps.newId ?? defaultNewId };
  const clock = deps.now ?? (() => new Date());
  const limit = deps.rateLimit ?? PUBLIC_RATE_LIMIT;

  return async function handle(event) {
    const started = Date.now();
    const now = clock();
    const method = event.httpMethod.toUpperCase();
    const path = event.path;
    const requestId = event.requestContext?.requestId ?? 'local';
    let routeName = 'unmatched';
    let result;
    try {
      await countRequest(event, now);
      const match = matchRoute<TaxpayerDeps>(taxpayerRoutes as never, method, path, {
        template: event.resource,
        params: event.pathParameters,
      });
      if (!match) throw notFound(path);
      if ('allow' in match) throw methodNotAllowed(method, match.allow);
      const route = match.route as unknown as TaxpayerRoute;
      routeName = `${route.method} ${route.path}`;
      const session = sessionOf(event);
      // The authorizer refuses a bad session before this runs; without one here, nothing is read.
      if (route.session && (!session || session.expiresAt.getTime() <= now.getTime()))
        throw new Problem(
          401,
          'session-required',
          '다시 확인해 주십시오',
          'the session is missing or expired: open a new one with the notice’s code',
        );
      const rawQuery = event.queryStringParameters ?? {};
      const rawBody = route.body ? parseBody(event) : undefined;
      const key = route.kind === 'change' ? parseIdempotencyKey(header(event.headers, IDEMPOTENCY_HEADER)) : undefined;
      const input = {
        query: route.query ? validate(route.query, rawQuery, 'query') : undefined,
        body: route.body ? validate(route.body, rawBody, 'body') : undefined,
        now,
        requestId,
        session: session as TaxpayerSession,
        audit: (outcome: Parameters<TaxpayerDeps['selfService']['recordAccess']>[2]['outcome']) =>
          session
            ? deps.selfService.recordAccess(session.cityId, session.caseId, {
                at: now.toISOString(),
                outcome,
                noticeId: session.noticeId,
                route: routeName,
                requestId,
              })
            : Promise.resolve(),
      };
      if (route.kind === 'read') {
        const reply = await route.handle(input, routeDeps);
        result = jsonResult(reply.status, reply.body, reply.headers);
      } else {
        // Keys are the link's own: another link (or the city's callers) never meets them.
        const scope = createHmac('sha256', 'taxpayer')
          .update(`${session?.code ?? ''}\n${key ?? ''}`)
          .digest('hex');
        const saved = await commitChange(deps, () => route.handle(input, routeDeps), {
          cityId: session?.cityId ?? '',
          scope,
          print: fingerprint(method, path, {}, rawBody),
          now,
        });
        result = saved.result;
      }
    } catch (error) {
      result = (error instanceof Problem ? error : problemFor(error)).toResult(path);
      // A case that vanished under a valid session is not something to describe to the public.
      if (result.statusCode === 404 && routeName !== 'unmatched') result = notRecognized().toResult(path);
      if (result.statusCode >= 500)
        deps.logger.error('request failed', {
          route: routeName,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
    }
    // No body, no query, no code, no case: the request's shape and outcome only.
    deps.logger.info('request', { route: routeName, method, status: result.statusCode, ms: Date.now() - started });
    return deps.allowOrigin
      ? { ...result, headers: { ...result.headers, 'access-control-allow-origin': deps.allowOrigin, vary: 'origin' } }
      : result;
  };

  /** One request of this client address in its window; over the limit: 429 with when to come back. */
  async function countRequest(event: APIGatewayProxyEvent, now: Date): Promise<void> {
    const ip = event.requestContext?.identity?.sourceIp ?? 'unknown';
    // The address itself is not stored: a tag under the key of the second check's pepper.
    const client = createHmac('sha256', (await deps.keys()).check)
      .update(`client\n${ip}`)
      .digest('base64url');
    const { count, windowEnds } = await deps.selfService.countRequest(client, now, limit.windowSeconds);
    if (count > limit.requests) {
      const wait = Math.max(1, Math.ceil((windowEnds.getTime() - now.getTime()) / 1000));
      throw new Problem(
        429,
        'too-many-requests',
        '요청이 너무 많습니다',
        `too many requests from this address: try again in ${wait} seconds`,
        {},
        { 'Retry-After': String(wait) },
      );
    }
  }
}
