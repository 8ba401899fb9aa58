/**
 * The deadline check's configuration: the table, how many sale attempts a case gets (as the sale
 * configuration reads it: functions/sale/config.ts), and the two queues it sends to. Only what it
 * uses: the rest of the sale configuration (the execution policy, the sale's timings) is the sale's.
 *
 *   TABLE_NAME               the cases table
 *   SALE_MAX_ATTEMPTS        sale attempts per case before it stops asking (default 5)
 *   SALE_REQUEST_QUEUE_URL   sale requests for the cases that became due
 *   NOTICE_QUEUE_URL         the notices of the cases it changed
 */
import * as z from 'zod/mini';
import { ENV, parseEnv, required, saleMaxAttempts } from '#adapters/env';

const DeadlineCheckEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.saleMaxAttempts]: saleMaxAttempts(),
  [ENV.saleRequestQueueUrl]: required(),
  [ENV.noticeQueueUrl]: required(),
});

export interface DeadlineCheckConfig {
  tableName: string;
  maxSaleAttempts: number;
  saleQueueUrl: string;
  noticeQueueUrl: string;
}

export function loadDeadlineCheckConfig(env: NodeJS.ProcessEnv = process.env): DeadlineCheckConfig {
  const e = parseEnv(DeadlineCheckEnv, env);
  return {
    tableName: e[ENV.tableName],
    maxSaleAttempts: e[ENV.saleMaxAttempts],
    saleQueueUrl: e[ENV.saleRequestQueueUrl],
    noticeQueueUrl: e[ENV.noticeQueueUrl],
  };
}
