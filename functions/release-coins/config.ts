/**
 * The release function's configuration, read once at start-up.
 *
 *   TABLE_NAME, SERVED_CITIES
 *   WITHDRAWAL_SECRET_ARN       the withdrawal key (a secret of its own, readable only by this function)
 *   EXCHANGE_BASE_URL, EXCHANGE_ID
 *   WITHDRAWAL_FEES             JSON { currency: fee per withdrawal } as the exchange publishes them
 *   RELEASE_QUIET_MINUTES       after a doubt, minutes before a search that finds nothing lets it be asked again (default 30)
 *   NOTICE_QUEUE_URL            the notice queue (absent: release notices wait for the outbox sweeper)
 */
import * as z from 'zod/mini';
import { cityIds, ConfigError, ENV, httpUrl, optional, parseEnv, required, whole } from '#adapters/env';
import { withdrawalFeesVar } from '#adapters/withdrawal-fees-env';
import type { Decimal } from '#domain/money';

export { ConfigError };

/** The release function's schedule (infra/constructs/custody.ts and the local stack). */
export const RELEASE_RATE = 'rate(5 minutes)';

export interface ReleaseConfig {
  tableName: string;
  cities: string[];
  secretArn: string;
  baseUrl: string;
  venueId: string;
  fees: Record<string, Decimal>;
  quietMinutes: number;
  queueUrl?: string;
}

const ReleaseEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.withdrawalSecretArn]: required(),
  [ENV.exchangeBaseUrl]: httpUrl(),
  [ENV.exchangeId]: optional(),
  [ENV.withdrawalFees]: withdrawalFeesVar(),
  [ENV.releaseQuietMinutes]: whole(30, 5, 1440),
  [ENV.noticeQueueUrl]: optional(),
});

export function loadReleaseConfig(env: NodeJS.ProcessEnv = process.env): ReleaseConfig {
  const e = parseEnv(ReleaseEnv, env);
  const queueUrl = e[ENV.noticeQueueUrl];
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    secretArn: e[ENV.withdrawalSecretArn],
    baseUrl: e[ENV.exchangeBaseUrl],
    venueId: e[ENV.exchangeId] ?? 'upbit',
    fees: e[ENV.withdrawalFees],
    quietMinutes: e[ENV.releaseQuietMinutes],
    ...(queueUrl ? { queueUrl } : {}),
  };
}
