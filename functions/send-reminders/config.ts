/**
 * The reminder run's configuration, read once at start-up.
 *
 *   TABLE_NAME          the cases table
 *   SERVED_CITIES       comma-separated city ids
 *   NOTICE_QUEUE_URL    the notice dispatch queue (absent: the notices wait for the outbox sweeper)
 */
import { ConfigError } from '#adapters/env';

export { ConfigError };

export interface ReminderConfig {
  tableName: string;
  cities: string[];
  queueUrl?: string;
}

export function loadReminderConfig(env: NodeJS.ProcessEnv = process.env): ReminderConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const cities = (env.SERVED_CITIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const city of cities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  const queueUrl = env.NOTICE_QUEUE_URL?.trim();
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    cities,
    ...(queueUrl ? { queueUrl } : {}),
  };
}
