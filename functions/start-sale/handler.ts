/**
 * Lambda entry of the sale starter (consumer of the sale request queue). Clients, configuration
 * and Powertools are made once per container.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { StepFunctionsSaleStarter } from '#adapters/workflow/sfn-starter';
import { SqsSaleRequestQueue } from '#adapters/workflow/sale-requests';
import { createSqsClient } from '#adapters/sqs/client';
import { lambdaHandler, powertools } from '../lambda';
import { createSaleStarter } from './app';
import { loadStarterConfig } from './config';

const config = loadStarterConfig();
const tools = powertools('start-sale');
const { logger, metrics, tracer } = tools;
const saleRequests = new SqsSaleRequestQueue(tracer.captureAWSv3Client(createSqsClient()), config.saleRequestQueueUrl);

export const handler = lambdaHandler(
  createSaleStarter({
    store: new DynamoDbCaseStore(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
    starter: new StepFunctionsSaleStarter(tracer.captureAWSv3Client(new SFNClient({})), config.stateMachineArn),
    settings: new DynamoDbCitySettings(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
    clock: () => new Date(),
    logger,
    metrics,
    runningSales: {
      cap: config.maxRunningSales,
      cities: config.cities,
      defer: (request, deferredMessageId) => saleRequests.send(request, deferredMessageId),
    },
  }),
  tools,
);
