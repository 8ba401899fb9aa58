/**
 * The exchange client of the market steps: Upbit keys read once per container from Secrets
 * Manager (EXCHANGE_SECRET_ARN, JSON {"accessKey","secretKey"}), base URL from EXCHANGE_BASE_URL;
 * every request within the deployment's shared rate budget.
 * The keys are never logged and never leave this module.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UpbitExchange } from '#adapters/exchange/upbit';
import type { RateBudget } from '#adapters/exchange/rate-budget';
import * as z from 'zod/mini';
import { ConfigError, ENV, httpUrl, parseEnv, required } from '#adapters/env';

const ExchangeEnv = z.object({ [ENV.exchangeSecretArn]: required(), [ENV.exchangeBaseUrl]: httpUrl() });

export async function exchangeFromSecret(budget: RateBudget, env: NodeJS.ProcessEnv = process.env, client = new SecretsManagerClient({})): Promise<UpbitExchange> {
  const { [ENV.exchangeSecretArn]: secretArn, [ENV.exchangeBaseUrl]: baseUrl } = parseEnv(ExchangeEnv, env);
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let keys: { accessKey?: unknown; secretKey?: unknown };
  try {
    keys = JSON.parse(out.SecretString ?? '') as typeof keys;
  } catch {
    throw new ConfigError('the exchange secret is not JSON {"accessKey","secretKey"}');
  }
  if (typeof keys.accessKey !== 'string' || typeof keys.secretKey !== 'string' || keys.accessKey === 'REPLACE_ME') {
    throw new ConfigError('the exchange secret has no keys yet: put the exchange API keys in it (infra/README.md)');
  }
  return new UpbitExchange({ baseUrl, accessKey: keys.accessKey, secretKey: keys.secretKey, budget });
}
