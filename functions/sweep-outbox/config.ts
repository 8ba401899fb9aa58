/**
 * The sweeper's configuration, read once at start-up.
 *
 *   TABLE_NAME                the cases table
 *   NOTICE_QUEUE_URL          the notice dispatch queue
 *   OUTBOX_QUIET_MINUTES      re-send PENDING notices quiet for this long (default 10; at least 1)
 */
import * as z from 'zod/mini';
import { ConfigError, ENV, parseEnv, required, whole } from '#adapters/env';

export { ConfigError };

export interface SweeperConfig {
  tableName: string;
  queueUrl: string;
  quietMinutes: number;
}

const SweeperEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.noticeQueueUrl]: required(),
  [ENV.outboxQuietMinutes]: whole(10, 1, 9999),
});

export function loadSweeperConfig(env: NodeJS.ProcessEnv = process.env): SweeperConfig {
  const e = parseEnv(SweeperEnv, env);
  return { tableName: e[ENV.tableName], queueUrl: e[ENV.noticeQueueUrl], quietMinutes: e[ENV.outboxQuietMinutes] };
}
