/**
 * Lambda entry of the sweep of orders in doubt (EventBridge Scheduler, every 5 minutes), behind the
 * fixed egress IP with the exchange keys, like the market steps.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { createSqsClient } from '#adapters/sqs/client';
import { lambdaHandler, powertools } from '../lambda';
import { loadSaleConfig } from './config';
import { exchangeFromSecret } from './exchange-client';
import { queueNoticePublisher } from './notices';
import { createOrderSweep, SWEEP_SERVICE, type SweepReport } from './sweep';

const config = loadSaleConfig();
const tools = powertools(SWEEP_SERVICE);
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));

let ready: Promise<() => Promise<SweepReport>> | undefined;

async function build(): Promise<() => Promise<SweepReport>> {
  return createOrderSweep({
    store: new DynamoDbCaseStore(dynamodb, config.tableName),
    sales: new DynamoDbSaleStore(dynamodb, config.tableName),
    desks: new DeskStore(dynamodb, config.tableName),
    exchange: await exchangeFromSecret(rateBudgetFromEnv(dynamodb), process.env, secrets),
    limits: config.limits,
    cities: config.cities,
    settings: new DynamoDbCitySettings(dynamodb, config.tableName),
    clock: () => new Date(),
    logger,
    metrics,
    notices: queueNoticePublisher(tracer.captureAWSv3Client(createSqsClient()), config.noticeQueueUrl, logger),
  });
}

export const handler = lambdaHandler(async (): Promise<SweepReport> => {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)();
}, tools);
