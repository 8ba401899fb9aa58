/**
 * The reminder run's configuration, read once at start-up.
 *
 *   TABLE_NAME          the cases table
 *   SERVED_CITIES       comma-separated city ids
 *   CITY_DISPLAY_NAMES  JSON { cityId: display name } (optional)
 *   NOTICE_QUEUE_URL    the notice dispatch queue (absent: the notices wait for the outbox sweeper)
 */
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';
import { ConfigError } from '#adapters/env';

export { ConfigError };

export interface ReminderConfig {
  tableName: string;
  cities: string[];
  queueUrl?: string;
  settingsFor: (cityId: string) => CitySettings;
}

export function loadReminderConfig(env: NodeJS.ProcessEnv = process.env): ReminderConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const cities = (env.SERVED_CITIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const city of cities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  let displayNames: Record<string, string> = {};
  if (env.CITY_DISPLAY_NAMES?.trim()) {
    try {
      displayNames = JSON.parse(env.CITY_DISPLAY_NAMES) as Record<string, string>;
    } catch {
      throw new ConfigError('CITY_DISPLAY_NAMES is not valid JSON');
    }
  }
  const queueUrl = env.NOTICE_QUEUE_URL?.trim();
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    cities,
    ...(queueUrl ? { queueUrl } : {}),
    settingsFor: (cityId) => ({
      ...DEFAULT_CITY_SETTINGS,
      cityId,
      displayName: displayNames[cityId] ?? (cityId === DEFAULT_CITY_SETTINGS.cityId ? DEFAULT_CITY_SETTINGS.displayName : cityId),
    }),
  };
}
