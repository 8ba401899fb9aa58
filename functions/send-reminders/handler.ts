/** Lambda entry of the daily reminder run (EventBridge Scheduler target, 09:00 Asia/Seoul). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { createSqsClient } from '#adapters/sqs/client';
import { leaveForSweeper, noticePublisher } from '#adapters/sqs/notice-queue';
import { createReminderRun, type ReminderRunResult } from './app';
import { loadReminderConfig } from './config';

const config = loadReminderConfig();
const logger = new Logger({ serviceName: 'send-reminders' });
const dynamodb = createDynamoDbClient();

const run = createReminderRun({
  store: new DynamoDbCaseStore(dynamodb, config.tableName),
  deadlines: new DynamoDbOutboxStore(dynamodb, config.tableName),
  publishNotices: config.queueUrl ? noticePublisher({ client: createSqsClient(), queueUrl: config.queueUrl, logger }) : leaveForSweeper,
  cities: config.cities,
  settings: new DynamoDbCitySettings(dynamodb, config.tableName),
  logger,
});

export async function handler(_event: unknown, context: Context): Promise<ReminderRunResult> {
  logger.addContext(context);
  return run();
}
