/** Lambda entry of the daily pre-sale notice run (EventBridge Scheduler target, 09:00 Asia/Seoul). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { createSqsClient } from '#adapters/sqs/client';
import { noticePublisher } from '#adapters/sqs/notice-queue';
import { createPreSaleNoticeRun, type PreSaleNoticeResult } from './app';
import { loadPreSaleNoticeConfig } from './config';

const config = loadPreSaleNoticeConfig();
const logger = new Logger({ serviceName: 'send-pre-sale-notices' });
const dynamodb = createDynamoDbClient();

const run = createPreSaleNoticeRun({
  store: new DynamoDbCaseStore(dynamodb, config.tableName),
  prices: new DynamoDbPriceStore(dynamodb, config.tableName),
  publishNotices: noticePublisher({ client: createSqsClient(), queueUrl: config.queueUrl, logger }),
  cities: config.cities,
  settingsFor: config.settingsFor,
  maxPriceAgeMs: config.maxPriceAgeMs,
  logger,
  now: () => new Date(),
});

export async function handler(event: unknown, context: Context): Promise<PreSaleNoticeResult> {
  logger.addContext(context);
  return run(event);
}
