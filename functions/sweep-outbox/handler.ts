/** Lambda entry of the outbox sweeper (EventBridge Scheduler target). */
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { createSqsClient } from '#adapters/sqs/client';
import { sendNoticeMessages } from '#adapters/sqs/notice-queue';
import { lambdaHandler, powertools } from '../lambda';
import { createOutboxSweeper } from './app';
import { loadSweeperConfig } from './config';

const config = loadSweeperConfig();
const tools = powertools('sweep-outbox');
const { logger, tracer } = tools;
const sqs = tracer.captureAWSv3Client(createSqsClient());

const sweep = createOutboxSweeper({
  outbox: new DynamoDbOutboxStore(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
  send: (messages) => sendNoticeMessages(sqs, config.queueUrl, messages),
  quietMinutes: config.quietMinutes,
  logger,
});

export const handler = lambdaHandler(() => sweep(), tools);
