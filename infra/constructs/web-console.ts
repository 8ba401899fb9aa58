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
 *   site          a static site (static-site.ts): the built files in a private bucket behind
 *                 CloudFront with security headers; /config.json names the API and the sign-in settings
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { CHANGING_METHODS } from '../../functions/api/router';
import { IDEMPOTENCY_HEADER } from '../../functions/api/idempotency';
import { problemJsonGatewayResponses, proxyIntegration, requestValidator, requiredParameters } from './proxy-api';
import { API_ROUTES, STAGE_NAME, type Route } from './api';
import type { AppFunction } from './function';
import { StaticSite } from './static-site';

/** The console's routes: every route an officer or an auditor may call (never a city system's alone). */
export const CONSOLE_ROUTES: readonly Route[] = API_ROUTES.filter(
  (r) => r.callers.includes('officer') || r.callers.includes('auditor'),
);

export interface WebConsoleProps {
  readonly namePrefix: string;
  readonly handler: AppFunction;
  readonly logRetention: logs.RetentionDays;
  /** The built site (default: web/console built now). */
  readonly siteDir?: string;
}

export class WebConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly api: apigw.RestApi;
  readonly site: StaticSite;

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
    this.site = new StaticSite(this, 'Site', {
      app: 'console',
      description: `${props.namePrefix} officers' console`,
      config: {
        apiUrl: `${apiOrigin}/${STAGE_NAME}`,
        signIn: { endpoint: `${cognitoEndpoint}/`, clientId: this.client.userPoolClientId },
      },
      connectTo: [apiOrigin, cognitoEndpoint],
      openBecause:
        'officers sign in from anywhere they travel; every console API call needs a Cognito token with MFA and the stage is throttled.',
      ...(props.siteDir ? { siteDir: props.siteDir } : {}),
    });
    const siteOrigin = this.site.origin;
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
  }
}
