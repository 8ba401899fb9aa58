/**
 * The sweeper's configuration, read once at start-up.
 *
 *   TABLE_NAME                the cases table
 *   NOTICE_QUEUE_URL          the notice dispatch queue
 *   OUTBOX_QUIET_MINUTES      re-send PENDING notices quiet for this long (default 10; at least 1)
 */
export interface SweeperConfig {
  tableName: string;
  queueUrl: string;
  quietMinutes: number;
}

import { ConfigError } from '#adapters/env';

export { ConfigError };

export function loadSweeperConfig(env: NodeJS.ProcessEnv = process.env): SweeperConfig {
  const missing = ['TABLE_NAME', 'NOTICE_QUEUE_URL'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const quiet = env.OUTBOX_QUIET_MINUTES?.trim() || '10';
  if (!/^\d{1,4}$/.test(quiet) || Number(quiet) < 1) throw new ConfigError('OUTBOX_QUIET_MINUTES must be a whole number of minutes, at least 1');
  return { tableName: (env.TABLE_NAME ?? '').trim(), queueUrl: (env.NOTICE_QUEUE_URL ?? '').trim(), quietMinutes: Number(quiet) };
}
