/**
 * The reminder run's configuration, read once at start-up.
 *
 *   TABLE_NAME          the cases table
 *   SERVED_CITIES       comma-separated city ids
 *   NOTICE_QUEUE_URL    the notice dispatch queue (absent: the notices wait for the outbox sweeper)
 */
import * as z from 'zod/mini';
import { cityIds, ConfigError, ENV, optional, parseEnv, required } from '#adapters/env';

export { ConfigError };

export interface ReminderConfig {
  tableName: string;
  cities: string[];
  queueUrl?: string;
}

const ReminderEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.noticeQueueUrl]: optional(),
});

export function loadReminderConfig(env: NodeJS.ProcessEnv = process.env): ReminderConfig {
  const e = parseEnv(ReminderEnv, env);
  const queueUrl = e[ENV.noticeQueueUrl];
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    ...(queueUrl ? { queueUrl } : {}),
  };
}
