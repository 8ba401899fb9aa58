/** Lambda entry of the daily reminder run (EventBridge Scheduler target, 09:00 Asia/Seoul). */
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { createSqsClient } from '#adapters/sqs/client';
import { leaveForSweeper, noticePublisher } from '#adapters/sqs/notice-queue';
import { lambdaHandler, powertools } from '../lambda';
import { createReminderRun } from './app';
import { loadReminderConfig } from './config';

const config = loadReminderConfig();
const tools = powertools('send-reminders');
const { logger, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());

const run = createReminderRun({
  store: new DynamoDbCaseStore(dynamodb, config.tableName),
  deadlines: new DynamoDbOutboxStore(dynamodb, config.tableName),
  publishNotices: config.queueUrl
    ? noticePublisher({ client: tracer.captureAWSv3Client(createSqsClient()), queueUrl: config.queueUrl, logger })
    : leaveForSweeper,
  cities: config.cities,
  settings: new DynamoDbCitySettings(dynamodb, config.tableName),
  logger,
});

export const handler = lambdaHandler(() => run(), tools);
