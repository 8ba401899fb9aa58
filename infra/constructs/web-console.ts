/**
 * The officers' web console (web/console/), deployed:
 *
 *   user pool     Amazon Cognito, no self sign-up, MFA required (TOTP), strong passwords; groups
 *                 `officer` and `auditor`; `custom:cities` names the cities a person acts for and
 *                 only an administrator can set it (the app client may not write it)
 *   console API   a second REST API on the same API function, only the routes officers and auditors
 *                 may call, each behind a Cognito user-pools authorizer (ID tokens); the function maps
 *                 the token's group and cities to role and cities, and records the officer's user name
 *                 as the actor (functions/api/roles.ts). City systems keep the IAM API: they have no
 *                 account in the pool, so their credentials cannot open the console
 *   site          the built files in a private, encrypted S3 bucket behind CloudFront with origin
 *                 access control and a response headers policy (CSP, HSTS, no framing, no sniffing);
 *                 /config.json is answered by a CloudFront function with the API's address and the
 *                 sign-in settings
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { buildWebAppSync } from '../../web/build';
import { contentSecurityPolicy } from '../../web/headers';
import { CHANGING_METHODS } from '../../functions/api/router';
import { IDEMPOTENCY_HEADER } from '../../functions/api/idempotency';
import { problemJsonGatewayResponses, proxyIntegration, requestValidator, requiredParameters } from './proxy-api';
import { API_ROUTES, STAGE_NAME, type Route } from './api';
import type { AppFunction } from './function';
import { nagResource } from './nag';

/** The console's routes: every route an officer or an auditor may call (never a city system's alone). */
export const CONSOLE_ROUTES: readonly Route[] = API_ROUTES.filter(
  (r) => r.callers.includes('officer') || r.callers.includes('auditor'),
);

export interface WebConsoleProps {
  readonly namePrefix: string;
  readonly handler: AppFunction;
  readonly logRetention: logs.RetentionDays;
  /** The built site (default: web/console built now into web/dist/console). */
  readonly siteDir?: string;
}

let built: string | undefined;
/** Built once per process (the synth, the infra tests' several stacks). */
const consoleDir = () => (built ??= buildWebAppSync('console').dir);

