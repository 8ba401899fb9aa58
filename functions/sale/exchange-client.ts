/**
 * The exchange client of the functions that trade (the market steps, the sweep, the custody
 * reconciliation): Upbit keys from Secrets Manager (EXCHANGE_SECRET_ARN, JSON
 * {"accessKey","secretKey"}) through Powertools Parameters, cached for `KEY_MAX_AGE_SECONDS` and read
 * again at once when the exchange refuses the key, so a rotated key works without new containers.
 * Base URL from EXCHANGE_BASE_URL. The keys are never logged and never leave this module.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { UpbitExchange, type UpbitKeys, type UpbitKeySource } from '#adapters/exchange/upbit';
import type { RateBudget } from '#adapters/exchange/rate-budget';
import * as z from 'zod/mini';
import { ConfigError, ENV, httpUrl, parseEnv, required } from '#adapters/env';

const ExchangeEnv = z.object({ [ENV.exchangeSecretArn]: required(), [ENV.exchangeBaseUrl]: httpUrl() });

/** A rotation reaches every container within this even without a refused call. */
export const KEY_MAX_AGE_SECONDS = 300;

function keysOf(secret: unknown): UpbitKeys {
  let keys: { accessKey?: unknown; secretKey?: unknown };
  try {
    keys = (typeof secret === 'string' ? JSON.parse(secret) : {}) as typeof keys;
  } catch {
    throw new ConfigError('the exchange secret is not JSON {"accessKey","secretKey"}');
  }
  if (typeof keys.accessKey !== 'string' || typeof keys.secretKey !== 'string' || keys.accessKey === 'REPLACE_ME') {
    throw new ConfigError('the exchange secret has no keys yet: put the exchange API keys in it (infra/README.md)');
  }
  return { accessKey: keys.accessKey, secretKey: keys.secretKey };
}

/** The trading key in Secrets Manager: cached with a maximum age, fetched again on demand. */
export function secretKeySource(secretArn: string, client: SecretsManagerClient): UpbitKeySource {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  const read = async (forceFetch: boolean) =>
    keysOf(await provider.get(secretArn, { maxAge: KEY_MAX_AGE_SECONDS, forceFetch }));
  return { current: () => read(false), reread: () => read(true) };
}

export async function exchangeFromSecret(
  budget: RateBudget,
  env: NodeJS.ProcessEnv = process.env,
  client = new SecretsManagerClient({}),
): Promise<UpbitExchange> {
  const { [ENV.exchangeSecretArn]: secretArn, [ENV.exchangeBaseUrl]: baseUrl } = parseEnv(ExchangeEnv, env);
  const keys = secretKeySource(secretArn, client);
  // Read now: a missing or unfilled secret fails the container's first call, not a later order.
  await keys.current();
  return new UpbitExchange({ baseUrl, keys, budget });
}
