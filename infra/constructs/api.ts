/**
 * The cities' HTTP API: API Gateway REST with IAM (SigV4) authorization on every method, request
 * validation, JSON access logs and X-Ray, one Lambda proxy integration for all routes, and per city
 * three caller roles (its tax system, its officers, its auditors) whose `execute-api:Invoke`
 * permissions are granted route by route from the table below. A resource policy lets only those
 * roles invoke the API. The handler learns each role's ARN, role and city from its environment
 * (CALLERS) and checks every request's city against them (docs/LEGAL.md "Many cities").
 *
 * Officers and auditors are people: their roles' trust policies require a source identity equal to
 * the caller's IAM user name and a session named the same, so the session name the API sees is a
 * verified identity, recorded as the actor (docs/LEGAL.md "Officers are accountable").
 */
import { type CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes as handlerRoutes } from '../../functions/api/routes';
import { CHANGING_METHODS, type Method } from '../../functions/api/router';
import type { Role } from '../../functions/api/roles';
import { problemJsonGatewayResponses, proxyIntegration, requestValidator, requiredParameters } from './proxy-api';
import type { AppFunction } from './function';
import { acknowledgeWildcards } from './nag';
import { ENV } from '#adapters/env';

export type Caller = 'citySystem' | 'officer' | 'auditor';
export const CALLER_KINDS: readonly Caller[] = ['citySystem', 'officer', 'auditor'];

export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly callers: readonly Caller[];
}

const CALLER_OF_ROLE: Record<Role, Caller> = { CITY_SYSTEM: 'citySystem', OFFICER: 'officer', AUDITOR: 'auditor' };
const ROLE_OF_CALLER: Record<Caller, Role> = { citySystem: 'CITY_SYSTEM', officer: 'OFFICER', auditor: 'AUDITOR' };

/** `cheongju` → `Cheongju`, `new-city` → `NewCity`: construct ids and output names. */
export const pascal = (id: string): string =>
  id
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

/**
 * Every route and who may call it: the handler's own route table, so the gateway, the IAM grants
 * and the handler's role check cannot disagree.
 */
export const API_ROUTES: readonly Route[] = handlerRoutes.map((r) => ({
  method: r.method,
  path: r.path,
  callers: r.roles.map((role) => CALLER_OF_ROLE[role]),
}));

/** The environment variable the API handler reads its callers from (functions/api/config.ts). */
export const CALLERS_ENV = ENV.callers;

/**
 * Conditions on assuming an officer or auditor role: a source identity is set, it is the caller's
 * own IAM user name, and the session is named the same (the API sees only the session name).
 */
export const PERSON_TRUST_CONDITIONS = {
  StringEquals: { 'sts:SourceIdentity': '${aws:username}', 'sts:RoleSessionName': '${aws:username}' },
  Null: { 'sts:SourceIdentity': 'false' },
} as const;

export const STAGE_NAME = 'v1';

/** `/cases/{caseId}/holds/{holdId}` → `/cases/*\/holds/*`, the form execute-api ARNs take. */
export const arnPath = (path: string): string => path.replace(/\{[^}]+\}/g, '*');

export interface ApiProps {
  readonly namePrefix: string;
  readonly handler: AppFunction;
  readonly logRetention: logs.RetentionDays;
  readonly cities: readonly string[];
  /** Per city, principals that may assume each caller role; empty: the account (development stages only, infra/config.ts). */
  readonly trustedPrincipals: Readonly<Record<string, Readonly<Record<Caller, readonly string[]>>>>;
  readonly routes?: readonly Route[];
}

