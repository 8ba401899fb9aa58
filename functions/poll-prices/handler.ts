/**
 * Lambda entry of the price poller (EventBridge Scheduler, every minute). Clients, configuration
 * and Powertools are made once per container. Only the exchange's public quotation calls are
 * made, so the API keys are never loaded (the function still runs behind the fixed egress IP: the
 * quotation rate limit is counted per IP).
 */
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { UpbitQuotations } from '#adapters/exchange/upbit-quotations';
import { lambdaHandler, powertools } from '../lambda';
import { createPollHandler } from './app';
import { loadPollConfig } from './config';
import { SERVICE_NAME } from './metrics';

const config = loadPollConfig();
const tools = powertools(SERVICE_NAME);
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const store = new DynamoDbPriceStore(dynamodb, config.tableName, {
  historyDays: config.historyDays,
  casesPerPart: config.casesPerPart,
});
// The quotation reads alone: the exchange's private calls (upbit.ts) are not in this bundle.
const exchange = new UpbitQuotations({
  baseUrl: config.exchangeBaseUrl,
  // Quotation endpoints are public: nothing is signed, so no key is read or held.
  accessKey: '',
  secretKey: '',
  maxMarketsPerCall: config.maxMarketsPerCall,
  timeoutMs: config.exchangeTimeoutMs,
  // Quotations are counted per IP: the poller shares the NAT's budget with the market steps.
  budget: rateBudgetFromEnv(dynamodb),
});

const poll = createPollHandler({
  exchange,
  store,
  settings: { cities: config.cities, checks: config.checks, maxMarketsPerCall: config.maxMarketsPerCall },
  citySettings: new DynamoDbCitySettings(tracer.captureAWSv3Client(createDynamoDbClient()), config.tableName),
  logger,
  metrics,
});

export const handler = lambdaHandler(poll, tools);
