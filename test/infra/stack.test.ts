/**
 * The dev Cheongju stack as cdk.json configures it, bundling skipped. Building the template also
 * runs cdk-nag (AwsSolutions): any unacknowledged finding fails the synth and so every test here.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { API_ROUTES, CALLERS_ENV, type Caller } from '../../infra/constructs/api';
import { MAX_RECEIVE_COUNT, VISIBILITY_FACTOR } from '../../infra/constructs/queues';
import { CASES_TABLE } from '../../shared/adapters/dynamodb/table-definition';
import { routes as handlerRoutes } from '../../functions/api/routes';
import { buildTestApp, synthesizedTemplate, resourcesOfType } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const resolve = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('cases table', () => {
  it('has point-in-time recovery, deletion protection, TTL and a customer-managed key', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: CASES_TABLE.timeToLiveAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] } },
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('cases'),
    });
  });

  it('has exactly the indexes of the shared table definition', () => {
    const table = Object.values(resourcesOfType(template, 'AWS::DynamoDB::GlobalTable'))[0];
    const gsis = (table?.Properties?.GlobalSecondaryIndexes ?? []) as {
      IndexName: string;
      KeySchema: { AttributeName: string }[];
    }[];
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(
      CASES_TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    for (const def of CASES_TABLE.globalSecondaryIndexes) {
      const gsi = gsis.find((g) => g.IndexName === def.indexName);
      expect(gsi?.KeySchema.map((k) => k.AttributeName)).toEqual([def.partitionKey.name, def.sortKey.name]);
    }
  });
});

describe('queues', () => {
  it('are four FIFO queues: two work queues that dead-letter after ≥ 5 receives into FIFO DLQs', () => {
    // Schedules' dead-letter queues (standard: the scheduler and Lambda destinations take no FIFO) are tested with their schedules.
    const fifo = Object.values(resourcesOfType(template, 'AWS::SQS::Queue')).filter(
      (q) => q.Properties?.FifoQueue === true,
    );
    expect(fifo).toHaveLength(4);
    for (const q of fifo)
      expect(q.Properties).toMatchObject({ ContentBasedDeduplication: false, KmsMasterKeyId: expect.anything() });
    const redrives = Object.values(resourcesOfType(template, 'AWS::SQS::Queue'))
      .map((q) => q.Properties?.RedrivePolicy as { maxReceiveCount: number } | undefined)
      .filter((r) => r !== undefined);
    expect(redrives).toHaveLength(2);
    for (const r of redrives) expect(r.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(5);
  });

  it('keep visibility ≥ 6× the timeout of every consumer wired to them', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    for (const mapping of Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'))) {
      const p = mapping.Properties as {
        EventSourceArn: { 'Fn::GetAtt': [string] };
        FunctionName: { Ref: string };
        FunctionResponseTypes: string[];
      };
      const queue = queues[p.EventSourceArn['Fn::GetAtt'][0]];
      const fn = functions[p.FunctionName.Ref];
      expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(queue?.Properties?.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        VISIBILITY_FACTOR * (fn?.Properties?.Timeout as number),
      );
    }
  });
});

describe('functions', () => {
  it('all run Node.js 22 on arm64 with active tracing and their own log group (CDK internals aside)', () => {
    const ours = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).filter(
      (f) => f.Properties?.TracingConfig,
    );
    expect(ours.length).toBeGreaterThan(0);
    for (const fn of ours) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties?.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
    }
  });

  it('give the API handler the table, the served cities and each caller role with its role and city', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^DataCases') },
          SERVED_CITIES: 'cheongju',
        }),
      },
    });
    const api = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).find(
      (f) => (f.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables?.[CALLERS_ENV],
    );
    const callers = JSON.stringify(
      (api?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables[CALLERS_ENV],
    );
    for (const [role, id] of [
      ['CITY_SYSTEM', 'ApiCheongjuCitySystemRole'],
      ['OFFICER', 'ApiCheongjuOfficerRole'],
      ['AUDITOR', 'ApiCheongjuAuditorRole'],
    ]) {
      expect(callers).toMatch(
        new RegExp(`${id}[A-Z0-9]+\\\\?"?,\\\\?"?Arn.*?role.{0,12}${role}.{0,20}cities.{0,12}cheongju`),
      );
    }
  });
});

describe('API', () => {
  // The cities' IAM API (the officers' console API is tested in web-console.test.ts, the taxpayer page's in taxpayer-api.test.ts).
  const iamApi = Object.entries(resourcesOfType(template, 'AWS::ApiGateway::RestApi')).find(
    ([, r]) => /-(console|taxpayer)-api$/.test(String(r.Properties?.Name)) === false,
  )?.[0];
  const onIamApi = (r: { Properties?: Record<string, unknown> }) =>
    JSON.stringify(r.Properties?.RestApiId) === JSON.stringify({ Ref: iamApi });
  const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).filter(onIamApi);

  it('serves exactly the handler’s routes, from the handler’s one route table', async () => {
    expect(methods).toHaveLength(handlerRoutes.length);
    expect(API_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(handlerRoutes.map((r) => `${r.method} ${r.path}`));
    // No second table of routes beside the router's (a stale copy would grant routes nobody serves).
    expect(Object.keys(await import('../../infra/constructs/api'))).not.toContain('PENDING_ROUTES');
  });

  it('authorizes every method with IAM and validates it', () => {
    for (const m of methods) {
      expect(m.Properties).toMatchObject({
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: { Ref: expect.stringMatching(/Validator/) },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('requires an Idempotency-Key on every change', () => {
    for (const m of methods) {
      const p = m.Properties as { HttpMethod: string; RequestParameters?: Record<string, boolean> };
      const required = p.RequestParameters?.['method.request.header.Idempotency-Key'] === true;
      expect([p.HttpMethod, required]).toEqual([p.HttpMethod, p.HttpMethod !== 'GET']);
    }
  });

  it('writes JSON access logs and traces the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
    });
  });

  // An execute-api ARN's * matches any characters, '/' included: check every pattern against every
  // concrete route, so that a wildcard can never open a route its role is not allowed.
  it.each<[Caller, string]>([
    ['citySystem', 'ApiCheongjuCitySystemRole'],
    ['officer', 'ApiCheongjuOfficerRole'],
    ['auditor', 'ApiCheongjuAuditorRole'],
  ])('lets the %s role invoke exactly its routes', (caller, rolePrefix) => {
    const policies = Object.entries(resourcesOfType(template, 'AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(rolePrefix),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      policies[0]?.[1].Properties?.PolicyDocument as { Statement: { Action: string; Resource: unknown[] }[] }
    ).Statement;
    expect(statements.map((s) => s.Action)).toEqual(['execute-api:Invoke']);
    const patterns = (statements[0]?.Resource ?? []).map((arn) => {
      const parts = (resolve(arn) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const tail = String(parts[parts.length - 1]); // "/v1/POST/cases/*/payments"
      expect(tail.startsWith('/v1/')).toBe(true);
      return new RegExp('^' + tail.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
    });
    for (const route of API_ROUTES) {
      const concrete = `/v1/${route.method}${route.path.replace(/\{[^}]+\}/g, 'x1')}`;
      const allowed = patterns.some((p) => p.test(concrete));
      expect([route.method, route.path, allowed]).toEqual([route.method, route.path, route.callers.includes(caller)]);
    }
  });

  it('lets only the caller roles invoke the API (resource policy)', () => {
    const [restApi] = Object.values(resourcesOfType(template, 'AWS::ApiGateway::RestApi'));
    const statements = (
      restApi?.Properties?.Policy as {
        Statement: {
          Effect: string;
          Principal: unknown;
          Action: string;
          Resource: string;
          Condition?: Record<string, Record<string, unknown[]>>;
        }[];
      }
    ).Statement;
    const roleIds = Object.keys(resourcesOfType(template, 'AWS::IAM::Role'))
      .filter((id) => /^ApiCheongju(CitySystem|Officer|Auditor)Role/.test(id))
      .sort();
    expect(roleIds).toHaveLength(3);
    const ids = (v: unknown) =>
      JSON.stringify(v)
        .match(/ApiCheongju\w+Role[A-Z0-9]+/g)
        ?.sort() ?? [];
    const allow = statements.find((s) => s.Effect === 'Allow');
    const deny = statements.find((s) => s.Effect === 'Deny');
    expect(allow).toMatchObject({ Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
    expect(ids(allow?.Principal)).toEqual(roleIds);
    expect(deny).toMatchObject({ Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Principal: { AWS: '*' } });
    expect(ids(deny?.Condition?.StringNotEquals?.['aws:PrincipalArn'])).toEqual(roleIds);
  });

  it('lets a person assume the officer and auditor roles only with a source identity that is their user name and names the session', () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    for (const [id, role] of Object.entries(roles).filter(([id]) => /^ApiCheongju(Officer|Auditor)Role/.test(id))) {
      const statements = (
        role.Properties?.AssumeRolePolicyDocument as { Statement: { Action: string | string[]; Condition?: unknown }[] }
      ).Statement;
      expect([id, statements.flatMap((s) => s.Action).sort()]).toEqual([
        id,
        ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      ]);
      for (const s of statements) {
        expect(s.Condition).toEqual({
          StringEquals: { 'sts:SourceIdentity': '${aws:username}', 'sts:RoleSessionName': '${aws:username}' },
          Null: { 'sts:SourceIdentity': 'false' },
        });
      }
    }
    const system = Object.entries(roles).find(([id]) => /^ApiCheongjuCitySystemRole/.test(id))?.[1];
    expect(
      (system?.Properties?.AssumeRolePolicyDocument as { Statement: { Action: string }[] }).Statement.map(
        (s) => s.Action,
      ),
    ).toEqual(['sts:AssumeRole']);
  });

  it('keeps holds, cancellations and approvals for officers', () => {
    for (const r of API_ROUTES.filter((r) => /holds|cancel|approval/.test(r.path)))
      expect(r.callers).toEqual(['officer']);
  });

  it('answers gateway errors as problem+json', () => {
    // Every API's default 4xx and 5xx.
    const responses = Object.values(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse'));
    expect(
      responses
        .filter(onIamApi)
        .map(
          (r) => (r.Properties?.ResponseParameters as Record<string, string>)['gatewayresponse.header.Content-Type'],
        ),
    ).toEqual(["'application/problem+json'", "'application/problem+json'"]);
    const apis = Object.keys(resourcesOfType(template, 'AWS::ApiGateway::RestApi'));
    expect(
      responses.filter(
        (r) =>
          (r.Properties?.ResponseParameters as Record<string, string>)['gatewayresponse.header.Content-Type'] ===
          "'application/problem+json'",
      ),
    ).toHaveLength(2 * apis.length);
  });
});