export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  /** Per city, its caller roles. */
  readonly callerRoles: Readonly<Record<string, Readonly<Record<Caller, iam.Role>>>>;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const routes = props.routes ?? API_ROUTES;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const trust = (arns: readonly string[]): iam.IPrincipal =>
      arns.length === 0
        ? new iam.AccountRootPrincipal()
        : new iam.CompositePrincipal(...arns.map((a) => new iam.ArnPrincipal(a)));
    const DESCRIPTIONS: Record<Caller, string> = {
      citySystem: 'tax system: registers cases, bills, seizures, custody, payments and sale requests; reads',
      officer: 'officers: holds, cancellations, sale approvals, settings; reads',
      auditor: 'auditors: reads and audit trails only',
    };
    const roleFor = (city: string, caller: Caller): iam.Role => {
      const name = { citySystem: 'city-system', officer: 'officer', auditor: 'auditor' }[caller];
      const principal = trust(props.trustedPrincipals[city]?.[caller] ?? []);
      const person = caller !== 'citySystem';
      // Under one scope per city (Api/<City>/<Kind>Role): the same construct names in every city.
      const scope = this.node.tryFindChild(pascal(city)) ?? new Construct(this, pascal(city));
      const r = new iam.Role(scope, `${pascal(name)}Role`, {
        roleName: `${props.namePrefix}-${city}-${name}`,
        description: `${city} ${DESCRIPTIONS[caller]}`,
        // A person must set a source identity (their user name), which also names the session.
        assumedBy: person ? new iam.PrincipalWithConditions(principal, PERSON_TRUST_CONDITIONS) : principal,
        maxSessionDuration: Duration.hours(1),
      });
      if (person)
        r.assumeRolePolicy?.addStatements(
          new iam.PolicyStatement({
            actions: ['sts:SetSourceIdentity'],
            principals: [principal],
            conditions: PERSON_TRUST_CONDITIONS,
          }),
        );
      return r;
    };
    this.callerRoles = Object.fromEntries(
      props.cities.map((city) => [
        city,
        Object.fromEntries(CALLER_KINDS.map((caller) => [caller, roleFor(city, caller)])) as Record<Caller, iam.Role>,
      ]),
    );
    const allRoles = Object.values(this.callerRoles).flatMap((byCaller) => Object.values(byCaller));

    this.restApi = new apigw.RestApi(this, 'Api', {
      // Only the caller roles may invoke the API, whatever IAM policies elsewhere in the account say.
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            effect: iam.Effect.ALLOW,
            principals: allRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
          }),
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
            conditions: { StringNotEquals: { 'aws:PrincipalArn': allRoles.map((r) => r.roleArn) } },
          }),
        ],
      }),
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

    problemJsonGatewayResponses(this.restApi);

    const validator = requestValidator(this, this.restApi);
    const integration = proxyIntegration(props.handler.fn);
    for (const route of routes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const requestParameters = requiredParameters(route.path, CHANGING_METHODS.has(route.method));
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters,
      });
    }

    const grant = (r: iam.Role, caller: Caller): void => {
      const allowed = routes.filter((rt) => rt.callers.includes(caller));
      const arns = allowed.map((rt) => this.restApi.arnForExecuteApi(rt.method, arnPath(rt.path), STAGE_NAME));
      r.addToPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: arns }));
      // Path parameters can only be written as * in an execute-api ARN; each ARN is still one
      // method on one route template. Acknowledged ARN by ARN, so a broader grant would show.
      acknowledgeWildcards(
        r,
        {
          resources: allowed
            .filter((rt) => rt.path.includes('{'))
            .map((rt) => this.restApi.arnForExecuteApi(rt.method, arnPath(rt.path), STAGE_NAME)),
        },
        'A path parameter ({caseId}, {holdId}, {saleId}) can only be written as * in an execute-api ARN; the ARN is still pinned to one method and one route.',
      );
    };
    const grants: { principal: string; role: Role; cities: string[] }[] = [];
    for (const [city, byCaller] of Object.entries(this.callerRoles)) {
      for (const caller of CALLER_KINDS) {
        grant(byCaller[caller], caller);
        grants.push({ principal: byCaller[caller].roleArn, role: ROLE_OF_CALLER[caller], cities: [city] });
      }
    }
    props.handler.addEnvironment(CALLERS_ENV, Stack.of(this).toJsonString(grants));

    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires a SigV4 signature from one of two IAM roles; unsigned requests are refused before any integration runs, and stage throttling caps abuse. A WAF web ACL (about $6/month plus per-request fees) adds nothing an IAM-only API needs.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), a singleton this stack must not own in a city account. Access logs record every request and status, X-Ray traces each call, and the function logs the rest.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Authorization is IAM (SigV4), by design: the callers are the city tax system and officers assuming IAM roles. Officers signed in with Cognito use the console API (infra/constructs/web-console.ts), not this one.',
      },
    );
  }

  /** The invoke URL of the stage. */
  get url(): string {
    return this.restApi.url;
  }
}
