/**
 * The officers' web console as deployed: a Cognito user pool requiring MFA, a console API whose
 * every route (but the CORS preflight) needs its token, the site in a private bucket behind
 * CloudFront with origin access control and security headers; cdk-nag clean.
 */
import { Template, Match } from 'aws-cdk-lib/assertions';
import { CONSOLE_ROUTES } from '../../infra/constructs/web-console';
import { resourcesOfType, synthesizedTemplate } from './helpers';

describe('web console', () => {
  const template = Template.fromJSON(synthesizedTemplate());

  it('synthesizes cdk-nag clean', () => {
    // The template is made by a synth with cdk-nag attached (synthesizedTemplate), which throws on any finding.
    expect(() => synthesizedTemplate()).not.toThrow();
  });

  it('signs officers in through a user pool with MFA required, no self sign-up, and cities only an administrator sets', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'cities', AttributeDataType: 'String' })]),
    });
    const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    expect(clients[0]?.Properties?.ReadAttributes).toContain('custom:cities');
    expect(clients[0]?.Properties?.WriteAttributes).not.toContain('custom:cities');
    expect(clients[0]?.Properties?.GenerateSecret).toBe(false);
    const groups = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties?.GroupName,
    );
    expect(groups.sort()).toEqual(['auditor', 'officer']);
  });

  it('puts every officer and auditor route behind the Cognito authorizer on the console API, and no city-system-only route', () => {
    const consoleApi = Object.entries(resourcesOfType(template, 'AWS::ApiGateway::RestApi')).find(([, r]) =>
      String(r.Properties?.Name).endsWith('-console-api'),
    )?.[0];
    expect(consoleApi).toBeDefined();
    const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).filter(
      (m) => JSON.stringify(m.Properties?.RestApiId) === JSON.stringify({ Ref: consoleApi }),
    );
    const real = methods.filter((m) => m.Properties?.HttpMethod !== 'OPTIONS');
    expect(real).toHaveLength(CONSOLE_ROUTES.length);
    for (const m of real) expect(m.Properties?.AuthorizationType).toBe('COGNITO_USER_POOLS');
    for (const m of methods.filter((x) => x.Properties?.HttpMethod === 'OPTIONS'))
      expect((m.Properties?.Integration as { Type: string }).Type).toBe('MOCK');
    expect(CONSOLE_ROUTES.map((r) => `${r.method} ${r.path}`)).not.toContain('POST /cases');
    expect(CONSOLE_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /sales',
        'GET /sales/{caseId}/{saleId}',
        'POST /cases/{caseId}/holds',
        'GET /notices/{caseId}',
      ]),
    );
  });

  it('serves the site from a private bucket through CloudFront with origin access control and security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    const policy = Object.values(resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]?.Properties
      ?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const headers = policy.SecurityHeadersConfig;
    expect(JSON.stringify(headers.ContentSecurityPolicy)).toContain("script-src 'self'");
    expect(JSON.stringify(headers.ContentSecurityPolicy)).toContain("frame-ancestors 'none'");
    expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(headers.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' } })]),
      },
    });
  });
});
