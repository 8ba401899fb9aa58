/**
 * The taxpayer's self-service API (docs/SELF_SERVICE.md): a public REST API of its own, apart from
 * the cities' IAM-only API, so its resource policy and throttling stay untouched. Every route is the
 * taxpayer router's (functions/taxpayer-api/routes.ts); all but the one that opens a session go
 * through its own Lambda TOKEN authorizer (the session's signature and expiry, no cache). An AWS WAF
 * web ACL on the stage blocks an address beyond `PUBLIC_RATE_LIMIT` (the function enforces the same
 * numbers itself, so the local stack, which has no WAF, keeps the same limit). The link, check and
 * session keys come from a secret of their own, generated here and never the exchange keys.
 * The page itself (web/taxpayer) is a static site (static-site.ts) at `<its domain>/t/`, told the
 * API's address by /config.json; only its origin may call the API from a browser (CORS).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { PUBLIC_RATE_LIMIT } from '#domain/self-service';
import { IDEMPOTENCY_HEADER } from '../../functions/api/idempotency';
import { problemJsonGatewayResponses, proxyIntegration, requestValidator, requiredParameters } from './proxy-api';
import { taxpayerRoutes } from '../../functions/taxpayer-api/routes';
import type { AppFunction } from './function';
import { StaticSite } from './static-site';

export const TAXPAYER_STAGE = 'v1';

export interface TaxpayerApiProps {
  readonly namePrefix: string;
  readonly handler: AppFunction;
  readonly authorizer: AppFunction;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The address the notices print (`notices.taxpayerPageUrl`): default, the page's own. */
  readonly pageUrl?: string;
  /** The built page (default: web/taxpayer built now). */
  readonly siteDir?: string;
}

/** Where the page answers on its site: the notices' links are this path, the code after '#'. */
export const TAXPAYER_PAGE_PATH = '/t/';

export class TaxpayerApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly secret: secretsmanager.Secret;
  readonly webAcl: wafv2.CfnWebACL;
  readonly page: StaticSite;
  /** The function behind every route. */
  readonly handler: AppFunction;
  /** The address printed on notices (with the code after '#') and in their QR codes. */
  readonly pageUrl: string;

  constructor(scope: Construct, id: string, props: TaxpayerApiProps) {
    super(scope, id);
    this.handler = props.handler;
    this.secret = new secretsmanager.Secret(this, 'AccessSecret', {
      secretName: `${props.namePrefix}/taxpayer-access`,
      description:
        'Keys of the taxpayer self-service page (links on notices, the second check, sessions): 64 random characters read as base64',
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret signs the links printed on letters already mailed: rotating it would void every link in taxpayers’ hands. Rotation is a manual procedure done between notice runs (infra/README.md).',
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.namePrefix}-taxpayer-api`,
      description:
        'crypto-tax-recovery: the taxpayer self-service page’s public API (session, statement, sale preview, sale request)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: TAXPAYER_STAGE,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
      },
    });
    (this.restApi.node.findChild('Endpoint') as CfnOutput).overrideLogicalId('TaxpayerApiUrl');

    // The API's address from its id alone (not its stage), so the page can name it without a cycle.
    const apiOrigin = `https://${this.restApi.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    this.page = new StaticSite(this, 'Page', {
      app: 'taxpayer',
      description: `${props.namePrefix} taxpayer self-service page`,
      config: { apiUrl: `${apiOrigin}/${TAXPAYER_STAGE}` },
      connectTo: [apiOrigin],
      openBecause:
        'taxpayers open it from a letter wherever they are; the API behind it has its own WAF rate rule and session authorizer.',
      ...(props.siteDir ? { siteDir: props.siteDir } : {}),
    });
    const origin = this.page.origin;
    const ownUrl = `${origin}${TAXPAYER_PAGE_PATH}`;
    this.pageUrl = props.pageUrl ?? ownUrl;
    const cors: apigw.CorsOptions = {
      allowOrigins: [origin],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['authorization', 'content-type', IDEMPOTENCY_HEADER.toLowerCase()],
      maxAge: Duration.minutes(10),
    };
    problemJsonGatewayResponses(this.restApi, origin);

    const authorizer = new apigw.TokenAuthorizer(this, 'SessionAuthorizer', {
      handler: props.authorizer.fn,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // No cache: an expired session is refused at once, and one session opens one case only.
      resultsCacheTtl: Duration.seconds(0),
    });
    const validator = requestValidator(this, this.restApi);
    const integration = proxyIntegration(props.handler.fn);
    for (const route of taxpayerRoutes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      // Preflight on the routes only (not on every resource: CloudFormation's 500 resources).
      if (!resource.node.tryFindChild('OPTIONS'))
        Validations.of(resource.addCorsPreflight(cors)).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The CORS preflight for the page: a mock integration that reaches no function and answers nothing but the CORS headers.',
        });
      const method = resource.addMethod(route.method, integration, {
        requestValidator: validator,
        ...(route.kind === 'change' ? { requestParameters: requiredParameters(route.path, true) } : {}),
        ...(route.session
          ? { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM }
          : { authorizationType: apigw.AuthorizationType.NONE }),
      });
      if (!route.session) {
        Validations.of(method).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'This route opens a session: it takes the notice’s code and the date of birth, checks them with a lockout per link and per case, and answers every refusal the same way. Nothing before it could authorize the caller.',
          },
          {
            id: 'AwsSolutions-COG4',
            reason:
              'Taxpayers have no accounts: the notice’s signed code and the second check are the credentials, and this route turns them into a session.',
          },
        );
      }
    }

    props.handler.addEnvironment(ENV.taxpayerAccessSecretArn, this.secret.secretArn);
    props.authorizer.addEnvironment(ENV.taxpayerAccessSecretArn, this.secret.secretArn);
    // The page runs on its own site whatever address the notices print: that origin may call.
    props.handler.addEnvironment(ENV.taxpayerPageUrl, ownUrl);
    new CfnOutput(Stack.of(this), 'TaxpayerPageUrl', {
      value: this.pageUrl,
      description: 'The address printed on notices (code after #) and in their QR codes',
    });
    new CfnOutput(Stack.of(this), 'TaxpayerPageSiteUrl', {
      value: ownUrl,
      description:
        'Where the taxpayer page is served: a notices.taxpayerPageUrl must lead here, keeping what follows #',
    });
    this.secret.grantRead(props.handler);
    this.secret.grantRead(props.authorizer);

    // Per client address, the same numbers as the function's own limiter.
    this.webAcl = new wafv2.CfnWebACL(this, 'RateLimit', {
      name: `${props.namePrefix}-taxpayer-rate`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: `${props.namePrefix}-taxpayer`,
        sampledRequestsEnabled: false,
      },
      rules: [
        {
          name: 'PerAddressRate',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: {
              limit: PUBLIC_RATE_LIMIT.requests,
              evaluationWindowSec: PUBLIC_RATE_LIMIT.windowSeconds,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: `${props.namePrefix}-taxpayer-rate`,
            sampledRequestsEnabled: false,
          },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'RateLimitAssociation', {
      resourceArn: `arn:${Stack.of(this).partition}:apigateway:${Stack.of(this).region}::/restapis/${this.restApi.restApiId}/stages/${this.restApi.deploymentStage.stageName}`,
      webAclArn: this.webAcl.attrArn,
    });

    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role, a singleton this stack must not own; access logs, X-Ray and the function’s own logs (no personal data) cover every request.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Taxpayers have no accounts: their routes use this API’s own Lambda authorizer over a short session opened with the notice’s code and the second check.',
      },
    );
  }

  get url(): string {
    return this.restApi.url;
  }
}
