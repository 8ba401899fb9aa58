/** Lambda entry of the outbox sweeper (EventBridge Scheduler target). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { createSqsClient } from '#adapters/sqs/client';
import { sendNoticeMessages } from '#adapters/sqs/notice-queue';
import { createOutboxSweeper, type SweepResult } from './app';
import { loadSweeperConfig } from './config';

const config = loadSweeperConfig();
const logger = new Logger({ serviceName: 'sweep-outbox' });
const sqs = createSqsClient();

const sweep = createOutboxSweeper({
  outbox: new DynamoDbOutboxStore(createDynamoDbClient(), config.tableName),
  send: (messages) => sendNoticeMessages(sqs, config.queueUrl, messages),
  quietMinutes: config.quietMinutes,
  logger,
});

export async function handler(_event: unknown, context: Context): Promise<SweepResult> {
  logger.addContext(context);
  return sweep();
}
