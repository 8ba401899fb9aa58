/**
 * The notice pipeline in the dev Cheongju stack (bundling skipped; building the template runs
 * cdk-nag, so an unacknowledged finding fails every test here).
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  DEFAULT_PRE_SALE_NOTICES_CRON,
  DEFAULT_REMINDERS_CRON,
  DEFAULT_SWEEP_RATE,
  DISPATCH_TIMEOUT,
} from '../../infra/constructs/notices';
import { MAX_RECEIVE_COUNT, VISIBILITY_FACTOR } from '../../infra/constructs/queues';
import { buildTestApp, synthesizedTemplate, cdkJsonContext, resourcesOfType } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const resolve = (value: unknown): unknown => stack.resolve(value);
const timezone = (cdkJsonContext().schedules as { timezone: string }).timezone;
const envOf = (fnName: string) => {
  const fns = resourcesOfType(template, 'AWS::Lambda::Function');
  const fn = Object.values(fns).find(
    (r) =>
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === fnName,
  );
  return {
    fn,
    env: (fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {},
  };
};
const queueUrl = () => resolve(stack.queues.noticeDispatch.queueUrl);

describe('the dispatcher', () => {
  it('consumes the FIFO notice queue in batches with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: resolve(stack.notices.dispatcher.fn.functionName),
      EventSourceArn: resolve(stack.queues.noticeDispatch.queueArn),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('has a queue whose visibility timeout covers six runs, FIFO, a DLQ after ≥ 5 receives, encryption', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.absent(),
      FifoQueue: true,
      ContentBasedDeduplication: false,
      VisibilityTimeout: Match.anyValue(),
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: {
        deadLetterTargetArn: resolve(stack.queues.noticeDispatchDlq.queueArn),
        maxReceiveCount: MAX_RECEIVE_COUNT,
      },
    });
    expect(stack.queues.visibilityTimeouts.noticeDispatch.toSeconds()).toBeGreaterThanOrEqual(
      VISIBILITY_FACTOR * DISPATCH_TIMEOUT.toSeconds(),
    );
    expect(MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(5);
  });

  it('knows the last attempt (maxReceiveCount) and the table; no channel folder is configured on AWS', () => {
    const { fn, env } = envOf('dispatch-notice');
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: DISPATCH_TIMEOUT.toSeconds(),
    });
    expect(env).toMatchObject({ MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT), TABLE_NAME: expect.anything() });
    expect(env).not.toHaveProperty('LOCAL_OUTBOX_DIR');
  });
});

describe('producers', () => {
  it('the API, the sweeper and the reminder run may send to the notice queue and know its URL', () => {
    for (const name of ['api', 'sweep-outbox', 'send-reminders', 'send-pre-sale-notices']) {
      expect(envOf(name).env).toMatchObject({ NOTICE_QUEUE_URL: queueUrl(), TABLE_NAME: expect.anything() });
    }
  });
});

describe('the schedules', () => {
  const sweep = () => stack.notices.sweepSchedule;
  const reminders = () => stack.notices.remindersSchedule;

  it('sweeps the outbox every 5 minutes and sends reminders daily at 09:00 in Asia/Seoul, with retries and a DLQ', () => {
    expect(timezone).toBe('Asia/Seoul');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: DEFAULT_SWEEP_RATE,
      ScheduleExpressionTimezone: timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: resolve(stack.notices.sweeper.fn.functionArn),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: resolve(sweep().deadLetterQueue.queueArn) },
        RoleArn: resolve(sweep().role.roleArn),
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: DEFAULT_REMINDERS_CRON,
      ScheduleExpressionTimezone: timezone,
      Target: {
        Arn: resolve(stack.notices.reminders.fn.functionArn),
        Input: JSON.stringify({ source: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: resolve(reminders().deadLetterQueue.queueArn) },
        RoleArn: resolve(reminders().role.roleArn),
      },
    });
    expect(DEFAULT_REMINDERS_CRON).toBe('cron(0 9 * * ? *)');
  });

  it('sends pre-sale notices daily at 09:00 in Asia/Seoul, with retries and a DLQ, reading the cities’ settings', () => {
    const scheduled = stack.notices.preSaleNoticesSchedule;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: DEFAULT_PRE_SALE_NOTICES_CRON,
      ScheduleExpressionTimezone: timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: resolve(stack.notices.preSaleNotices.fn.functionArn),
        Input: JSON.stringify({ source: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: resolve(scheduled.deadLetterQueue.queueArn) },
        RoleArn: resolve(scheduled.role.roleArn),
      },
    });
    expect(DEFAULT_PRE_SALE_NOTICES_CRON).toBe('cron(0 9 * * ? *)');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolve(stack.notices.preSaleNotices.fn.functionName),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: resolve(scheduled.deadLetterQueue.queueArn) } },
    });
    // The waiting period and the window are each city's settings item in the table, not the environment.
    const env = envOf('send-pre-sale-notices').env;
    expect(env).toMatchObject({ SERVED_CITIES: 'cheongju', TABLE_NAME: expect.anything() });
    expect(Object.keys(env).filter((name) => /NOTICE_WINDOW|AFTER_CUSTODY/.test(name))).toEqual([]);
  });

  it('failed runs end in each schedule’s alarmed DLQ', () => {
    for (const [fn, scheduled, retries] of [
      [stack.notices.sweeper, sweep(), 0],
      [stack.notices.reminders, reminders(), 2],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: resolve(fn.fn.functionName),
        MaximumRetryAttempts: retries,
        DestinationConfig: { OnFailure: { Destination: resolve(scheduled.deadLetterQueue.queueArn) } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: resolve(scheduled.deadLetterQueue.queueName) }],
      });
    }
  });

  it('each schedule role may be assumed only by this account’s scheduler and only invokes its function and fills its DLQ', () => {
    for (const scheduled of [sweep(), reminders()]) {
      const roleId = stack.getLogicalId(scheduled.role.node.defaultChild as CfnElement);
      const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
      expect(role?.Properties?.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          expect.objectContaining({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: expect.objectContaining({ 'aws:SourceAccount': expect.anything() }) },
          }),
        ],
      });
      const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter(
        (p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
      );
      const actions = policies
        .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
        .flatMap((s) => [s.Action].flat());
      expect([...new Set(actions)].sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    }
  });
});

describe('notice delivery', () => {
  const notices = cdkJsonContext().notices as {
    emailFrom: string;
    sesIdentity: string;
    printBatchArchiveDays: number;
    printBatchRetentionDays: number;
  };
  const bucketId = () => stack.getLogicalId(stack.noticeDelivery.bucket.node.defaultChild as CfnElement);

  it('keeps print batches in a bucket with the deployment’s KMS key, versioning, no public access, an archive lifecycle, access logs, retained', () => {
    const bucket = resourcesOfType(template, 'AWS::S3::Bucket')[bucketId()];
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: resolve(stack.data.key.keyArn) },
            BucketKeyEnabled: true,
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: resolve(stack.noticeDelivery.accessLogs.bucketName) },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: notices.printBatchArchiveDays }],
            NoncurrentVersionTransitions: [
              { StorageClass: 'GLACIER', TransitionInDays: notices.printBatchArchiveDays },
            ],
            ExpirationInDays: notices.printBatchRetentionDays,
          }),
        ],
      },
    });
    expect(resourcesOfType(template, 'AWS::S3::Bucket')[bucketId()]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('accepts TLS only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets the dispatcher write print batches and send e-mail as the configured SES identity only', () => {
    const { env } = envOf('dispatch-notice');
    expect(env).toMatchObject({
      PRINT_BATCH_BUCKET: resolve(stack.noticeDelivery.bucket.bucketName),
      EMAIL_FROM: notices.emailFrom,
      EXCHANGE_NOTICE_CONTACT: expect.stringContaining('cheongju'),
    });
    const roleId = stack.getLogicalId(stack.notices.dispatcher.role.node.defaultChild as CfnElement);
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        (p) =>
          (p.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
      );
    const ses = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')));
    expect(ses).toEqual([
      expect.objectContaining({ Action: 'ses:SendEmail', Resource: resolve(stack.noticeDelivery.sesIdentityArn) }),
    ]);
    expect(JSON.stringify(ses[0]?.Resource)).toContain(`:identity/${notices.sesIdentity}`);
    const s3 = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((st) => [st.Action].flat()).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    // No other function may send e-mail.
    const all = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    expect(all.filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')))).toHaveLength(1);
  });

  it('gives the print contractor a read-only pickup role', () => {
    const roleId = stack.getLogicalId(stack.noticeDelivery.pickupRole.node.defaultChild as CfnElement);
    const actions = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
      .flatMap((st) => [st.Action].flat());
    expect(actions.sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    template.hasOutput('PrintBatchBucketName', {});
    template.hasOutput('PrintPickupRoleArn', {});
  });
});
