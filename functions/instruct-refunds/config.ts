/**
 * The refund instruction run's configuration: TABLE_NAME, SERVED_CITIES, and REFUND_FILE_BUCKET
 * (the bucket of the print batches; the files go under refunds/).
 */
import * as z from 'zod/mini';
import { cityIds, ENV, parseEnv, required } from '#adapters/env';

/**
 * Daily at 07:00 in the city's time zone, for the day before: that day's settlements are done, the
 * 06:30 custody reconciliation has run, and the file waits for the finance office when it opens
 * (infra/constructs/refunds.ts and the local stack).
 */
export const REFUND_INSTRUCTIONS_CRON = 'cron(0 7 * * ? *)';

const RefundEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.refundFileBucket]: required(),
});

export function loadRefundConfig(env: NodeJS.ProcessEnv = process.env): {
  tableName: string;
  cities: string[];
  bucket: string;
} {
  const e = parseEnv(RefundEnv, env);
  return { tableName: e[ENV.tableName], cities: e[ENV.servedCities], bucket: e[ENV.refundFileBucket] };
}
