/**
 * The deadline check's configuration: the sale configuration (functions/sale/config.ts) and the
 * two queues it sends to.
 *
 *   SALE_REQUEST_QUEUE_URL   sale requests for the cases that became due
 *   NOTICE_QUEUE_URL         the notices of the cases it changed
 */
import * as z from 'zod/mini';
import { ENV, parseEnv, required } from '#adapters/env';
import { SaleEnv, saleConfigOf, type SaleConfig } from '../sale/config';

const DeadlineCheckEnv = z.extend(SaleEnv, { [ENV.saleRequestQueueUrl]: required(), [ENV.noticeQueueUrl]: required() });

export function loadDeadlineCheckConfig(
  env: NodeJS.ProcessEnv = process.env,
): SaleConfig & { saleQueueUrl: string; noticeQueueUrl: string } {
  const e = parseEnv(DeadlineCheckEnv, env);
  return { ...saleConfigOf(e), saleQueueUrl: e[ENV.saleRequestQueueUrl], noticeQueueUrl: e[ENV.noticeQueueUrl] };
}
