/**
 * The parts of the request pipeline the taxpayer API shares with the city's API (app.ts): the JSON
 * body, JSON answers, problem+json for an error, and committing a change with its idempotency
 * record. Apart from app.ts, which also holds the city API's route table, so that the taxpayer API's
 * bundle does not carry those routes and their stores (79 KB; docs/BENCHMARKS.md).
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
import { InvalidAmountError } from '#domain/money';
import { RefundRuleError } from '#domain/refunds';
import { SettingsVersionConflictError } from '#adapters/dynamodb/city-settings-store';
import { ReleaseConflictError } from '#adapters/dynamodb/release-store';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { replay } from './idempotency';
import { invalid, Problem } from './problem';
import { UnverifiedCallerError } from './roles';
import { header, type Change, type Recorded } from './router';
import type { RouteDeps } from './routes';

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** A change that lost a race is re-read and re-applied a few times before the caller hears of it. */
const CHANGE_ATTEMPTS = 3;

/** What committing a change needs: the store, how long answers are kept, and what to tell after. */
export interface CommitDeps {
  store: Pick<RouteDeps['store'], 'getIdempotency' | 'create' | 'commit'>;
  /** Queues the notices a committed change caused. */
  publishNotices?: PublishNotices;
  /** Queues a sale request when a committed change made the case due at the taxpayer's request. */
  requestSales?: (transition: Transition) => Promise<void>;
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
