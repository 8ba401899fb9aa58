/**
 * The taxpayer self-service page's public API as synthesized: its own REST API with the taxpayer
 * router's routes, the session authorizer on all but the one that opens a session, the WAF
 * rate-based rule on its stage at the function's own limit, and its access secret read only by the
 * functions that need it; the page itself on S3 behind CloudFront, the only origin the API's CORS
 * admits, its address on the notices (configured or its own). cdk-nag runs on the synth (an
 * unacknowledged finding fails every test).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PUBLIC_RATE_LIMIT } from '#domain/self-service';
import { taxpayerRoutes } from '../../functions/taxpayer-api/routes';
import { TAXPAYER_PAGE_PATH } from '../../infra/constructs/taxpayer-api';
import { buildTestApp, cdkJsonContext, resourcesOfType, synthesizedTemplate } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const apiId = stack.getLogicalId(stack.taxpayerApi.restApi.node.defaultChild as never);
const onApi = (type: string) =>
  Object.values(resourcesOfType(template, type)).filter(
    (r) => JSON.stringify(r.Properties?.RestApiId) === JSON.stringify({ Ref: apiId }),
  );

describe('taxpayer API', () => {
  it('serves exactly the taxpayer routes: the session authorizer on each but the one that opens a session', () => {
    const methods = onApi('AWS::ApiGateway::Method').filter((m) => m.Properties?.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(taxpayerRoutes.length);
    const custom = methods.filter((m) => m.Properties?.AuthorizationType === 'CUSTOM');
    const open = methods.filter((m) => m.Properties?.AuthorizationType === 'NONE');
    expect(custom).toHaveLength(taxpayerRoutes.filter((r) => r.session).length);
    expect(open.map((m) => m.Properties?.HttpMethod)).toEqual(['POST']);
    // The sale request needs its Idempotency-Key before the function runs.
    expect(
      methods.filter(
        (m) =>
          (m.Properties?.RequestParameters as Record<string, boolean> | undefined)?.[
            'method.request.header.Idempotency-Key'
          ],
      ),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
      RestApiId: { Ref: apiId },
    });
  });

  it('is rate-limited per address by a WAF rule on its stage, at the function’s own limit', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          Statement: {
            RateBasedStatement: {
              Limit: PUBLIC_RATE_LIMIT.requests,
              EvaluationWindowSec: PUBLIC_RATE_LIMIT.windowSeconds,
              AggregateKeyType: 'IP',
            },
          },
        }),
      ],
    });
    const association = Object.values(resourcesOfType(template, 'AWS::WAFv2::WebACLAssociation'));
    expect(association).toHaveLength(1);
    expect(JSON.stringify(association[0]?.Properties?.ResourceArn)).toContain(apiId);
    expect(JSON.stringify(association[0]?.Properties?.ResourceArn)).toContain('/stages/');
  });

  it('answers its gateway errors as problem+json too', () => {
    expect(
      onApi('AWS::ApiGateway::GatewayResponse').map(
        (r) => (r.Properties?.ResponseParameters as Record<string, string>)['gatewayresponse.header.Content-Type'],
      ),
    ).toEqual(["'application/problem+json'", "'application/problem+json'"]);
  });

  it('has an access secret of its own, generated, read by the taxpayer API, its authorizer, the city API (the second check) and no exchange function', () => {
    const secretId = stack.getLogicalId(stack.taxpayerApi.secret.node.defaultChild as never);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: Match.stringLikeRegexp('/taxpayer-access$'),
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    const readers = Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties?.PolicyDocument).includes(`"Ref":"${secretId}"`))
      .flatMap(([, p]) => (p.Properties?.Roles as { Ref: string }[]).map((r) => r.Ref));
    const roleOf = (fn: { role: { node: { defaultChild: unknown } } }) =>
      stack.getLogicalId(fn.role.node.defaultChild as never);
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    const withSecret = functions.filter((f) =>
      JSON.stringify(f.Properties?.Environment ?? {}).includes('TAXPAYER_ACCESS_SECRET_ARN'),
    );
    expect(withSecret).toHaveLength(readers.length);
    expect(readers).toContain(roleOf(stack.apiFunction));
    expect(
      functions.filter(
        (f) =>
          JSON.stringify(f.Properties?.Environment ?? {}).includes('TAXPAYER_ACCESS_SECRET_ARN') &&
          JSON.stringify(f.Properties?.Environment ?? {}).includes('EXCHANGE_SECRET_ARN'),
      ),
    ).toHaveLength(0);
  });
});

describe('taxpayer page', () => {
  const distributionId = stack.getLogicalId(stack.taxpayerApi.page.distribution.node.defaultChild as never);
  const pageUrl = {
    'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, TAXPAYER_PAGE_PATH]],
  };
  const envOf = (fn: { fn: { node: { defaultChild: unknown } } }) =>
    (
      (template.toJSON().Resources as Record<string, unknown>)[
        stack.getLogicalId(fn.fn.node.defaultChild as never)
      ] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;

  it('is served from a private bucket through its own CloudFront distribution (origin access control, security headers), apart from the console', () => {
    const distributions = resourcesOfType(template, 'AWS::CloudFront::Distribution');
    expect(Object.keys(distributions)).toHaveLength(2);
    const page = distributions[distributionId]?.Properties?.DistributionConfig as {
      DefaultRootObject: string;
      DefaultCacheBehavior: { ViewerProtocolPolicy: string; ResponseHeadersPolicyId: { Ref: string } };
      Origins: { OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity: string } }[];
    };
    expect(page.DefaultRootObject).toBe('index.html');
    expect(page.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(page.Origins[0]?.OriginAccessControlId).toBeDefined();
    const headers = resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy')[
      page.DefaultCacheBehavior.ResponseHeadersPolicyId.Ref
    ]?.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const csp = JSON.stringify(headers.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(apiId); // connect-src: the taxpayer API, nothing else
    expect(csp).not.toContain('cognito');
    expect(headers.SecurityHeadersConfig.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(headers.SecurityHeadersConfig.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'no-referrer' });
    const bucketId = stack.getLogicalId(stack.taxpayerApi.page.bucket.node.defaultChild as never);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' } })]),
      },
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketName: { Ref: bucketId } });
  });

  it('learns its API’s address at run time from /config.json, and serves index.html at the link’s path', () => {
    const fn = Object.values(resourcesOfType(template, 'AWS::CloudFront::Function')).find((f) =>
      JSON.stringify(f.Properties?.FunctionCode).includes(apiId),
    );
    const code = JSON.stringify(fn?.Properties?.FunctionCode);
    expect(code).toContain('/config.json');
    expect(code).toContain('apiUrl');
    expect(code).toContain("endsWith('/')");
    expect(code).not.toContain('signIn');
  });

  it('is the only origin the API admits from a browser (preflight, gateway errors, the function’s answers)', () => {
    const preflights = onApi('AWS::ApiGateway::Method').filter((m) => m.Properties?.HttpMethod === 'OPTIONS');
    expect(preflights).toHaveLength(taxpayerRoutes.length);
    for (const m of preflights) {
      expect((m.Properties?.Integration as { Type: string }).Type).toBe('MOCK');
      expect(JSON.stringify(m.Properties?.Integration)).toContain(distributionId);
    }
    for (const r of onApi('AWS::ApiGateway::GatewayResponse'))
      expect(JSON.stringify(r.Properties?.ResponseParameters)).toContain(distributionId);
    expect(envOf(stack.taxpayerApi.handler).TAXPAYER_PAGE_URL).toEqual(pageUrl);
  });

  it('is the address the notices print by default; notices.taxpayerPageUrl replaces it there only', () => {
    expect(envOf(stack.notices.dispatcher).TAXPAYER_PAGE_URL).toEqual(pageUrl);
    expect(envOf(stack.notices.dispatcher).TAXPAYER_ACCESS_SECRET_ARN).toBeDefined();
    const configured = 'https://pay.cheongju.example.go.kr/t/';
    const { stack: other } = buildTestApp({
      notices: { ...(cdkJsonContext().notices as object), taxpayerPageUrl: configured },
    });
    // The function's environment before the synth (resolved as the L1 holds it).
    const resolved = (fn: { fn: { node: { defaultChild: unknown } } }): unknown => {
      const env = other.resolve((fn.fn.node.defaultChild as { environment: unknown }).environment) as {
        variables?: Record<string, unknown>;
        Variables?: Record<string, unknown>;
      };
      return (env.variables ?? env.Variables)?.TAXPAYER_PAGE_URL;
    };
    expect(resolved(other.notices.dispatcher)).toBe(configured);
    // The page still runs on its own site: that is the origin its API admits.
    expect(JSON.stringify(resolved(other.taxpayerApi.handler))).toContain('DomainName');
  });
});
