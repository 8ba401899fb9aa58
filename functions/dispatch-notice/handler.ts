/**
 * Lambda entry of the notice dispatcher (SQS FIFO event source, ReportBatchItemFailures). Clients,
 * configuration, channels and logger are made once per container, at module scope.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { createNoticeDispatcher } from './app';
import { createS3Client, createSesClient } from '#adapters/notice-channels/clients';
import { channelsFor } from './channels';
import { loadDispatcherConfig } from './config';
import { preSaleReceiptRecorder } from './receipts';

const config = loadDispatcherConfig();
const logger = new Logger({ serviceName: 'dispatch-notice' });
const metrics = new Metrics({ serviceName: 'dispatch-notice' });
const client = createDynamoDbClient();

const cases = new DynamoDbCaseStore(client, config.tableName);
const dispatcher = createNoticeDispatcher({
  outbox: new DynamoDbOutboxStore(client, config.tableName),
  cases,
  channels: channelsFor(config, { s3: () => createS3Client(), ses: () => createSesClient() }),
  recordReceipt: preSaleReceiptRecorder({ store: cases, settingsFor: config.settingsFor }),
  channelOrder: config.channelOrder,
  exchangeContact: config.exchangeContact,
  maxReceiveCount: config.maxReceiveCount,
  logger,
  metrics: { addMetric: (name, _unit, value) => metrics.addMetric(name, MetricUnit.Count, value) },
});

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  try {
    return await dispatcher.handler(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
}
