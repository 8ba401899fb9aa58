/**
 * Lambda entry of the sale's case steps (LoadCase, CheckSaleAllowed, Escalate, Settle,
 * NotifyResult, RecordFailure). Clients, configuration and Powertools are made once per container.
 */
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { createSqsClient } from '#adapters/sqs/client';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ENV } from '#adapters/env';
import { StepFunctionsDeskStarter, StepFunctionsSaleStarter } from '#adapters/workflow/sfn-starter';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { lambdaHandler, powertools } from '../lambda';
import { createCaseSteps } from './case-steps';
import { loadSaleConfig } from './config';
import { stepDispatcher } from './dispatch';
import { queueNoticePublisher } from './notices';

const SERVICE_NAME = 'sale-case-steps';
const config = loadSaleConfig();
const tools = powertools(SERVICE_NAME);
const { logger, metrics, tracer } = tools;
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
// Set by the stack (Custody.reconcileAfter): the reconciliation runs after every settlement.
const reconcileFunction = process.env[ENV.reconcileFunctionName];
const lambda = reconcileFunction ? tracer.captureAWSv3Client(new LambdaClient({})) : undefined;
const sfnClient = tracer.captureAWSv3Client(new SFNClient({}));

export const handler = lambdaHandler(
  stepDispatcher(
    createCaseSteps({
      store: new DynamoDbCaseStore(dynamodb, config.tableName),
      sales: new DynamoDbSaleStore(dynamodb, config.tableName),
      policy: config.policy,
      limits: config.limits,
      settings: new DynamoDbCitySettings(dynamodb, config.tableName),
      clock: () => new Date(),
      logger,
      metrics,
      notices: queueNoticePublisher(tracer.captureAWSv3Client(createSqsClient()), config.noticeQueueUrl, logger),
      ...(lambda && reconcileFunction
        ? {
            afterSettlement: async () =>
              void (await lambda.send(
                new InvokeCommand({
                  FunctionName: reconcileFunction,
                  InvocationType: 'Event',
                  Payload: JSON.stringify({ source: 'settlement' }),
                }),
              )),
          }
        : {}),
      // ContinueAsNew: a long sale's next execution (the ARN is set by infra/constructs/sale-workflow.ts).
      starter: new StepFunctionsSaleStarter(sfnClient, process.env[ENV.saleStateMachineArn] ?? ''),
      // JoinDesk: the market's desk (its state machine's ARN is set by infra/constructs/sale-workflow.ts).
      desks: new DeskStore(dynamodb, config.tableName),
      deskStarter: new StepFunctionsDeskStarter(sfnClient, process.env[ENV.deskStateMachineArn] ?? ''),
    }),
  ),
  tools,
);
