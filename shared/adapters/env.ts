/**
 * A function's configuration from its environment. The variable names are shared by the stack
 * (infra/, which sets them) and the functions (which read them): `ENV` is the one list. Each
 * function states what it reads as one zod schema built from the fields below and parses it once
 * at start-up with `parseEnv`, which fails fast with every problem named. zod's mini build: these
 * run in every Lambda, where bundle size is cold start.
 */
import * as z from 'zod/mini';

export const ENV = {
  // Deployment-wide: every function gets these (infra/stack.ts `newFunction`).
  stage: 'STAGE',
  /** Comma-separated city ids (the API refuses other cities). */
  servedCities: 'SERVED_CITIES',
  /** JSON overrides of the domain's execution policy. */
  executionPolicy: 'EXECUTION_POLICY',
  // Bound resources.
  tableName: 'TABLE_NAME',
  noticeQueueUrl: 'NOTICE_QUEUE_URL',
  saleRequestQueueUrl: 'SALE_REQUEST_QUEUE_URL',
  saleStateMachineArn: 'SALE_STATE_MACHINE_ARN',
  /** The sale desk's state machine (the case steps start its executions). */
  deskStateMachineArn: 'DESK_STATE_MACHINE_ARN',
  /** `on` (default): cases sell through their market's desk; `off`: each case sells alone. */
  saleDesk: 'SALE_DESK',
  saleInDoubtBoundMinutes: 'SALE_IN_DOUBT_BOUND_MINUTES',
  exchangeSecretArn: 'EXCHANGE_SECRET_ARN',
  /** The key with withdrawal permission (the release function only). */
  withdrawalSecretArn: 'WITHDRAWAL_SECRET_ARN',
  exchangeBaseUrl: 'EXCHANGE_BASE_URL',
  exchangeId: 'EXCHANGE_ID',
  /** JSON { group: requests per second } over the exchange's documented limits (the shared rate budget). */
  exchangeRateLimits: 'EXCHANGE_RATE_LIMITS',
  /** JSON [{ principal, role, cities }]: each API caller's role and the cities it acts for. */
  callers: 'CALLERS',
  /** The officers' web console's origin (https://...): answers to signed-in officers carry it for CORS. */
  consoleOrigin: 'CONSOLE_ORIGIN',
  // Per function.
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  outboxQuietMinutes: 'OUTBOX_QUIET_MINUTES',
  maxMarketsPerCall: 'MAX_MARKETS_PER_CALL',
  priceHistoryDays: 'PRICE_HISTORY_DAYS',
  coverageCasesPerPart: 'COVERAGE_CASES_PER_PART',
  exchangeTimeoutMs: 'EXCHANGE_TIMEOUT_MS',
  saleApprovalPollSeconds: 'SALE_APPROVAL_POLL_SECONDS',
  saleApprovalTimeoutHours: 'SALE_APPROVAL_TIMEOUT_HOURS',
  saleMaxDays: 'SALE_MAX_DAYS',
  saleFillPollSeconds: 'SALE_FILL_POLL_SECONDS',
  saleMaxAttempts: 'SALE_MAX_ATTEMPTS',
  /** Sales running at once on the exchange account before the starter defers new ones (start-sale). */
  saleMaxRunning: 'SALE_MAX_RUNNING',
  noticeChannelOrder: 'NOTICE_CHANNEL_ORDER',
  exchangeNoticeContact: 'EXCHANGE_NOTICE_CONTACT',
  localOutboxDir: 'LOCAL_OUTBOX_DIR',
  printBatchDir: 'PRINT_BATCH_DIR',
  /** JSON { currency: fee per withdrawal } (the release function). */
  withdrawalFees: 'WITHDRAWAL_FEES',
  releaseQuietMinutes: 'RELEASE_QUIET_MINUTES',
  /** The custody reconciliation, asked for after each settlement (the sale's case steps). */
  reconcileFunctionName: 'RECONCILE_FUNCTION_NAME',
  printBatchBucket: 'PRINT_BATCH_BUCKET',
  /** The bucket of the refund instruction files (the print batches' bucket, prefix refunds/). */
  refundFileBucket: 'REFUND_FILE_BUCKET',
  emailFrom: 'EMAIL_FROM',
  maxPriceAgeMs: 'MAX_PRICE_AGE_MS',
  /** The taxpayer self-service page: its keys' secret (not the exchange's) and the page's address. */
  taxpayerAccessSecretArn: 'TAXPAYER_ACCESS_SECRET_ARN',
  taxpayerPageUrl: 'TAXPAYER_PAGE_URL',
  /** DynamoDB Local and the local SQS server, for the local stack and tests. */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  sqsEndpoint: 'SQS_ENDPOINT',
  s3Endpoint: 'S3_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A comma-separated list, blanks dropped. */
export const envList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/**
 * One variable: its raw value (unset, or a string) in, the typed value out. `read` gets the trimmed
 * text (undefined when unset or blank) and throws ConfigError on a bad value; the message becomes
 * the variable's issue.
 */
export function envVar<T>(read: (text: string | undefined) => T) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx) => {
      try {
        return read(value?.trim() || undefined);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        ctx.issues.push({ code: 'custom', message: error.message, input: value });
        return z.NEVER;
      }
    }),
  );
}

/** Set and not blank. */
export const required = () =>
  envVar((text) => {
    if (text === undefined) throw new ConfigError('is missing');
    return text;
  });

/** Trimmed text, or undefined when unset. */
export const optional = () => envVar((text) => text);

/** An http(s) URL. */
export const httpUrl = () =>
  envVar((text) => {
    if (text === undefined) throw new ConfigError('is missing');
    if (!/^https?:\/\/[^\s/]+/.test(text)) throw new ConfigError('must be an http(s) URL');
    return text;
  });

/** A whole number within bounds, or the fallback when unset. */
export const whole = (fallback: number, min: number, max: number) =>
  envVar((text) => {
    const n = Number(text ?? fallback);
    if (!/^\d+$/.test(text ?? String(fallback)) || n < min || n > max)
      throw new ConfigError(`must be a whole number from ${min} to ${max}`);
    return n;
  });

const CITY_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** SERVED_CITIES: at least one valid city id. */
/** Sale attempts per case before the deadline check stops asking (default 5): the sale configuration and the deadline check read it alike. */
export const saleMaxAttempts = () => whole(5, 1, 100);

export const cityIds = () =>
  envVar((text) => {
    if (text === undefined) throw new ConfigError('is missing');
    const cities = envList(text);
    for (const city of cities) if (!CITY_ID.test(city)) throw new ConfigError(`holds an invalid city id: ${city}`);
    return cities;
  });

/** A comma-separated list (empty when unset). */
export const list = () => envVar((text) => envList(text));

/** A JSON object (undefined when unset). */
export const jsonObject = () => envVar(parseJsonObject);

/** A JSON object from a variable's text (undefined when unset); ConfigError when it is not one. */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError('is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError('must be a JSON object');
  return value as Record<string, unknown>;
}

/** EXCHANGE_RATE_LIMITS: whole numbers of requests per second by limit group (empty when unset). */
export const rateLimitsVar = () =>
  envVar((text): Record<string, number> => {
    const raw = parseJsonObject(text) ?? {};
    for (const [group, perSecond] of Object.entries(raw)) {
      if (!Number.isInteger(perSecond) || (perSecond as number) < 2)
        throw new ConfigError(`${group} must be a whole number of requests per second, at least 2`);
    }
    return raw as Record<string, number>;
  });

/** Parses the environment with a function's schema; every problem is named in one ConfigError. */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '));
}
