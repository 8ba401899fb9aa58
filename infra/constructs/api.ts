/**
 * The city's HTTP API: API Gateway REST with IAM (SigV4) authorization on every method, request
 * validation, JSON access logs and X-Ray, one Lambda proxy integration for all routes, and two
 * caller roles whose `execute-api:Invoke` permissions are granted route by route from the table
 * below. The handler learns the roles' ARNs from its environment and maps the authenticated
 * principal to a caller role itself (it refuses unknown principals).
 */
import { type CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes as handlerRoutes } from '../../functions/api/routes';
import { CHANGING_METHODS, type Method } from '../../functions/api/router';
import type { Role } from '../../functions/api/roles';
import { IDEMPOTENCY_HEADER } from '../../functions/api/idempotency';
import type { AppFunction } from './function';
import { acknowledgeWildcards } from './nag';
import { ENV } from '#adapters/env';

export type Caller = 'citySystem' | 'officer';
export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly callers: readonly Caller[];
}

const CALLER_OF_ROLE: Record<Role, Caller> = { CITY_SYSTEM: 'citySystem', OFFICER: 'officer' };

/**
 * Every route and who may call it: the handler's own route table, so the gateway, the IAM grants
 * and the handler's role check cannot disagree.
 */
export const API_ROUTES: readonly Route[] = handlerRoutes.map((r) => ({ method: r.method, path: r.path, callers: r.roles.map((role) => CALLER_OF_ROLE[role]) }));

/** Environment variables the API handler reads the caller roles from (comma-separated ARNs). */
export const CALLER_ROLE_ENV: Record<Caller, string> = {
  citySystem: ENV.citySystemRoleArns,
  officer: ENV.officerRoleArns,
};

export const STAGE_NAME = 'v1';

/** `/cases/{caseId}/holds/{holdId}` → `/cases/*\/holds/*`, the form execute-api ARNs take. */
export const arnPath = (path: string): string => path.replace(/\{[^}]+\}/g, '*');

export interface ApiProps {
  readonly namePrefix: string;
  readonly handler: AppFunction;
  readonly logRetention: logs.RetentionDays;
  /** Principals that may assume each caller role; empty: the account (granted by IAM policy there). */
  readonly trustedPrincipals: Readonly<Record<Caller, readonly string[]>>;
  readonly routes?: readonly Route[];
}

export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  readonly callerRoles: Readonly<Record<Caller, iam.Role>>;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const routes = props.routes ?? API_ROUTES;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.namePrefix}-api`,
      description: 'crypto-tax-recovery: cases, payments, holds and sales for the city tax system and officers',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false, // account-wide setting; see the APIG6 acknowledgement
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
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
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    // RestApi always adds an output for its URL; give it a stable, readable name.
    (this.restApi.node.findChild('Endpoint') as CfnOutput).overrideLogicalId('ApiUrl');

    // Errors API Gateway answers itself (refused signature, missing header) are problem+json too.
    for (const [name, type] of [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX],
    ] as const) {
      this.restApi.addGatewayResponse(name, {
        type,
        responseHeaders: { 'Content-Type': "'application/problem+json'" },
        templates: {
          'application/json':
            '{"type":"about:blank","title":"$context.error.responseType","detail":$context.error.messageString,"requestId":"$context.requestId"}',
        },
      });
    }

    const validator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.restApi,
      validateRequestParameters: true,
      // Bodies are checked against their schemas by the handler (one source of truth); this checks
      // the required path parameters and the Idempotency-Key header.
      validateRequestBody: true,
    });

    const integration = new apigw.LambdaIntegration(props.handler.fn, { proxy: true, allowTestInvoke: false });
    for (const route of routes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => `method.request.path.${m[1]}`);
      const requestParameters: Record<string, boolean> = Object.fromEntries(pathParams.map((p) => [p, true]));
      // Every change carries an Idempotency-Key (issue 3); refused here before the function runs.
      if (CHANGING_METHODS.has(route.method)) requestParameters[`method.request.header.${IDEMPOTENCY_HEADER}`] = true;
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters,
      });
    }

    const trust = (arns: readonly string[]): iam.IPrincipal =>
      arns.length === 0 ? new iam.AccountRootPrincipal() : new iam.CompositePrincipal(...arns.map((a) => new iam.ArnPrincipal(a)));
    const role = (caller: Caller, idPart: string, roleName: string, description: string): iam.Role => {
      const r = new iam.Role(this, `${idPart}Role`, {
        roleName: `${props.namePrefix}-${roleName}`,
        description,
        assumedBy: trust(props.trustedPrincipals[caller]),
        maxSessionDuration: Duration.hours(1),
      });
      const allowed = routes.filter((rt) => rt.callers.includes(caller));
      const arns = allowed.map((rt) => this.restApi.arnForExecuteApi(rt.method, arnPath(rt.path), STAGE_NAME));
      r.addToPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: arns }));
      // Path parameters can only be written as * in an execute-api ARN; each ARN is still one
      // method on one route template. Acknowledged ARN by ARN, so a broader grant would show.
      acknowledgeWildcards(
        r,
        { resources: allowed.filter((rt) => rt.path.includes('{')).map((rt) => this.restApi.arnForExecuteApi(rt.method, arnPath(rt.path), STAGE_NAME)) },
        'A path parameter ({caseId}, {holdId}, {saleId}) can only be written as * in an execute-api ARN; the ARN is still pinned to one method and one route.',
      );
      return r;
    };
    this.callerRoles = {
      citySystem: role('citySystem', 'CitySystem', 'api-city-system', "The city's tax system: registers cases, bills, seizures, custody, payments and sale requests; reads"),
      officer: role('officer', 'Officer', 'api-officer', 'Tax officers: holds, cancellations, sale approvals; reads'),
    };

    props.handler.addEnvironment(CALLER_ROLE_ENV.citySystem, this.callerRoles.citySystem.roleArn);
    props.handler.addEnvironment(CALLER_ROLE_ENV.officer, this.callerRoles.officer.roleArn);

    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason: 'Every method requires a SigV4 signature from one of two IAM roles; unsigned requests are refused before any integration runs, and stage throttling caps abuse. A WAF web ACL (about $6/month plus per-request fees) adds nothing an IAM-only API needs.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), a singleton this stack must not own in a city account. Access logs record every request and status, X-Ray traces each call, and the function logs the rest.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Authorization is IAM (SigV4), by design: the callers are the city tax system and officers assuming IAM roles. There is no Cognito user pool to authorize against.',
      },
    );
  }

  /** The invoke URL of the stage. */
  get url(): string {
    return this.restApi.url;
  }
}
