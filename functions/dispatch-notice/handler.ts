/**
 * Lambda entry of the notice dispatcher (SQS FIFO event source, ReportBatchItemFailures). Clients,
 * configuration, channels and Powertools are made once per container, at module scope.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { lambdaHandler, powertools } from '../lambda';
import { createNoticeDispatcher } from './app';
import { createS3Client, createSesClient } from '#adapters/notice-channels/clients';
import { channelsFor } from './channels';
import { loadDispatcherConfig } from './config';
import { preSaleReceiptRecorder } from './receipts';
import { selfServiceLinker } from './self-service-link';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { accessKeysFromSecret } from '#adapters/self-service/secret';

const config = loadDispatcherConfig();
const tools = powertools('dispatch-notice');
const { logger, metrics, tracer } = tools;
const client = tracer.captureAWSv3Client(createDynamoDbClient());

const cases = new DynamoDbCaseStore(client, config.tableName);
const dispatcher = createNoticeDispatcher({
  outbox: new DynamoDbOutboxStore(client, config.tableName),
  cases,
  channels: channelsFor(config, {
    s3: () => tracer.captureAWSv3Client(createS3Client()),
    ses: () => tracer.captureAWSv3Client(createSesClient()),
  }),
  recordReceipt: preSaleReceiptRecorder({ store: cases, settings: new DynamoDbCitySettings(client, config.tableName) }),
  channelOrder: config.channelOrder,
  exchangeContact: config.exchangeContact,
  maxReceiveCount: config.maxReceiveCount,
  ...(config.selfService
    ? {
        withSelfServiceLink: selfServiceLinker({
          keys: accessKeysFromSecret(
            config.selfService.accessSecretArn,
            tracer.captureAWSv3Client(new SecretsManagerClient({})),
          ),
          links: new DynamoDbSelfServiceStore(client, config.tableName),
          pageUrl: config.selfService.pageUrl,
        }),
      }
    : {}),
  logger,
  metrics: { addMetric: (name, _unit, value) => metrics.addMetric(name, MetricUnit.Count, value) },
});

export const handler = lambdaHandler(dispatcher.handler, tools);
