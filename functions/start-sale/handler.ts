/**
 * Lambda entry of the sale starter (consumer of the sale request queue). Clients, configuration
 * and Powertools are made once per container.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { StepFunctionsSaleStarter } from '#adapters/workflow/sfn-starter';
import { lambdaHandler, powertools } from '../lambda';
import { createSaleStarter } from './app';
import { loadStarterConfig } from './config';

const config = loadStarterConfig();
const tools = powertools('start-sale');
const { logger, metrics, tracer } = tools;

export const handler = lambdaHandler(
  createSaleStarter({
    store: new DynamoDbCaseStore(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
    starter: new StepFunctionsSaleStarter(tracer.captureAWSv3Client(new SFNClient({})), config.stateMachineArn),
    settingsFor: config.settingsFor,
    clock: () => new Date(),
    logger,
    metrics,
  }),
  tools,
);
