/**
 * The price poll in the dev Cheongju stack (bundling skipped; building the template runs cdk-nag,
 * so an unacknowledged finding fails every test here).
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { POLL_METRICS, SERVICE_NAME } from '../../functions/poll-prices/metrics';
import { ALARM_WINDOW_MINUTES, POLL_TIMEOUT, STALE_MINUTES_TO_ALARM } from '../../infra/constructs/prices';
import { buildTestApp, synthesizedTemplate, cdkJsonContext, resourcesOfType } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const resolve = (value: unknown): unknown => stack.resolve(value);
const schedules = cdkJsonContext().schedules as { pricePollRate: string; timezone: string };
const pollerId = () => resolve(stack.prices.poller.fn.functionArn);
const dlqArn = () => resolve(stack.prices.deadLetterQueue.queueArn);

describe('the poller', () => {
  it('runs behind the fixed egress IP with the table and the exchange bound, and ends before the next minute', () => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function');
    const poller = Object.values(fn).find(
      (r) =>
        (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === SERVICE_NAME,
    );
    expect(poller?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: POLL_TIMEOUT.toSeconds(),
      VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
      Environment: {
        Variables: expect.objectContaining({
          TABLE_NAME: expect.anything(),
          SERVED_CITIES: 'cheongju',
          EXECUTION_POLICY: '{}',
          EXCHANGE_BASE_URL: 'https://api.upbit.com',
          MAX_MARKETS_PER_CALL: '100',
          PRICE_HISTORY_DAYS: '7',
        }),
      },
    });
    expect(POLL_TIMEOUT.toSeconds()).toBeLessThan(60);
  });

  it('is not retried by Lambda (the next poll is the retry) and sends failures to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolve(stack.prices.poller.fn.functionName),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: dlqArn() } },
    });
  });
});

describe('the schedule', () => {
  it('invokes the poller every minute in the configured zone, with the scheduled time, retries and a DLQ', () => {
    expect(schedules.pricePollRate).toBe('rate(1 minute)');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: schedules.pricePollRate,
      ScheduleExpressionTimezone: schedules.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: pollerId(),
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: dlqArn() },
        RoleArn: resolve(stack.prices.scheduleRole.roleArn),
      },
    });
  });

  it('assumes a role only the scheduler of this account can assume, allowed to invoke the poller and fill the DLQ', () => {
    const roleId = stack.getLogicalId(stack.prices.scheduleRole.node.defaultChild as CfnElement);
    const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
    expect(role?.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': expect.anything(), 'aws:SourceArn': expect.anything() } },
        },
      ],
    });
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted, refuses plain HTTP and keeps failed polls for a day', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    const dlq = queues[stack.getLogicalId(stack.prices.deadLetterQueue.node.defaultChild as CfnElement)];
    expect(dlq?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: Match.arrayWith([resolve(stack.prices.deadLetterQueue.queueUrl)]),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has an alarm on any message in it', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: resolve(stack.prices.deadLetterQueue.queueName) }],
      Threshold: 0,
    });
  });
});

describe('the stale-price alarm', () => {
  it('watches the metric the poller emits, notifies the alarm topic, and counts a silent poller as stale', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CryptoTaxRecovery/dev',
      MetricName: POLL_METRICS.stale,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Period: 60,
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: ALARM_WINDOW_MINUTES,
      DatapointsToAlarm: STALE_MINUTES_TO_ALARM,
      TreatMissingData: 'breaching',
      AlarmActions: [resolve(stack.observability.topic.topicArn)],
      OKActions: [resolve(stack.observability.topic.topicArn)],
    });
  });
});
