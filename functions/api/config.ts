/**
 * The API's configuration, read once from the environment at start-up; a missing or malformed
 * variable stops the function before it serves anything.
 *
 *   TABLE_NAME                 the cases table
 *   SERVED_CITIES              comma-separated city ids this deployment serves
 *   CITY_SYSTEM_ROLE_ARNS      comma-separated IAM role (or user) ARNs of the city's tax system
 *   OFFICER_ROLE_ARNS          comma-separated IAM role (or user) ARNs of tax officers
 *   IDEMPOTENCY_TTL_SECONDS    how long an answer is kept for repeats (default 86400)
 *   DYNAMODB_ENDPOINT          DynamoDB Local, for the local stack and tests
 */
import type { CitySettings } from '#domain/city-settings';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import type { Role } from './roles';
import { ConfigError, envList as list } from '#adapters/env';

export { ConfigError };

export interface ApiConfig {
  tableName: string;
  servedCities: ReadonlySet<string>;
  roleArns: Record<Role, readonly string[]>;
  idempotencyTtlSeconds: number;
  /** The rules' settings for a served city (per-city overrides are a later configuration source). */
  settingsFor: (cityId: string) => CitySettings;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const servedCities = new Set(list(env.SERVED_CITIES));
  for (const city of servedCities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  const roleArns = { CITY_SYSTEM: list(env.CITY_SYSTEM_ROLE_ARNS), OFFICER: list(env.OFFICER_ROLE_ARNS) };
  if (roleArns.CITY_SYSTEM.length + roleArns.OFFICER.length === 0) throw new ConfigError('no caller is allowed: set CITY_SYSTEM_ROLE_ARNS and/or OFFICER_ROLE_ARNS');
  const ttl = env.IDEMPOTENCY_TTL_SECONDS?.trim() || '86400';
  if (!/^\d{1,8}$/.test(ttl) || Number(ttl) < 60) throw new ConfigError('IDEMPOTENCY_TTL_SECONDS must be a whole number of seconds, at least 60');
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    servedCities,
    roleArns,
    idempotencyTtlSeconds: Number(ttl),
    settingsFor: (cityId) => ({ ...DEFAULT_CITY_SETTINGS, cityId, displayName: cityId === DEFAULT_CITY_SETTINGS.cityId ? DEFAULT_CITY_SETTINGS.displayName : cityId }),
  };
}
