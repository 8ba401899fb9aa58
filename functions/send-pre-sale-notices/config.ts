/**
 * The pre-sale notice run's configuration, read once at start-up.
 *
 *   TABLE_NAME                           the cases table
 *   SERVED_CITIES                        comma-separated city ids
 *   NOTICE_QUEUE_URL                     the notice dispatch queue
 *   MAX_PRICE_AGE_MS                     prices older than this do not value a notice (default 15 minutes)
 */
import * as z from 'zod/mini';
import { cityIds, ConfigError, ENV, parseEnv, required, whole } from '#adapters/env';

export { ConfigError };

export interface PreSaleNoticeConfig {
  tableName: string;
  cities: string[];
  queueUrl: string;
  maxPriceAgeMs: number;
}

const PreSaleNoticeEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.noticeQueueUrl]: required(),
  [ENV.maxPriceAgeMs]: whole(15 * 60_000, 1_000, 86_400_000),
});

export function loadPreSaleNoticeConfig(env: NodeJS.ProcessEnv = process.env): PreSaleNoticeConfig {
  const e = parseEnv(PreSaleNoticeEnv, env);
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    queueUrl: e[ENV.noticeQueueUrl],
    maxPriceAgeMs: e[ENV.maxPriceAgeMs],
  };
}
