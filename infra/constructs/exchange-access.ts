/**
 * What a function needs to trade on the city's exchange account: the API keys (a Secrets Manager
 * secret encrypted with the data key) and the base URL. The city fills the secret in after the first
 * deploy; the template never holds a key (the generated value is a placeholder to overwrite).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AppFunction } from './function';
import { ENV } from '#adapters/env';

export const EXCHANGE_ENV = {
  secretArn: ENV.exchangeSecretArn,
  baseUrl: ENV.exchangeBaseUrl,
  id: ENV.exchangeId,
} as const;

export interface ExchangeAccessProps {
  readonly namePrefix: string;
  readonly key: kms.IKey;
  readonly exchangeId: string;
  readonly baseUrl: string;
}

export class ExchangeAccess extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, private readonly props: ExchangeAccessProps) {
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
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Exchange API keys are issued by the exchange to a person through its website, bound to an allow-listed IP; no API exists to rotate them automatically. Rotation is a manual procedure in infra/README.md.',
    });
  }

  /** Lets a function read the keys and tells it where the exchange and the keys are. */
  bind(fn: AppFunction): void {
    this.secret.grantRead(fn);
    fn.addEnvironment(EXCHANGE_ENV.secretArn, this.secret.secretArn);
    fn.addEnvironment(EXCHANGE_ENV.baseUrl, this.props.baseUrl);
    fn.addEnvironment(EXCHANGE_ENV.id, this.props.exchangeId);
  }
}
