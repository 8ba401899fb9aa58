/**
 * Lambda entry of the custody reconciliation (EventBridge Scheduler daily; invoked asynchronously
 * after each settlement). Reads balances with the trading key (never the withdrawal key).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbCityTotals } from '#adapters/dynamodb/city-totals';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import type { Reconciliation } from '#domain/reconciliation';
import { lambdaHandler, powertools } from '../lambda';
import { exchangeFromSecret } from '../sale/exchange-client';
import { createCustodyReconciliation } from './app';
import { loadReconcileConfig } from './config';

const config = loadReconcileConfig();
const tools = powertools('reconcile-custody');
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
let run: (() => Promise<Reconciliation>) | undefined;

export const handler = lambdaHandler(async () => {
  run ??= createCustodyReconciliation({
    exchange: await exchangeFromSecret(rateBudgetFromEnv(dynamodb)),
    // The city totals alone: the case store's writes and marshalling are not in this bundle.
    cases: new DynamoDbCityTotals(dynamodb, config.tableName),
    releases: new DynamoDbReleaseStore(dynamodb, config.tableName),
    journal: new DynamoDbJournalStore(dynamodb, config.tableName),
    cities: config.cities,
    count: (name, n) => metrics.addMetric(name, MetricUnit.Count, n),
    logger,
  });
  const result = await run();
  return { differences: result.differences.length, salesRunning: result.salesRunning };
}, tools);
