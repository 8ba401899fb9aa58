/**
 * Lambda entry of the daily deadline check (EventBridge Scheduler; on demand with any payload).
 * Clients, configuration, logger and metrics are made once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { createSqsClient } from '#adapters/sqs/client';
import { NOTICE_QUEUE_URL_ENV, noticePublisher } from '#adapters/sqs/notice-queue';
import { SALE_REQUEST_QUEUE_URL_ENV, SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { ConfigError, loadSaleConfig } from '../sale/config';
import { createDeadlineCheck } from './app';

const SERVICE_NAME = 'check-deadlines';
const config = loadSaleConfig();
const saleQueueUrl = process.env[SALE_REQUEST_QUEUE_URL_ENV]?.trim();
const noticeQueueUrl = process.env[NOTICE_QUEUE_URL_ENV]?.trim();
if (!saleQueueUrl || !noticeQueueUrl) throw new ConfigError(`missing environment variables: ${SALE_REQUEST_QUEUE_URL_ENV}, ${NOTICE_QUEUE_URL_ENV}`);
const logger = new Logger({ serviceName: SERVICE_NAME });
const sqs = createSqsClient();

export const handler = createDeadlineCheck({
  store: new DynamoDbCaseStore(createDynamoDbClient(), config.tableName),
  saleRequests: new SqsSaleRequestQueue(sqs, saleQueueUrl),
  publishNotices: noticePublisher({ client: sqs, queueUrl: noticeQueueUrl, logger }),
  // Each city's settings from its item in the table (docs/LEGAL.md "Many cities").
  settings: new DynamoDbCitySettings(createDynamoDbClient(), config.tableName),
  clock: () => new Date(),
  maxSaleAttempts: config.limits.maxSaleAttempts,
  logger,
  metrics: new Metrics({ serviceName: SERVICE_NAME }),
});
