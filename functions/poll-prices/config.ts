/**
 * The poller's configuration, read once from the environment at start-up; a missing or malformed
 * variable stops the function before it polls anything.
 *
 *   TABLE_NAME                the cases table
 *   SERVED_CITIES             comma-separated city ids
 *   EXCHANGE_BASE_URL         e.g. https://api.upbit.com (quotation calls are public: no key is read)
 *   EXECUTION_POLICY          JSON overrides of the execution policy; the poller uses maxPriceAgeMs
 *                             and maxSourceGapBps (validated by the domain's policy rules)
 *   MAX_MARKETS_PER_CALL      markets per ticker / order-book call (default 100)
 *   PRICE_HISTORY_DAYS        lifetime of the minute series (default 7)
 *   COVERAGE_CASES_PER_PART   most cases per coverage item (default 1000)
 *   EXCHANGE_TIMEOUT_MS       per-request timeout (default 5000)
 *   DYNAMODB_ENDPOINT         DynamoDB Local, for the local stack and tests
 */
import * as z from 'zod/mini';
import { cityIds, ConfigError, ENV, httpUrl, parseEnv, required, whole } from '#adapters/env';
import { executionPolicyVar } from '#adapters/execution-policy-env';
import type { PriceChecks } from './assess';

export { ConfigError };

export interface PollConfig {
  tableName: string;
  cities: readonly string[];
  exchangeBaseUrl: string;
  checks: PriceChecks;
  maxMarketsPerCall: number;
  historyDays: number;
  casesPerPart: number;
  exchangeTimeoutMs: number;
}

const PollEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.exchangeBaseUrl]: httpUrl(),
  [ENV.executionPolicy]: executionPolicyVar(),
  [ENV.maxMarketsPerCall]: whole(100, 1, 500),
  [ENV.priceHistoryDays]: whole(7, 1, 366),
  [ENV.coverageCasesPerPart]: whole(1000, 1, 1000),
  [ENV.exchangeTimeoutMs]: whole(5000, 100, 30_000),
});

export function loadPollConfig(env: NodeJS.ProcessEnv = process.env): PollConfig {
  const e = parseEnv(PollEnv, env);
  const policy = e[ENV.executionPolicy];
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    exchangeBaseUrl: e[ENV.exchangeBaseUrl],
    checks: { maxPriceAgeMs: policy.maxPriceAgeMs, maxSourceGapBps: policy.maxSourceGapBps },
    maxMarketsPerCall: e[ENV.maxMarketsPerCall],
    historyDays: e[ENV.priceHistoryDays],
    casesPerPart: e[ENV.coverageCasesPerPart],
    exchangeTimeoutMs: e[ENV.exchangeTimeoutMs],
  };
}
