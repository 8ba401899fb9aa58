/**
 * The pre-sale notice run's configuration, read once at start-up.
 *
 *   TABLE_NAME                           the cases table
 *   SERVED_CITIES                        comma-separated city ids
 *   CITY_DISPLAY_NAMES                   JSON { cityId: display name } (optional)
 *   NOTICE_WINDOW_DAYS                   days from the notice taking effect to its deadline (the cities' setting)
 *   PRE_SALE_NOTICE_AFTER_CUSTODY_DAYS   days after custody before the notice goes out (the cities' setting)
 *   NOTICE_QUEUE_URL                     the notice dispatch queue
 *   MAX_PRICE_AGE_MS                     prices older than this do not value a notice (default 15 minutes)
 */
import * as z from 'zod/mini';
import type { CitySettings } from '#domain/city-settings';
import { noticeSettingsEnv, withNoticeSettings } from '#adapters/city-settings-env';
import { citySettings, cityIds, ConfigError, ENV, parseEnv, required, whole } from '#adapters/env';

export { ConfigError };

export interface PreSaleNoticeConfig {
  tableName: string;
  cities: string[];
  queueUrl: string;
  maxPriceAgeMs: number;
  settingsFor: (cityId: string) => CitySettings;
}

const PreSaleNoticeEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.cityDisplayNames]: citySettings(),
  [ENV.noticeQueueUrl]: required(),
  [ENV.maxPriceAgeMs]: whole(15 * 60_000, 1_000, 86_400_000),
  ...noticeSettingsEnv(),
});

export function loadPreSaleNoticeConfig(env: NodeJS.ProcessEnv = process.env): PreSaleNoticeConfig {
  const e = parseEnv(PreSaleNoticeEnv, env);
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    queueUrl: e[ENV.noticeQueueUrl],
    maxPriceAgeMs: e[ENV.maxPriceAgeMs],
    settingsFor: withNoticeSettings(e[ENV.cityDisplayNames], e),
  };
}
