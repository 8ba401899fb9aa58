/**
 * The reminder run's configuration, read once at start-up.
 *
 *   TABLE_NAME          the cases table
 *   SERVED_CITIES       comma-separated city ids
 *   CITY_DISPLAY_NAMES  JSON { cityId: display name } (optional)
 *   NOTICE_QUEUE_URL    the notice dispatch queue (absent: the notices wait for the outbox sweeper)
 */
import * as z from 'zod/mini';
import type { CitySettings } from '#domain/city-settings';
import { citySettings, cityIds, ConfigError, ENV, optional, parseEnv, required } from '#adapters/env';

export { ConfigError };

export interface ReminderConfig {
  tableName: string;
  cities: string[];
  queueUrl?: string;
  settingsFor: (cityId: string) => CitySettings;
}

const ReminderEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.cityDisplayNames]: citySettings(),
  [ENV.noticeQueueUrl]: optional(),
});

export function loadReminderConfig(env: NodeJS.ProcessEnv = process.env): ReminderConfig {
  const e = parseEnv(ReminderEnv, env);
  const queueUrl = e[ENV.noticeQueueUrl];
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    ...(queueUrl ? { queueUrl } : {}),
    settingsFor: e[ENV.cityDisplayNames],
  };
}
