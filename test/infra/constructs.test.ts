/**
 * The shared constructs on a bare stack with cdk-nag attached: function defaults, the queue
 * consumer wiring and its visibility-timeout guard. Bundling is skipped.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AppFunction, type AppFunctionProps } from '../../infra/constructs/function';
import { ExchangeAccess } from '../../infra/constructs/exchange-access';
import { Network } from '../../infra/constructs/network';
import {
  MAX_RECEIVE_COUNT,
  Queues,
  VISIBILITY_FACTOR,
  assertVisibilityTimeout,
  requireTlsOnQueues,
} from '../../infra/constructs/queues';
import { FIXTURE_HANDLER, nagStack, resourcesOfType } from './helpers';

const fnProps = (over: Partial<AppFunctionProps> = {}): AppFunctionProps => ({
  name: 'probe',
  entry: FIXTURE_HANDLER,
  logRetention: 30,
  metricsNamespace: 'Test',
  ...over,
});

describe('AppFunction defaults', () => {
  const { stack } = nagStack();
  const net = new Network(stack, 'Net', { logRetention: 30 });
  new AppFunction(stack, 'Plain', fnProps({ reservedConcurrentExecutions: 2 }));
  new AppFunction(stack, 'InVpc', fnProps({ name: 'trader', ...net.exchangeFunctionPlacement }));
  const template = Template.fromStack(stack); // also runs cdk-nag: throws on any finding

  it('runs Node.js 22 on arm64 with X-Ray and Powertools settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 2,
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'probe',
          POWERTOOLS_METRICS_NAMESPACE: 'Test',
          LOG_LEVEL: 'INFO',
        }),
      },
    });
  });

  it('gives every function its own log group with retention', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3); // two functions and the flow logs
  });

  it('uses no AWS managed policy, in or out of the VPC', () => {
    // (CDK's own provider for restricting the default security group is a separate, internal role.)
    const roles = Object.values(
      template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('^Execution role of ') },
      }),
    );
    expect(roles).toHaveLength(2);
    for (const role of roles)
      expect((role as { Properties: Record<string, unknown> }).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('places exchange callers in the private subnets with HTTPS-only egress', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'trader' }) },
      VpcConfig: { SubnetIds: [Match.anyValue(), Match.anyValue()], SecurityGroupIds: [Match.anyValue()] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface']) })]),
      },
    });
  });

  it('refuses a function folder without a handler', () => {
    const { stack: other } = nagStack();
    expect(() => new AppFunction(other, 'Missing', fnProps({ name: 'no-such-function', entry: undefined }))).toThrow(
      /no functions\/no-such-function\/handler.ts or index.ts/,
    );
  });
});

describe('Queues', () => {
  it('are FIFO without content-based dedup, KMS-encrypted, TLS-only, with FIFO DLQs after 5 receives', () => {
    const { stack } = nagStack();
    new Queues(stack, 'Queues', { key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    requireTlsOnQueues(stack);
    const template = Template.fromStack(stack);
    expect(MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(5);
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.allResourcesProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      KmsMasterKeyId: Match.anyValue(),
    });
    template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { RedrivePolicy: { maxReceiveCount: MAX_RECEIVE_COUNT, deadLetterTargetArn: Match.anyValue() } },
      2,
    );
    // One policy for all of them (not one each: CloudFormation's 500 resources).
    template.resourceCountIs('AWS::SQS::QueuePolicy', 1);
    const policy = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'))[0]?.Properties as {
      Queues: unknown[];
      PolicyDocument: { Statement: { Effect: string; Resource: unknown[]; Condition: unknown }[] };
    };
    expect(policy.Queues).toHaveLength(4);
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    expect(policy.PolicyDocument.Statement[0]?.Resource).toHaveLength(4);
  });

  it('refuse to synthesize a queue with a policy of its own beside the shared one, or one made after it', () => {
    const { app, stack } = nagStack();
    const queues = new Queues(stack, 'Queues', { key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    requireTlsOnQueues(stack);
    queues.saleRequest.addToResourcePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], principals: [new iam.AccountRootPrincipal()] }),
    );
    new sqs.Queue(stack, 'Late', { enforceSSL: false });
    expect(() => app.synth()).toThrow(/has a queue policy of its own[\s\S]*Late was made after requireTlsOnQueues/);
  });

  it('wires a consumer with partial batch responses when visibility ≥ 6× its timeout', () => {
    const { stack } = nagStack();
    const queues = new Queues(stack, 'Queues', { key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    const fn = new AppFunction(stack, 'Dispatcher', fnProps({ timeout: Duration.seconds(30) }));
    queues.addConsumer('noticeDispatch', fn);
    requireTlsOnQueues(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    type Found = { Properties: Record<string, unknown> }[];
    const queue = Object.values(
      template.findResources('AWS::SQS::Queue', { Properties: { VisibilityTimeout: Match.anyValue() } }),
    ) as Found;
    const fnTimeout = (Object.values(template.findResources('AWS::Lambda::Function')) as Found)[0]?.Properties
      .Timeout as number;
    expect(Math.min(...queue.map((q) => q.Properties.VisibilityTimeout as number))).toBeGreaterThanOrEqual(
      VISIBILITY_FACTOR * fnTimeout,
    );
  });

  it('lets a producer send (grants and queue URL), with nothing unacknowledged', () => {
    const { stack } = nagStack();
    const queues = new Queues(stack, 'Queues', { key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    const fn = new AppFunction(stack, 'Producer', fnProps());
    queues.bindProducer('noticeDispatch', fn);
    requireTlsOnQueues(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ NOTICE_QUEUE_URL: { Ref: Match.stringLikeRegexp('^QueuesNoticeDispatch') } }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]),
      },
    });
  });

  it('refuses, at synth, a consumer slower than a sixth of the visibility timeout', () => {
    const { stack } = nagStack();
    const queues = new Queues(stack, 'Queues', {
      key: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      noticeVisibilityTimeout: Duration.minutes(3),
    });
    const slow = new AppFunction(stack, 'Slow', fnProps({ timeout: Duration.seconds(31) }));
    expect(() => queues.addConsumer('noticeDispatch', slow)).toThrow(
      /visibility timeout 180 s is under 6 × the timeout .* \(31 s, so 186 s needed\)/,
    );
    expect(() => assertVisibilityTimeout('q', Duration.seconds(180), 'f', Duration.seconds(30))).not.toThrow();
  });
});

describe('ExchangeAccess', () => {
  it('binds the KMS-encrypted key secret and the base URL to a function behind the NAT', () => {
    const { stack } = nagStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const net = new Network(stack, 'Net', { logRetention: 30 });
    const exchange = new ExchangeAccess(stack, 'Exchange', {
      namePrefix: 'ctr-t',
      key,
      exchangeId: 'upbit',
      baseUrl: 'https://api.upbit.com',
    });
    exchange.bind(new AppFunction(stack, 'Trader', fnProps({ name: 'trader', ...net.exchangeFunctionPlacement })));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'secretKey',
        SecretStringTemplate: '{"accessKey":"REPLACE_ME"}',
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EXCHANGE_SECRET_ARN: { Ref: Match.anyValue() },
          EXCHANGE_BASE_URL: 'https://api.upbit.com',
          EXCHANGE_ID: 'upbit',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) })]),
      },
    });
  });
});

describe('Network', () => {
  it('has one NAT gateway on a retained Elastic IP, output for the allow-list, and flow logs', () => {
    const { stack } = nagStack();
    new Network(stack, 'Net', { logRetention: 30 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::EIP', 1);
    const [eipId, eip] = Object.entries(template.findResources('AWS::EC2::EIP'))[0] ?? [];
    expect(eip?.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: { 'Fn::GetAtt': [eipId, 'AllocationId'] } });
    template.hasOutput('ExchangeEgressIp', { Value: { 'Fn::GetAtt': [eipId, 'PublicIp'] } });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    expect(ec2.SubnetType.PRIVATE_WITH_EGRESS).toBeDefined();
  });
});
