/**
 * Lambda entry for the city's API (API Gateway REST, proxy integration, IAM auth). Clients,
 * configuration and logger are made once per container, at module scope.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { createSqsClient } from '#adapters/sqs/client';
import { leaveForSweeper, noticePublisher, NOTICE_QUEUE_URL_ENV } from '#adapters/sqs/notice-queue';
import { SALE_REQUEST_QUEUE_URL_ENV, saleRequestPublisher, SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { createApi } from './app';
import { loadApiConfig } from './config';

const config = loadApiConfig();
const logger = new Logger({ serviceName: 'cases-api' });
const client = createDynamoDbClient();
const store = new DynamoDbCaseStore(client, config.tableName);
// The price poller's latest prices and coverage sheets, in the same table.
const prices = new DynamoDbPriceStore(client, config.tableName);

const queueUrl = process.env[NOTICE_QUEUE_URL_ENV];
const publishNotices = queueUrl ? noticePublisher({ client: createSqsClient(), queueUrl, logger }) : leaveForSweeper;

// The taxpayer's own sale request is queued for the sale starter (the deadline check sweeps up any not queued).
const saleQueueUrl = process.env[SALE_REQUEST_QUEUE_URL_ENV];
const requestSales = saleQueueUrl ? saleRequestPublisher(new SqsSaleRequestQueue(createSqsClient(), saleQueueUrl), logger) : undefined;

export const handler = createApi({ store, config, logger, publishNotices, prices, releases: new DynamoDbReleaseStore(client, config.tableName), ...(requestSales ? { requestSales } : {}) });
