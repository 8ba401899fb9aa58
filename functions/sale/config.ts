/**
 * The sale workflow's configuration, read once from the environment at start-up (the step
 * functions, the starter and the deadline check share it); a missing or malformed variable stops
 * the function before it does anything.
 *
 *   TABLE_NAME                  the cases table
 *   SERVED_CITIES               comma-separated city ids
 *   CITY_DISPLAY_NAMES          JSON { cityId: display name } (optional)
 *   EXECUTION_POLICY            JSON overrides of the execution policy (domain defaults otherwise;
 *                               approvalThresholdKrw as a string of digits)
 *   SALE_APPROVAL_POLL_SECONDS  how often a sale waiting for an officer looks again (default 300)
 *   SALE_APPROVAL_TIMEOUT_HOURS a sale not approved by then stops, nothing sold (default 72)
 *   SALE_MAX_DAYS               a sale still running after this stops and settles what it sold (default 20;
 *                               the state machine's own timeout, 24 days, is the backstop)
 *   SALE_FILL_POLL_SECONDS      wait before an order is looked at again (default 2)
 *   SALE_MAX_ATTEMPTS           sale attempts per case before the deadline check stops asking (default 5)
 *   SALE_IN_DOUBT_BOUND_MINUTES an order in doubt holds its sale's new orders this long, then an
 *                               officer is alerted and the sale goes on without its coins (default 10)
 */
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';
import { ConfigError, envList as list, envWhole as whole } from '#adapters/env';

export { ConfigError };
import { executionPolicy, InvalidExecutionPolicyError, type ExecutionPolicy } from '#domain/execution-policy';
import { Decimal, InvalidAmountError, won } from '#domain/money';

export interface SaleLimits {
  /** The exchange's quantity step: Upbit takes volumes with at most 8 decimals. */
  lotSize: Decimal;
  approvalPollSeconds: number;
  approvalTimeoutMs: number;
  maxSaleDurationMs: number;
  fillPollSeconds: number;
  /** An order still open on the exchange after this is cancelled (an IOC never should be). */
  maxOpenOrderMs: number;
  maxSaleAttempts: number;
  /** A sale waits this long for an order in doubt before it goes on without its coins (officer alerted). */
  inDoubtBoundMs: number;
  /** How often an order in doubt is looked up while its sale waits. */
  inDoubtRecheckSeconds: number;
  /** How often a sale waiting for the taxpayer's floor price looks at the market again. */
  floorRecheckSeconds: number;
  /** An execution that has run this long hands the sale on to a new one (history stays small). */
  executionSpanMs: number;
}

export const DEFAULT_SALE_LIMITS: SaleLimits = Object.freeze({
  lotSize: new Decimal('0.00000001'),
  approvalPollSeconds: 300,
  approvalTimeoutMs: 72 * 3_600_000,
  maxSaleDurationMs: 20 * 86_400_000,
  fillPollSeconds: 2,
  maxOpenOrderMs: 60_000,
  maxSaleAttempts: 5,
  inDoubtBoundMs: 10 * 60_000,
  inDoubtRecheckSeconds: 30,
  floorRecheckSeconds: 15 * 60,
  executionSpanMs: 86_400_000,
});

export interface SaleConfig {
  tableName: string;
  cities: readonly string[];
  policy: ExecutionPolicy;
  limits: SaleLimits;
  settingsFor(cityId: string): CitySettings;
}

function parseJson<T>(text: string | undefined, name: string): T | undefined {
  if (!text?.trim()) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ConfigError(`${name} is not valid JSON`);
  }
}

/** The deployment's policy: the domain defaults with EXECUTION_POLICY's overrides, validated by the domain. */
export function policyFromEnv(json: string | undefined): ExecutionPolicy {
  const raw = parseJson<Record<string, unknown>>(json, 'EXECUTION_POLICY') ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('EXECUTION_POLICY must be a JSON object');
  if ('taxpayerLimitPrice' in raw) throw new ConfigError('EXECUTION_POLICY: taxpayerLimitPrice comes from the taxpayer’s own request, not the deployment');
  const overrides: Record<string, unknown> = { ...raw };
  try {
    if (typeof raw.approvalThresholdKrw === 'string') overrides.approvalThresholdKrw = won(raw.approvalThresholdKrw);
    return executionPolicy(overrides);
  } catch (error) {
    if (error instanceof InvalidExecutionPolicyError || error instanceof InvalidAmountError) throw new ConfigError(`EXECUTION_POLICY: ${error.message}`);
    throw error;
  }
}

export function loadSaleConfig(env: NodeJS.ProcessEnv = process.env): SaleConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const cities = list(env.SERVED_CITIES);
  for (const city of cities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  const displayNames = parseJson<Record<string, string>>(env.CITY_DISPLAY_NAMES, 'CITY_DISPLAY_NAMES') ?? {};
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    cities,
    policy: policyFromEnv(env.EXECUTION_POLICY),
    limits: {
      ...DEFAULT_SALE_LIMITS,
      approvalPollSeconds: whole(env, 'SALE_APPROVAL_POLL_SECONDS', 300, 1, 86_400),
      approvalTimeoutMs: whole(env, 'SALE_APPROVAL_TIMEOUT_HOURS', 72, 1, 24 * 30) * 3_600_000,
      maxSaleDurationMs: whole(env, 'SALE_MAX_DAYS', 20, 1, 23) * 86_400_000,
      fillPollSeconds: whole(env, 'SALE_FILL_POLL_SECONDS', 2, 1, 60),
      maxSaleAttempts: whole(env, 'SALE_MAX_ATTEMPTS', 5, 1, 100),
      inDoubtBoundMs: whole(env, 'SALE_IN_DOUBT_BOUND_MINUTES', 10, 1, 24 * 60) * 60_000,
    },
    settingsFor: (cityId) => ({
      ...DEFAULT_CITY_SETTINGS,
      cityId,
      displayName: displayNames[cityId] ?? (cityId === DEFAULT_CITY_SETTINGS.cityId ? DEFAULT_CITY_SETTINGS.displayName : cityId),
    }),
  };
}
