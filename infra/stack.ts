/**
 * One deployment of crypto-tax-recovery: a stage serving one or more cities in one AWS account.
 * Each capability is a construct (infra/constructs/); this file wires them and binds functions to
 * what they use. New functions are made with `newFunction` so they share the defaults and the
 * deployment-wide environment.
 */
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { namePrefix, type StackConfig } from './config';
import { Api, pascal } from './constructs/api';
import { Custody } from './constructs/custody';
import { Data } from './constructs/data';
import { ExchangeAccess, type ExchangeKey } from './constructs/exchange-access';
import { AppFunction, type AppFunctionProps } from './constructs/function';
import { Network } from './constructs/network';
import { NoticeDelivery } from './constructs/notice-delivery';
import { Notices } from './constructs/notices';
import { Observability } from './constructs/observability';
import { Prices } from './constructs/prices';
import { Queues, requireTlsOnQueues } from './constructs/queues';
import { WebConsole } from './constructs/web-console';
import { Refunds } from './constructs/refunds';
import { addSaleWorkflow, type SaleWiring } from './constructs/sale-workflow';
import { TaxpayerApi } from './constructs/taxpayer-api';
import * as path from 'node:path';
import { REPO_ROOT } from './constructs/function';

/** Deployment-wide settings every function receives (names shared with the functions: shared/adapters/env.ts). */
export const DEPLOYMENT_ENV = {
  stage: ENV.stage,
  servedCities: ENV.servedCities,
  executionPolicy: ENV.executionPolicy,
} as const;

export interface CryptoTaxRecoveryStackProps extends StackProps {
  readonly config: StackConfig;
}

export class CryptoTaxRecoveryStack extends Stack {
  readonly config: StackConfig;
  readonly data: Data;
  readonly queues: Queues;
  readonly exchange: ExchangeAccess;
  readonly network: Network;
  readonly observability: Observability;
  readonly apiFunction: AppFunction;
  readonly api: Api;
  /** The officers' web console: Cognito user pool, console API, S3 + CloudFront. */
  readonly webConsole: WebConsole;
  /** Notice dispatch, outbox sweep, reminders and pre-sale notices. */
  readonly notices: Notices;
  /** Print batches in S3 and e-mail through SES. */
  readonly noticeDelivery: NoticeDelivery;
  /** The forced sale: state machine, step functions, starter, deadline check and schedule. */
  readonly sales: SaleWiring;
  readonly prices: Prices;
  /** Releases (withdrawals), custody reconciliation. */
  readonly custody: Custody;
  /** The taxpayer self-service page's public API, its authorizer, WAF rule and access secret. */
  readonly taxpayerApi: TaxpayerApi;
  /** Refund instruction files for the finance system. */
  readonly refunds: Refunds;

