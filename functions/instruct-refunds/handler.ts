/** Lambda entry of the daily refund instructions (EventBridge Scheduler target, 07:00 Asia/Seoul). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { createS3Client } from '#adapters/notice-channels/clients';
import { S3RefundFiles } from '#adapters/refund-files';
import { lambdaHandler, powertools } from '../lambda';
import { createRefundInstructions } from './app';
import { loadRefundConfig } from './config';

const config = loadRefundConfig();
const tools = powertools('instruct-refunds');
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());

const run = createRefundInstructions({
  journal: new DynamoDbJournalStore(dynamodb, config.tableName),
  cases: new DynamoDbCaseStore(dynamodb, config.tableName),
  files: new S3RefundFiles(tracer.captureAWSv3Client(createS3Client()), config.bucket),
  cities: config.cities,
  count: (name, n) => metrics.addMetric(name, MetricUnit.Count, n),
  logger,
});

export const handler = lambdaHandler(async (event: { scheduledTime?: string; day?: string }) => {
  const files = await run(event);
  return { files: files.map((f) => ({ cityId: f.cityId, key: f.key, instructions: f.instructions, added: f.added })) };
}, tools);
