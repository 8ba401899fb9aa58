/**
 * Lambda entry for the city's API (API Gateway REST, proxy integration, IAM auth). Clients,
 * configuration and logger are made once per container, at module scope.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { createApi } from './app';
import { loadApiConfig } from './config';

const config = loadApiConfig();
const logger = new Logger({ serviceName: 'cases-api' });
const store = new DynamoDbCaseStore(createDynamoDbClient(), config.tableName);

export const handler = createApi({ store, config, logger });
