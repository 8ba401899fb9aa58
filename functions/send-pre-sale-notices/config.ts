/**
 * The pre-sale notice run's configuration, read once at start-up.
 *
 *   TABLE_NAME          the cases table
 *   SERVED_CITIES       comma-separated city ids
 *   CITY_DISPLAY_NAMES  JSON { cityId: display name } (optional)
 *   NOTICE_WINDOW_DAYS  days from the notice taking effect to its deadline (the cities' setting; default the domain's)
 *   NOTICE_QUEUE_URL    the notice dispatch queue
 *   MAX_PRICE_AGE_MS    prices older than this do not value a notice (default 15 minutes)
 */
import type { CitySettings } from '#domain/city-settings';
import { citySettingsFromEnv } from '#adapters/city-settings-env';
import { ConfigError, envList, envWhole } from '#adapters/env';

export { ConfigError };

export interface PreSaleNoticeConfig {
  tableName: string;
  cities: string[];
  queueUrl: string;
  maxPriceAgeMs: number;
  settingsFor(cityId: string): CitySettings;
}

export function loadPreSaleNoticeConfig(env: NodeJS.ProcessEnv = process.env): PreSaleNoticeConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES', 'NOTICE_QUEUE_URL'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    cities: envList(env.SERVED_CITIES),
    queueUrl: (env.NOTICE_QUEUE_URL ?? '').trim(),
    maxPriceAgeMs: envWhole(env, 'MAX_PRICE_AGE_MS', 15 * 60_000, 1_000, 86_400_000),
    settingsFor: citySettingsFromEnv(env),
  };
}
