/**
 * Lambda entry of the taxpayer self-service API (API Gateway REST, public, behind a WAF rate rule;
 * its authorizer is ./authorizer-handler.ts). Clients and configuration are made once per container.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbLatestPrices } from '#adapters/dynamodb/price-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { accessKeysFromSecret } from '#adapters/self-service/secret';
import { createSqsClient } from '#adapters/sqs/client';
import { saleRequestPublisher, SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { lambdaHandler, powertools } from '../lambda';
import { createTaxpayerApi } from './app';
import { loadTaxpayerApiConfig } from './config';

const config = loadTaxpayerApiConfig();
const tools = powertools('taxpayer-api');
const { logger, tracer } = tools;
const client = tracer.captureAWSv3Client(createDynamoDbClient());
const keys = accessKeysFromSecret(config.accessSecretArn, tracer.captureAWSv3Client(new SecretsManagerClient({})));
const requestSales = config.saleRequestQueueUrl
  ? saleRequestPublisher(
      new SqsSaleRequestQueue(tracer.captureAWSv3Client(createSqsClient()), config.saleRequestQueueUrl),
      logger,
    )
  : undefined;

export const handler = lambdaHandler(
  createTaxpayerApi({
    store: new DynamoDbCaseStore(client, config.tableName),
    settings: new DynamoDbCitySettings(client, config.tableName),
    selfService: new DynamoDbSelfServiceStore(client, config.tableName),
    prices: new DynamoDbLatestPrices(client, config.tableName),
    orders: new DynamoDbSaleStore(client, config.tableName),
    keys,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    ...(config.pageOrigin ? { allowOrigin: config.pageOrigin } : {}),
    logger,
    ...(requestSales ? { requestSales } : {}),
  }),
  tools,
);
