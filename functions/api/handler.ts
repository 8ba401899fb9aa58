/**
 * Lambda entry for the city's API (API Gateway REST, proxy integration, IAM auth). Clients,
 * configuration and Powertools are made once per container, at module scope.
 */
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { createSqsClient } from '#adapters/sqs/client';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsSaleExecutions } from '#adapters/workflow/execution-history';
import { leaveForSweeper, noticePublisher } from '#adapters/sqs/notice-queue';
import { saleRequestPublisher, SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { accessKeysFromSecret } from '#adapters/self-service/secret';
import { lambdaHandler, powertools } from '../lambda';
import { createApi } from './app';
import { loadApiConfig } from './config';

const config = loadApiConfig();
const tools = powertools('cases-api');
const { logger, tracer } = tools;
const client = tracer.captureAWSv3Client(createDynamoDbClient());
const store = new DynamoDbCaseStore(client, config.tableName);
// The price poller's latest prices and coverage sheets, in the same table.
const prices = new DynamoDbPriceStore(client, config.tableName);
// Each city's settings, from its item in the same table (cached for a minute).
const settings = new DynamoDbCitySettings(client, config.tableName);
const sqs =
  config.noticeQueueUrl || config.saleRequestQueueUrl ? tracer.captureAWSv3Client(createSqsClient()) : undefined;

const publishNotices =
  sqs && config.noticeQueueUrl
    ? noticePublisher({ client: sqs, queueUrl: config.noticeQueueUrl, logger })
    : leaveForSweeper;
// The sale's and the desk's executions, read state by state for the officers' console.
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
// The taxpayer's own sale request is queued for the sale starter (the deadline check sweeps up any not queued).
const requestSales =
  sqs && config.saleRequestQueueUrl
    ? saleRequestPublisher(new SqsSaleRequestQueue(sqs, config.saleRequestQueueUrl), logger)
    : undefined;

// The self-service page's second check is set by the city's system through this API.
const taxpayerCheck = config.taxpayerAccessSecretArn
  ? {
      keys: accessKeysFromSecret(
        config.taxpayerAccessSecretArn,
        tracer.captureAWSv3Client(new SecretsManagerClient({})),
      ),
      store: new DynamoDbSelfServiceStore(client, config.tableName),
    }
  : undefined;

export const handler = lambdaHandler(
  createApi({
    store,
    settings,
    config,
    logger,
    publishNotices,
    prices,
    releases: new DynamoDbReleaseStore(client, config.tableName),
    sales: new DynamoDbSaleStore(client, config.tableName),
    desks: new DeskStore(client, config.tableName),
    policy: config.policy,
    custody: new DynamoDbJournalStore(client, config.tableName),
    ...(config.saleStateMachineArn
      ? { executions: new StepFunctionsSaleExecutions(sfn, config.saleStateMachineArn) }
      : {}),
    ...(config.deskStateMachineArn
      ? { deskExecutions: new StepFunctionsSaleExecutions(sfn, config.deskStateMachineArn) }
      : {}),
    ...(requestSales ? { requestSales } : {}),
    ...(taxpayerCheck ? { taxpayerCheck } : {}),
  }),
  tools,
);
