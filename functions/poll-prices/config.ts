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
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';
import { executionPolicy, InvalidExecutionPolicyError } from '#domain/execution-policy';
import type { PriceChecks } from './assess';
import { ConfigError, envList as list, envWhole as whole } from '#adapters/env';

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
  settingsFor: (cityId: string) => CitySettings;
}

export function loadPollConfig(env: NodeJS.ProcessEnv = process.env): PollConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES', 'EXCHANGE_BASE_URL'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const cities = list(env.SERVED_CITIES);
  for (const city of cities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  const baseUrl = (env.EXCHANGE_BASE_URL ?? '').trim();
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new ConfigError('EXCHANGE_BASE_URL must be an http(s) URL');
  const displayNames = parseJson<Record<string, string>>(env.CITY_DISPLAY_NAMES, 'CITY_DISPLAY_NAMES') ?? {};
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    cities,
    exchangeBaseUrl: baseUrl,
    checks: priceChecks(env.EXECUTION_POLICY),
    maxMarketsPerCall: whole(env, 'MAX_MARKETS_PER_CALL', 100, 1, 500),
    historyDays: whole(env, 'PRICE_HISTORY_DAYS', 7, 1, 366),
    casesPerPart: whole(env, 'COVERAGE_CASES_PER_PART', 1000, 1, 1000),
    exchangeTimeoutMs: whole(env, 'EXCHANGE_TIMEOUT_MS', 5000, 100, 30_000),
    settingsFor: (cityId) => ({ ...DEFAULT_CITY_SETTINGS, cityId, displayName: displayNames[cityId] ?? (cityId === DEFAULT_CITY_SETTINGS.cityId ? DEFAULT_CITY_SETTINGS.displayName : cityId) }),
  };
}

/** The two thresholds the poller flags with, from the deployment's policy overrides (defaults otherwise). */
function priceChecks(json: string | undefined): PriceChecks {
  const overrides = parseJson<Record<string, unknown>>(json, 'EXECUTION_POLICY') ?? {};
  const pick = Object.fromEntries(Object.entries(overrides).filter(([k]) => k === 'maxPriceAgeMs' || k === 'maxSourceGapBps'));
  try {
    const policy = executionPolicy(pick);
    return { maxPriceAgeMs: policy.maxPriceAgeMs, maxSourceGapBps: policy.maxSourceGapBps };
  } catch (error) {
    if (error instanceof InvalidExecutionPolicyError) throw new ConfigError(`EXECUTION_POLICY: ${error.message}`);
    throw error;
  }
}

function parseJson<T>(text: string | undefined, name: string): T | undefined {
  if (!text?.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`${name} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${name} must be a JSON object`);
  return value as T;
}
