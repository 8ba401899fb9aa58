/** Lambda entry of the daily pre-sale notice run (EventBridge Scheduler target, 09:00 Asia/Seoul). */
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbLatestPrices } from '#adapters/dynamodb/price-store';
import { createSqsClient } from '#adapters/sqs/client';
import { noticePublisher } from '#adapters/sqs/notice-queue';
import { lambdaHandler, powertools } from '../lambda';
import { createPreSaleNoticeRun } from './app';
import { loadPreSaleNoticeConfig } from './config';

const config = loadPreSaleNoticeConfig();
const tools = powertools('send-pre-sale-notices');
const { logger, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());

const run = createPreSaleNoticeRun({
  store: new DynamoDbCaseStore(dynamodb, config.tableName),
  prices: new DynamoDbLatestPrices(dynamodb, config.tableName),
  publishNotices: noticePublisher({
    client: tracer.captureAWSv3Client(createSqsClient()),
    queueUrl: config.queueUrl,
    logger,
  }),
  cities: config.cities,
  settings: new DynamoDbCitySettings(dynamodb, config.tableName),
  maxPriceAgeMs: config.maxPriceAgeMs,
  logger,
  now: () => new Date(),
});

export const handler = lambdaHandler((event: unknown) => run(event), tools);
