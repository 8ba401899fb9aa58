/**
 * Lambda entry of the sweep of orders in doubt (EventBridge Scheduler, every few minutes), behind
 * the fixed egress IP with the exchange keys, like the market steps.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { createSqsClient } from '#adapters/sqs/client';
import { NOTICE_QUEUE_URL_ENV } from '#adapters/sqs/notice-queue';
import { loadSaleConfig } from './config';
import { exchangeFromSecret } from './exchange-client';
import { queueNoticePublisher } from './notices';
import { createOrderSweep, SWEEP_SERVICE, type SweepReport } from './sweep';

const SERVICE_NAME = SWEEP_SERVICE;
const config = loadSaleConfig();
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ serviceName: SERVICE_NAME });
const dynamodb = createDynamoDbClient();

let ready: Promise<() => Promise<SweepReport>> | undefined;

async function build(): Promise<() => Promise<SweepReport>> {
  return createOrderSweep({
    store: new DynamoDbCaseStore(dynamodb, config.tableName),
    sales: new DynamoDbSaleStore(dynamodb, config.tableName),
    exchange: await exchangeFromSecret(),
    limits: config.limits,
    cities: config.cities,
    settingsFor: config.settingsFor,
    clock: () => new Date(),
    logger,
    metrics,
    notices: queueNoticePublisher(createSqsClient(), process.env[NOTICE_QUEUE_URL_ENV], logger),
  });
}

export async function handler(): Promise<SweepReport> {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  try {
    return await (await ready)();
  } finally {
    metrics.publishStoredMetrics();
  }
}