describe('exchange access and network', () => {
  it('keeps the exchange keys in a secret encrypted with the data key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'ctr-dev/exchange/upbit',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
  });

  it('outputs the NAT gateway’s retained Elastic IP for the allow-list', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const [eipId] = Object.keys(resourcesOfType(template, 'AWS::EC2::EIP'));
    template.hasResource('AWS::EC2::EIP', { DeletionPolicy: 'Retain' });
    template.hasOutput('ExchangeEgressIp', { Value: { 'Fn::GetAtt': [eipId, 'PublicIp'] } });
  });
});

describe('observability', () => {
  it('alarms on each dead-letter queue and on API 5xx, into an encrypted topic', () => {
    for (const dlq of stack.queues.deadLetterQueues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        Dimensions: [{ Name: 'QueueName', Value: resolve(stack.resolve(dlq.queueName)) }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
    // One 5xx alarm per API: the cities', the officers' console's, the taxpayer page's.
    for (const api of [stack.api.restApi, stack.webConsole.api, stack.taxpayerApi.restApi]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '5XXError',
        Namespace: 'AWS/ApiGateway',
        Threshold: 0,
        Dimensions: [{ Name: 'ApiName', Value: resolve(stack.resolve(api.restApiName)) }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('CloudFormation limits', () => {
  // A stack holds at most 500 resources; the margin is room for the next features (and a second city).
  it('keeps the stack at no more than 450 resources', () => {
    const count = Object.keys(synthesizedTemplate().Resources).length;
    expect(count).toBeGreaterThan(100); // the real stack, not an empty template
    expect(count).toBeLessThanOrEqual(450);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged, and every acknowledgement gives a reason', () => {
    // The template is made by a synth with cdk-nag attached (synthesizedTemplate), which throws on any finding.
    expect(() => synthesizedTemplate()).not.toThrow();
    const reasons = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });
});
