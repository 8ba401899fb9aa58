/**
 * Lambda entry of the daily deadline check (EventBridge Scheduler; on demand with any payload).
 * Clients, configuration and Powertools are made once per container.
 */
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { createSqsClient } from '#adapters/sqs/client';
import { noticePublisher } from '#adapters/sqs/notice-queue';
import { SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { lambdaHandler, powertools } from '../lambda';
import { createDeadlineCheck } from './app';
import { loadDeadlineCheckConfig } from './config';

const config = loadDeadlineCheckConfig();
const tools = powertools('check-deadlines');
const { logger, metrics, tracer } = tools;
const sqs = tracer.captureAWSv3Client(createSqsClient());

export const handler = lambdaHandler(
  createDeadlineCheck({
    store: new DynamoDbCaseStore(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
    saleRequests: new SqsSaleRequestQueue(sqs, config.saleQueueUrl),
    publishNotices: noticePublisher({ client: sqs, queueUrl: config.noticeQueueUrl, logger }),
    // Each city's settings from its item in the table (docs/LEGAL.md "Many cities").
    settings: new DynamoDbCitySettings(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
    clock: () => new Date(),
    maxSaleAttempts: config.maxSaleAttempts,
    logger,
    metrics,
  }),
  tools,
);
