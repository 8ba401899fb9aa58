/**
 * What a function needs on the city's exchange account: the base URL and, by what it does, one key:
 *   trading     the trading key (orders, balances; no withdrawal permission): sale steps, reconciliation
 *   withdrawal  a separate key with withdrawal permission: the release function alone
 *   none        quotation endpoints are public: the price poller reads no key
 * Each key is a Secrets Manager secret encrypted with the data key, filled in by the city after the
 * first deploy; the template never holds a key (the generated value is a placeholder to overwrite).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AppFunction } from './function';
import { ENV } from '#adapters/env';

export const EXCHANGE_ENV = {
  secretArn: ENV.exchangeSecretArn,
  withdrawalSecretArn: ENV.withdrawalSecretArn,
  baseUrl: ENV.exchangeBaseUrl,
  id: ENV.exchangeId,
  rateLimits: ENV.exchangeRateLimits,
} as const;

export interface ExchangeAccessProps {
  readonly namePrefix: string;
  readonly key: kms.IKey;
  readonly exchangeId: string;
  readonly baseUrl: string;
  /** Overrides of Upbit's documented limits per second, by group (the shared rate budget reads them). */
  readonly rateLimits?: Readonly<Record<string, number>>;
}

export type ExchangeKey = 'trading' | 'withdrawal' | 'none';

export class ExchangeAccess extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The key with withdrawal permission: readable by the release function only. */
  readonly withdrawalSecret: secretsmanager.Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ExchangeAccessProps,
  ) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Keys', {
      secretName: `${props.namePrefix}/exchange/${props.exchangeId}`,
      description: `${props.exchangeId} API keys as JSON {"accessKey": "...", "secretKey": "..."}; replace the generated placeholder`,
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accessKey: 'REPLACE_ME' }),
        generateStringKey: 'secretKey',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.withdrawalSecret = new secretsmanager.Secret(this, 'WithdrawalKey', {
      secretName: `${props.namePrefix}/exchange/${props.exchangeId}/withdrawal`,
      description: `${props.exchangeId} API key WITH withdrawal permission, JSON {"accessKey", "secretKey"}; read by the release function only; replace the generated placeholder`,
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accessKey: 'REPLACE_ME' }),
        generateStringKey: 'secretKey',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [this.secret, this.withdrawalSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Exchange API keys are issued by the exchange to a person through its website, bound to an allow-listed IP; no API exists to rotate them automatically. Rotation is a manual procedure in infra/README.md.',
      });
    }
  }

  /** Tells a function where the exchange is and lets it read the one key it needs (none for public data). */
  bind(fn: AppFunction, key: ExchangeKey = 'trading'): void {
    if (key === 'trading') {
      this.secret.grantRead(fn);
      fn.addEnvironment(EXCHANGE_ENV.secretArn, this.secret.secretArn);
    } else if (key === 'withdrawal') {
      this.withdrawalSecret.grantRead(fn);
      fn.addEnvironment(EXCHANGE_ENV.withdrawalSecretArn, this.withdrawalSecret.secretArn);
    }
    fn.addEnvironment(EXCHANGE_ENV.baseUrl, this.props.baseUrl);
    fn.addEnvironment(EXCHANGE_ENV.id, this.props.exchangeId);
    if (this.props.rateLimits && Object.keys(this.props.rateLimits).length > 0)
      fn.addEnvironment(EXCHANGE_ENV.rateLimits, JSON.stringify(this.props.rateLimits));
  }
}
