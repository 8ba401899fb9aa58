/**
 * Lambda entry of the custody reconciliation (EventBridge Scheduler daily; invoked asynchronously
 * after each settlement). Reads balances with the trading key (never the withdrawal key).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { envList } from '#adapters/env';
import type { Reconciliation } from '#domain/reconciliation';
import { exchangeFromSecret } from '../sale/exchange-client';
import { createCustodyReconciliation } from './app';

const tableName = process.env.TABLE_NAME ?? '';
const cities = envList(process.env.SERVED_CITIES);
const logger = new Logger({ serviceName: 'reconcile-custody' });
const metrics = new Metrics({ serviceName: 'reconcile-custody' });
const dynamodb = createDynamoDbClient();
let run: (() => Promise<Reconciliation>) | undefined;

export async function handler(_event: unknown, context: Context): Promise<{ differences: number; salesRunning: boolean }> {
  logger.addContext(context);
  run ??= createCustodyReconciliation({
    exchange: await exchangeFromSecret(),
    cases: new DynamoDbCaseStore(dynamodb, tableName),
    releases: new DynamoDbReleaseStore(dynamodb, tableName),
    journal: new DynamoDbJournalStore(dynamodb, tableName),
    cities,
    count: (name, n) => metrics.addMetric(name, MetricUnit.Count, n),
    logger,
  });
  try {
    const result = await run();
    return { differences: result.differences.length, salesRunning: result.salesRunning };
  } finally {
    metrics.publishStoredMetrics();
  }
}
