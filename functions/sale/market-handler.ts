/**
 * Lambda entry of the sale's market steps (QuoteMarket, PlanNextSlice, PlaceOrder, ReconcileOrder,
 * ResolveOpenOrders) and the sale desk's (PlanDeskSlice, PlaceDeskOrder, ReconcileDeskOrder, ResolveDeskOrders), behind the fixed egress IP. The exchange keys are read on the first
 * invocation (and again after a failed read), then kept for the container's life.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { lambdaHandler, powertools } from '../lambda';
import { loadSaleConfig } from './config';
import { stepDispatcher, type StepHandler } from './dispatch';
import { exchangeFromSecret } from './exchange-client';
import { createMarketSteps } from './market-steps';
import { createDeskSteps } from './desk-steps';
import { DeskStore } from '#adapters/dynamodb/desk-store';

const SERVICE_NAME = 'sale-market-steps';
const config = loadSaleConfig();
const tools = powertools(SERVICE_NAME);
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));

let ready: Promise<StepHandler> | undefined;

async function build(): Promise<StepHandler> {
  const exchange = await exchangeFromSecret(rateBudgetFromEnv(dynamodb), process.env, secrets);
  const deps = {
    store: new DynamoDbCaseStore(dynamodb, config.tableName),
    sales: new DynamoDbSaleStore(dynamodb, config.tableName),
    desks: new DeskStore(dynamodb, config.tableName),
    priceHistory: new DynamoDbPriceStore(dynamodb, config.tableName),
    exchange,
    policy: config.policy,
    limits: config.limits,
    settings: new DynamoDbCitySettings(dynamodb, config.tableName),
    clock: () => new Date(),
    logger,
    metrics,
  };
  return stepDispatcher({ ...createMarketSteps(deps), ...createDeskSteps(deps) });
}

export const handler = lambdaHandler(async (event: unknown) => {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(event);
}, tools);