  constructor(scope: Construct, id: string, props: CryptoTaxRecoveryStackProps) {
    super(scope, id, {
      description: `crypto-tax-recovery (${props.config.stage}): ${props.config.cities.map((c) => c.displayName).join(', ')}`,
      ...props,
    });
    const config = (this.config = props.config);
    const prefix = namePrefix(config);
    Tags.of(this).add('app', 'crypto-tax-recovery');
    Tags.of(this).add('stage', config.stage);

    this.data = new Data(this, 'Data', { namePrefix: prefix });
    this.queues = new Queues(this, 'Queues', { key: this.data.key });
    this.exchange = new ExchangeAccess(this, 'Exchange', {
      namePrefix: prefix,
      key: this.data.key,
      exchangeId: config.exchange.id,
      baseUrl: config.exchange.baseUrl,
      ...(config.exchange.rateLimits ? { rateLimits: config.exchange.rateLimits } : {}),
    });
    this.network = new Network(this, 'Network', { logRetention: this.logRetention });
    this.observability = new Observability(this, 'Observability', {
      namePrefix: prefix,
      alarmEmail: config.alarmEmail,
    });

    this.apiFunction = this.newFunction('ApiFunction', {
      name: 'api',
      description: 'HTTP API for the city tax system and officers',
    });
    this.data.bindTable(this.apiFunction);
    this.queues.bindProducer('noticeDispatch', this.apiFunction);
    this.api = new Api(this, 'Api', {
      namePrefix: prefix,
      handler: this.apiFunction,
      logRetention: this.logRetention,
      cities: config.cities.map((c) => c.id),
      trustedPrincipals: Object.fromEntries(
        config.cities.map((c) => {
          const callers = config.callers[c.id];
          return [
            c.id,
            {
              citySystem: callers?.citySystem ?? [],
              officer: callers?.officers ?? [],
              auditor: callers?.auditors ?? [],
            },
          ];
        }),
      ),
    });

    this.observability.watchDeadLetterQueues({
      NoticeDispatch: this.queues.noticeDispatchDlq,
      SaleRequest: this.queues.saleRequestDlq,
    });
    this.observability.watchApi(this.api.restApi, 'Api', 'The cities’ API');
    this.webConsole = new WebConsole(this, 'Console', {
      namePrefix: prefix,
      handler: this.apiFunction,
      logRetention: this.logRetention,
    });
    this.observability.watchApi(this.webConsole.api, 'ConsoleApi', 'The officers’ console API');

    this.notices = new Notices(this, 'Notices', {
      newFunction: (fnId, fnProps) => this.newFunction(fnId, fnProps),
      data: this.data,
      queues: this.queues,
      observability: this.observability,
      timezone: config.schedules.timezone,
    });
    this.noticeDelivery = new NoticeDelivery(this, 'NoticeDelivery', {
      key: this.data.key,
      emailFrom: config.notices.emailFrom,
      sesIdentity: config.notices.sesIdentity,
      archiveDays: config.notices.printBatchArchiveDays,
      retentionDays: config.notices.printBatchRetentionDays,
    });
    this.noticeDelivery.bindDispatcher(this.notices.dispatcher);
    this.notices.dispatcher.addEnvironment(
      ENV.exchangeNoticeContact,
      JSON.stringify(Object.fromEntries(config.cities.map((c) => [c.id, config.notices.exchangeContact]))),
    );

    this.prices = new Prices(this, 'Prices', {
      // Quotations are public: the poller reads no key at all.
      newExchangeFunction: (fnId, fnProps) => this.newExchangeFunction(fnId, fnProps, 'none'),
      data: this.data,
      observability: this.observability,
      metricsNamespace: this.metricsNamespace,
      rate: config.schedules.pricePollRate,
      timezone: config.schedules.timezone,
    });

    this.sales = addSaleWorkflow(this, {
      newFunction: (fnId, fnProps) => this.newFunction(fnId, fnProps),
      newExchangeFunction: (fnId, fnProps) => this.newExchangeFunction(fnId, fnProps),
      data: this.data,
      queues: this.queues,
      observability: this.observability,
      apiFunction: this.apiFunction,
      namePrefix: prefix,
      logRetention: this.logRetention,
      metricsNamespace: this.metricsNamespace,
      deadlineCheckCron: config.schedules.deadlineCheckCron,
      timezone: config.schedules.timezone,
    });

    this.custody = new Custody(this, 'Custody', {
      newExchangeFunction: (fnId, fnProps, key) => this.newExchangeFunction(fnId, fnProps, key),
      data: this.data,
      queues: this.queues,
      observability: this.observability,
      metricsNamespace: this.metricsNamespace,
      timezone: config.schedules.timezone,
    });
    // After every settlement the case steps ask for a reconciliation (asynchronously).
    this.custody.reconcileAfter(this.sales.caseSteps);
    this.custody.shareWithdrawalFees(this.apiFunction, config.exchange.id);

    // The taxpayer's self-service page: the page, its API and authorizer; the city API sets the
    // second check, the dispatcher prints the link.
    const taxpayerFunction = this.newFunction('TaxpayerApiFunction', {
      name: 'taxpayer-api',
      description: 'The taxpayer self-service page’s API: session, statement, sale preview and request',
    });
    this.data.bindTable(taxpayerFunction);
    this.queues.bindProducer('saleRequest', taxpayerFunction);
    const taxpayerAuthorizer = this.newFunction('TaxpayerAuthorizerFunction', {
      name: 'taxpayer-api',
      entry: path.join(REPO_ROOT, 'functions', 'taxpayer-api', 'authorizer-handler.ts'),
      description: 'Authorizer of the taxpayer routes: the session’s signature and expiry',
    });
    const configuredPageUrl = config.notices.taxpayerPageUrl;
    this.taxpayerApi = new TaxpayerApi(this, 'TaxpayerApi', {
      namePrefix: prefix,
      handler: taxpayerFunction,
      authorizer: taxpayerAuthorizer,
      key: this.data.key,
      logRetention: this.logRetention,
      ...(configuredPageUrl ? { pageUrl: configuredPageUrl } : {}),
    });
    this.observability.watchApi(this.taxpayerApi.restApi, 'TaxpayerApi', 'The taxpayer page’s API');
    this.taxpayerApi.secret.grantRead(this.apiFunction);
    this.apiFunction.addEnvironment(ENV.taxpayerAccessSecretArn, this.taxpayerApi.secret.secretArn);
    // The pre-sale notice prints the page's link (the configured address, else the page's own).
    this.taxpayerApi.secret.grantRead(this.notices.dispatcher);
    this.notices.dispatcher.addEnvironment(ENV.taxpayerAccessSecretArn, this.taxpayerApi.secret.secretArn);
    this.notices.dispatcher.addEnvironment(ENV.taxpayerPageUrl, this.taxpayerApi.pageUrl);
    this.refunds = new Refunds(this, 'Refunds', {
      newFunction: (fnId, fnProps) => this.newFunction(fnId, fnProps),
      data: this.data,
      files: this.noticeDelivery,
      observability: this.observability,
      timezone: config.schedules.timezone,
    });

    for (const city of config.cities) {
      const roles = this.api.callerRoles[city.id];
      if (!roles) continue;
      const id = pascal(city.id);
      new CfnOutput(this, `${id}CitySystemRoleArn`, {
        value: roles.citySystem.roleArn,
        description: `Role ${city.displayName}'s tax system assumes to call the API`,
      });
      new CfnOutput(this, `${id}OfficerRoleArn`, {
        value: roles.officer.roleArn,
        description: `Role ${city.displayName}'s officers assume (source identity = their user name) to call the API`,
      });
      new CfnOutput(this, `${id}AuditorRoleArn`, {
        value: roles.auditor.roleArn,
        description: `Read-only role for ${city.displayName}'s auditors`,
      });
    }
    // Last, once every queue exists: one TLS-only policy for them all.
    requireTlsOnQueues(this);
    new CfnOutput(this, 'ExchangeSecretArn', {
      value: this.exchange.secret.secretArn,
      description: 'Put the exchange trading key here (no withdrawal permission)',
    });
    new CfnOutput(this, 'WithdrawalSecretArn', {
      value: this.exchange.withdrawalSecret.secretArn,
      description: 'Put the exchange key with withdrawal permission here (read by the release function only)',
    });
    new CfnOutput(this, 'CasesTableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'PrintBatchBucketName', {
      value: this.noticeDelivery.bucket.bucketName,
      description: 'The print contractor collects print/<cityId>/post-<cityId>-<YYYYMMDD>.prn here',
    });
    new CfnOutput(this, 'PrintPickupRoleArn', {
      value: this.noticeDelivery.pickupRole.roleArn,
      description: 'Role the print contractor assumes to read the print batches',
    });
    new CfnOutput(this, 'RefundPickupRoleArn', {
      value: this.refunds.pickupRole.roleArn,
      description:
        'Role the finance system assumes to read refunds/<cityId>/refund-<cityId>-<YYYYMMDD>.csv in the print batch bucket',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
    new CfnOutput(this, 'TaxpayerAccessSecretArn', {
      value: this.taxpayerApi.secret.secretArn,
      description: 'Keys of the taxpayer page (generated; rotating it voids the links on letters already mailed)',
    });
  }

  get logRetention(): logs.RetentionDays {
    return this.config.logRetentionDays;
  }

  /** The namespace every function publishes its Powertools metrics in (alarms watch it). */
  get metricsNamespace(): string {
    return `CryptoTaxRecovery/${this.config.stage}`;
  }

  /** A function with the shared defaults and the deployment-wide environment. */
  newFunction(id: string, props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace'>): AppFunction {
    return new AppFunction(this, id, {
      ...props,
      logRetention: this.logRetention,
      metricsNamespace: this.metricsNamespace,
      environment: {
        [DEPLOYMENT_ENV.stage]: this.config.stage,
        [DEPLOYMENT_ENV.servedCities]: this.config.cities.map((c) => c.id).join(','),
        [DEPLOYMENT_ENV.executionPolicy]: JSON.stringify(this.config.executionPolicy),
        ...props.environment,
      },
    });
  }

  /**
   * A function placed behind the NAT's fixed IP, with the one exchange key it needs bound (`none`:
   * public data only). It runs one invocation at a time unless it asks for more (reserved
   * concurrency): every call it makes waits on the deployment's shared rate budget.
   */
  newExchangeFunction(
    id: string,
    props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace' | 'vpc' | 'vpcSubnets' | 'securityGroups'>,
    key: ExchangeKey = 'trading',
  ): AppFunction {
    const fn = this.newFunction(id, {
      reservedConcurrentExecutions: 1,
      ...props,
      ...this.network.exchangeFunctionPlacement,
    });
    this.exchange.bind(fn, key);
    return fn;
  }
}
