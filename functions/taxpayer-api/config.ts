/**
 * The taxpayer API's configuration, read once at start-up:
 *
 *   TABLE_NAME                   the cases table
 *   TAXPAYER_ACCESS_SECRET_ARN   the secret the link, check and session keys come from
 *   IDEMPOTENCY_TTL_SECONDS      how long the sale request's answer is kept for repeats (default 86400)
 *   SALE_REQUEST_QUEUE_URL       the sale request queue (absent: the deadline check finds the request)
 *   TAXPAYER_PAGE_URL            the page's address: its origin may call this API from the browser (CORS)
 *   DYNAMODB_ENDPOINT            DynamoDB Local, for the local stack and tests
 */
import * as z from 'zod/mini';
import { ENV, optional, parseEnv, required, whole } from '#adapters/env';

export interface TaxpayerApiConfig {
  tableName: string;
  accessSecretArn: string;
  idempotencyTtlSeconds: number;
  saleRequestQueueUrl?: string;
  pageOrigin?: string;
}

const TaxpayerEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.taxpayerAccessSecretArn]: required(),
  [ENV.idempotencyTtlSeconds]: whole(86_400, 60, 99_999_999),
  [ENV.saleRequestQueueUrl]: optional(),
  [ENV.taxpayerPageUrl]: optional(),
});

export function loadTaxpayerApiConfig(env: NodeJS.ProcessEnv = process.env): TaxpayerApiConfig {
  const e = parseEnv(TaxpayerEnv, env);
  const queue = e[ENV.saleRequestQueueUrl];
  const page = e[ENV.taxpayerPageUrl];
  return {
    tableName: e[ENV.tableName],
    accessSecretArn: e[ENV.taxpayerAccessSecretArn],
    idempotencyTtlSeconds: e[ENV.idempotencyTtlSeconds],
    ...(queue ? { saleRequestQueueUrl: queue } : {}),
    ...(page ? { pageOrigin: new URL(page).origin } : {}),
  };
}
