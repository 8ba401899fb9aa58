/**
 * Lambda entry of the price poller (EventBridge Scheduler, every minute). Clients, configuration,
 * logger and metrics are made once per container. Only the exchange's public quotation calls are
 * made, so the API keys are never loaded (the function still runs behind the fixed egress IP: the
 * quotation rate limit is counted per IP).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { createPollHandler } from './app';
import { loadPollConfig } from './config';
import { SERVICE_NAME } from './metrics';

const config = loadPollConfig();
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ serviceName: SERVICE_NAME });
const store = new DynamoDbPriceStore(createDynamoDbClient(), config.tableName, { historyDays: config.historyDays, casesPerPart: config.casesPerPart });
const exchange = new UpbitExchange({
  baseUrl: config.exchangeBaseUrl,
  // Quotation endpoints are public: nothing is signed, so no key is read or held.
  accessKey: '',
  secretKey: '',
  maxMarketsPerCall: config.maxMarketsPerCall,
  timeoutMs: config.exchangeTimeoutMs,
});

export const handler = createPollHandler({
  exchange,
  store,
  settings: { cities: config.cities, checks: config.checks, maxMarketsPerCall: config.maxMarketsPerCall },
  citySettings: new DynamoDbCitySettings(createDynamoDbClient(), config.tableName),
  logger,
  metrics,
});
