/**
 * Lambda entry of the sale's case steps (LoadCase, CheckSaleAllowed, Escalate, Settle,
 * NotifyResult, RecordFailure). Clients, configuration, logger and metrics are made once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { createSqsClient } from '#adapters/sqs/client';
import { NOTICE_QUEUE_URL_ENV } from '#adapters/sqs/notice-queue';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SALE_STATE_MACHINE_ARN_ENV, StepFunctionsSaleStarter } from '#adapters/workflow/sfn-starter';
import { createCaseSteps } from './case-steps';
import { loadSaleConfig } from './config';
import { stepDispatcher } from './dispatch';
import { queueNoticePublisher } from './notices';

const SERVICE_NAME = 'sale-case-steps';
const config = loadSaleConfig();
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ serviceName: SERVICE_NAME });
const dynamodb = createDynamoDbClient();

export const handler = stepDispatcher(
  createCaseSteps({
    store: new DynamoDbCaseStore(dynamodb, config.tableName),
    sales: new DynamoDbSaleStore(dynamodb, config.tableName),
    policy: config.policy,
    limits: config.limits,
    settingsFor: config.settingsFor,
    clock: () => new Date(),
    logger,
    metrics,
    notices: queueNoticePublisher(createSqsClient(), process.env[NOTICE_QUEUE_URL_ENV], logger),
    starter: new StepFunctionsSaleStarter(new SFNClient({}), process.env[SALE_STATE_MACHINE_ARN_ENV] ?? ''),
  }),
  metrics,
);
