/**
 * Lambda entry of the sale starter (consumer of the sale request queue). Clients, configuration,
 * logger and metrics are made once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { SALE_STATE_MACHINE_ARN_ENV, StepFunctionsSaleStarter } from '#adapters/workflow/sfn-starter';
import { ConfigError, loadSaleConfig } from '../sale/config';
import { createSaleStarter } from './app';

const SERVICE_NAME = 'start-sale';
const config = loadSaleConfig();
const stateMachineArn = process.env[SALE_STATE_MACHINE_ARN_ENV]?.trim();
if (!stateMachineArn) throw new ConfigError(`missing environment variable: ${SALE_STATE_MACHINE_ARN_ENV}`);

export const handler = createSaleStarter({
  store: new DynamoDbCaseStore(createDynamoDbClient(), config.tableName),
  starter: new StepFunctionsSaleStarter(new SFNClient({}), stateMachineArn),
  // Each city's settings from its item in the table (docs/LEGAL.md "Many cities").
  settings: new DynamoDbCitySettings(createDynamoDbClient(), config.tableName),
  clock: () => new Date(),
  logger: new Logger({ serviceName: SERVICE_NAME }),
  metrics: new Metrics({ serviceName: SERVICE_NAME }),
});
