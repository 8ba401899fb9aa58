/**
 * Lambda entry of the release function (EventBridge Scheduler target). It alone reads the withdrawal
 * key (a secret of its own: the trading key cannot withdraw), once per container.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { createSqsClient } from '#adapters/sqs/client';
import { noticePublisher } from '#adapters/sqs/notice-queue';
import { lambdaHandler, powertools } from '../lambda';
import { createReleaseRun, type ReleaseRunResult } from './app';
import { withdrawalFees } from '#adapters/withdrawal-fees-env';
import { ConfigError, loadReleaseConfig } from './config';

const config = loadReleaseConfig();
const tools = powertools('release-coins');
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
let run: (() => Promise<ReleaseRunResult>) | undefined;

async function venue(): Promise<UpbitExchange> {
  const out = await tracer
    .captureAWSv3Client(new SecretsManagerClient({}))
    .send(new GetSecretValueCommand({ SecretId: config.secretArn }));
  const keys = JSON.parse(out.SecretString ?? '{}') as { accessKey?: unknown; secretKey?: unknown };
  if (typeof keys.accessKey !== 'string' || typeof keys.secretKey !== 'string' || keys.accessKey === 'REPLACE_ME') {
    throw new ConfigError('the withdrawal secret has no key yet: put the withdrawal key in it (infra/README.md)');
  }
  // The same account as the trading key: the same budget.
  return new UpbitExchange({
    baseUrl: config.baseUrl,
    accessKey: keys.accessKey,
    secretKey: keys.secretKey,
    budget: rateBudgetFromEnv(dynamodb),
  });
}

export const handler = lambdaHandler(async () => {
  run ??= createReleaseRun({
    releases: new DynamoDbReleaseStore(dynamodb, config.tableName),
    cases: new DynamoDbCaseStore(dynamodb, config.tableName),
    venue: await venue(),
    fees: withdrawalFees(config.fees, config.venueId),
    cities: config.cities,
    settings: new DynamoDbCitySettings(dynamodb, config.tableName),
    quietMinutes: config.quietMinutes,
    ...(config.queueUrl
      ? {
          publishNotices: noticePublisher({
            client: tracer.captureAWSv3Client(createSqsClient()),
            queueUrl: config.queueUrl,
            logger,
          }),
        }
      : {}),
    count: (name, n = 1) => metrics.addMetric(name, MetricUnit.Count, n),
    logger,
  });
  return run();
}, tools);