export class WebConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly api: apigw.RestApi;
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.userPool = new cognito.UserPool(this, 'Officers', {
      userPoolName: `${props.namePrefix}-officers`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.NONE,
      customAttributes: { cities: new cognito.StringAttribute({ minLen: 1, maxLen: 400, mutable: true }) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ['officer', 'auditor'])
      new cognito.CfnUserPoolGroup(this, `${group === 'officer' ? 'Officer' : 'Auditor'}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `${group}s of the cities in their custom:cities attribute`,
      });
    this.client = this.userPool.addClient('Console', {
      userPoolClientName: 'console',
      generateSecret: false,
      authFlows: { userPassword: true },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      preventUserExistenceErrors: true,
      // Officers read their cities but never write them: only an administrator assigns a city.
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ preferredUsername: true })
        .withCustomAttributes('cities'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ preferredUsername: true }),
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.namePrefix}-console-api`,
      description: 'crypto-tax-recovery: the officers’ web console (Cognito sign-in)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
      },
    });

    // The API's address from its id alone (not its stage), so the site can name it without a cycle.
    const apiOrigin = `https://${this.api.restApiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`;
    const cognitoEndpoint = `https://cognito-idp.${region}.${Stack.of(this).urlSuffix}`;
    const config = Stack.of(this).toJsonString({
      apiUrl: `${apiOrigin}/${STAGE_NAME}`,
      signIn: { endpoint: `${cognitoEndpoint}/`, clientId: this.client.userPoolClientId },
    });
    const configFunction = new cloudfront.Function(this, 'ConfigJson', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Answers /config.json: the console API and the sign-in settings',
      code: cloudfront.FunctionCode.fromInline(
        `var CONFIG = ${config};\nfunction handler(event) {\n  if (event.request.uri === '/config.json') return { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } }, body: JSON.stringify(CONFIG) };\n  return event.request;\n}`,
      ),
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'The console: its own scripts only, calls to its API and Cognito only, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy([apiOrigin, cognitoEndpoint]),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} officers' console`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: configFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });

    const siteOrigin = `https://${this.distribution.distributionDomainName}`;
    const cors: apigw.CorsOptions = {
      allowOrigins: [siteOrigin],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['authorization', 'content-type', IDEMPOTENCY_HEADER.toLowerCase()],
      maxAge: Duration.minutes(10),
    };
    problemJsonGatewayResponses(this.api, siteOrigin);
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'SignedIn', {
      cognitoUserPools: [this.userPool],
      authorizerName: 'officers',
    });
    const validator = requestValidator(this, this.api);
    const integration = proxyIntegration(props.handler.fn);
    for (const route of CONSOLE_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      if (!resource.node.tryFindChild('OPTIONS')) resource.addCorsPreflight(cors);
      const requestParameters = requiredParameters(route.path, CHANGING_METHODS.has(route.method));
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.COGNITO,
        authorizer,
        requestValidator: validator,
        requestParameters,
      });
    }
    // Answers to signed-in officers carry the site's origin (functions/api/app.ts).
    props.handler.addEnvironment(ENV.consoleOrigin, siteOrigin);
    new s3deploy.BucketDeployment(this, 'Files', {
      sources: [s3deploy.Source.asset(props.siteDir ?? consoleDir())],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
      prune: false,
      memoryLimit: 256,
    });

    this.acknowledge();

    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: siteOrigin, description: 'The officers’ web console' });
    new CfnOutput(Stack.of(this), 'ConsoleUserPoolId', {
      value: this.userPool.userPoolId,
      description: 'Create officers here (group officer or auditor, custom:cities); they set up TOTP at first sign-in',
    });
  }

  /** The cdk-nag findings accepted for the console, each with its reason (rows in infra/README.md). */
  private acknowledge(): void {
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) costs per active user; MFA (TOTP) is required of every account, there is no self sign-up and accounts are created by an administrator.',
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the built console (no data); it is read only by CloudFront through origin access control, whose access is what matters.',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Officers may sign in from anywhere they travel; the console holds no data and the API behind it requires a signed-in officer with MFA.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The site is static files; the console API is throttled and every call needs a Cognito token with MFA. A web ACL adds cost, not protection, here.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Static files only: the console API’s access logs record every officer request.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default CloudFront domain and certificate: CloudFront then accepts TLSv1 at the edge; a city that adds its own domain and certificate sets TLSv1.2_2021.',
      },
    );
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires a Cognito ID token (MFA) and the stage is throttled; a WAF web ACL adds cost, not protection, here.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Only the CORS preflight (OPTIONS, a mock integration that reaches no function) is open; every other method has the Cognito authorizer.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack must not own; access logs and X-Ray cover every request.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Only the CORS preflight (OPTIONS) has no Cognito authorizer: it reaches no function.',
      },
    );
    // The bucket deployment's function (a singleton of aws-cdk-lib, at the stack's root).
    for (const child of Stack.of(this).node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      const deploymentGrant =
        'aws-cdk-lib’s bucket deployment grant: read the staged asset in the CDK assets bucket, write and prune this site bucket’s objects (object ARNs end in /*), and invalidate the distribution (CloudFront invalidations take no resource ARN).';
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'aws-cdk-lib’s bucket deployment function uses AWSLambdaBasicExecutionRole (its own logs only).',
        },
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((a) => ({
          id: `AwsSolutions-IAM5[Action::${a}]`,
          reason: deploymentGrant,
        })),
        ...[
          '*',
          nagResource(this, this.bucket.arnForObjects('*')),
          `arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(this).region}/*`,
        ].map((r) => ({ id: `AwsSolutions-IAM5[Resource::${r}]`, reason: deploymentGrant })),
        {
          id: 'AwsSolutions-L1',
          reason: 'aws-cdk-lib pins the bucket deployment function’s runtime; it runs only at deployment.',
        },
      );
    }
  }
}
