/**
 * The API's configuration, read once from the environment at start-up; a missing or malformed
 * variable stops the function before it serves anything.
 *
 *   TABLE_NAME                 the cases table
 *   SERVED_CITIES              comma-separated city ids this deployment serves
 *   CALLERS                    JSON [{ "principal": ARN, "role": CITY_SYSTEM|OFFICER|AUDITOR, "cities": [cityId] }]
 *   IDEMPOTENCY_TTL_SECONDS    how long an answer is kept for repeats (default 86400)
 *   NOTICE_QUEUE_URL           the notice queue (absent: notices wait for the outbox sweeper)
 *   SALE_REQUEST_QUEUE_URL     the sale request queue (absent: the deadline check finds the request)
 *   EXECUTION_POLICY           the deployment's execution policy overrides (approval thresholds)
 *   CONSOLE_ORIGIN             the web console's origin (CORS on answers to signed-in officers)
 *   SALE_STATE_MACHINE_ARN     the sale workflow (its executions' history in the sale detail; absent: left out)
 *   DESK_STATE_MACHINE_ARN     the sale desk's workflow (its executions' history in the desk detail; absent: left out)
 *   TAXPAYER_ACCESS_SECRET_ARN the self-service page's secret (the second check's pepper; absent: no page)
 *   WITHDRAWAL_FEES, EXCHANGE_ID the release function's fee table and exchange (a destination the fee would swallow is refused)
 *   DYNAMODB_ENDPOINT          DynamoDB Local, for the local stack and tests
 */
import * as z from 'zod/mini';
import { cityIds, ConfigError, ENV, optional, parseEnv, required, whole } from '#adapters/env';
import { executionPolicyVar } from '#adapters/execution-policy-env';
import { withdrawalFees, withdrawalFeesVar } from '#adapters/withdrawal-fees-env';
import type { ExecutionPolicy } from '#domain/execution-policy';
import type { WithdrawalFees } from '#domain/release';
import { ROLES, type CallerGrant } from './roles';

export { ConfigError };

export interface ApiConfig {
  tableName: string;
  servedCities: ReadonlySet<string>;
  /** Every caller principal with its role and the cities it may act for. */
  callers: readonly CallerGrant[];
  idempotencyTtlSeconds: number;
  noticeQueueUrl?: string;
  saleRequestQueueUrl?: string;
  /** The deployment's execution policy: its approval thresholds say how many officers a sale needs. */
  policy: ExecutionPolicy;
  /** The web console's origin, allowed to read the answers to signed-in officers (CORS). */
  consoleOrigin?: string;
  /** The sale state machine, whose executions' histories the sale detail shows. */
  saleStateMachineArn?: string;
  /** The sale desk's state machine, whose executions' histories the desk detail shows. */
  deskStateMachineArn?: string;
  taxpayerAccessSecretArn?: string;
  /** The exchange's withdrawal fees (none when unset): a release's destination must leave coins to send. */
  withdrawalFees: WithdrawalFees;
}

const ApiEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.callers]: optional(),
  [ENV.idempotencyTtlSeconds]: whole(86_400, 60, 99_999_999),
  [ENV.noticeQueueUrl]: optional(),
  [ENV.saleRequestQueueUrl]: optional(),
  [ENV.executionPolicy]: executionPolicyVar(),
  [ENV.consoleOrigin]: optional(),
  [ENV.saleStateMachineArn]: optional(),
  [ENV.deskStateMachineArn]: optional(),
  [ENV.taxpayerAccessSecretArn]: optional(),
  [ENV.withdrawalFees]: withdrawalFeesVar(),
  [ENV.exchangeId]: optional(),
});

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(ApiEnv, env);
  const servedCities = new Set(e[ENV.servedCities]);
  const callers = parseCallers(e[ENV.callers], servedCities);
  const noticeQueueUrl = e[ENV.noticeQueueUrl];
  const saleRequestQueueUrl = e[ENV.saleRequestQueueUrl];
  return {
    tableName: e[ENV.tableName],
    servedCities,
    callers,
    idempotencyTtlSeconds: e[ENV.idempotencyTtlSeconds],
    policy: e[ENV.executionPolicy],
    withdrawalFees: withdrawalFees(e[ENV.withdrawalFees], e[ENV.exchangeId] ?? 'upbit'),
    ...(e[ENV.consoleOrigin] ? { consoleOrigin: e[ENV.consoleOrigin] } : {}),
    ...(e[ENV.saleStateMachineArn] ? { saleStateMachineArn: e[ENV.saleStateMachineArn] } : {}),
    ...(e[ENV.deskStateMachineArn] ? { deskStateMachineArn: e[ENV.deskStateMachineArn] } : {}),
    ...(noticeQueueUrl ? { noticeQueueUrl } : {}),
    ...(saleRequestQueueUrl ? { saleRequestQueueUrl } : {}),
    ...(e[ENV.taxpayerAccessSecretArn] ? { taxpayerAccessSecretArn: e[ENV.taxpayerAccessSecretArn] } : {}),
  };
}

export const CALLERS_ENV = ENV.callers;

const Grants = z.array(
  z.strictObject({
    principal: z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/)),
    role: z.enum(ROLES as [string, ...string[]]),
    cities: z.array(z.string()).check(z.minLength(1)),
  }),
);

/** Reads CALLERS: each principal's role and cities (every city one this deployment serves). */
export function parseCallers(text: string | undefined, servedCities: ReadonlySet<string>): CallerGrant[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text?.trim() || '[]');
  } catch {
    throw new ConfigError(`${CALLERS_ENV} is not valid JSON`);
  }
  const parsed = Grants.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `${CALLERS_ENV} is not a list of { principal, role, cities }: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  const grants = parsed.data as CallerGrant[];
  if (grants.length === 0) throw new ConfigError(`no caller is allowed: set ${CALLERS_ENV}`);
  for (const g of grants) {
    const unknown = g.cities.filter((c) => !servedCities.has(c));
    if (unknown.length > 0)
      throw new ConfigError(
        `${CALLERS_ENV}: ${g.principal} names cities this deployment does not serve: ${unknown.join(', ')}`,
      );
  }
  return grants;
}
