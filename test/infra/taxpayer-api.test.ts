/**
 * The taxpayer self-service page's public API as synthesized: its own REST API with the taxpayer
 * router's routes, the session authorizer on all but the one that opens a session, the WAF
 * rate-based rule on its stage at the function's own limit, and its access secret read only by the
 * functions that need it. cdk-nag runs on the synth (an unacknowledged finding fails every test).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PUBLIC_RATE_LIMIT } from '#domain/self-service';
import { taxpayerRoutes } from '../../functions/taxpayer-api/routes';
import { buildTestApp, resourcesOfType, synthesizedTemplate } from './helpers';

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
