/** The custody reconciliation's configuration: TABLE_NAME, SERVED_CITIES, and the trading key (EXCHANGE_SECRET_ARN, EXCHANGE_BASE_URL). */
import * as z from 'zod/mini';
import { cityIds, ENV, httpUrl, parseEnv, required } from '#adapters/env';

/** Daily, after the night's quiet hours and before the 09:00 runs (infra/constructs/custody.ts and the local stack). */
export const RECONCILE_CRON = 'cron(30 6 * * ? *)';

const ReconcileEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.exchangeSecretArn]: required(),
  [ENV.exchangeBaseUrl]: httpUrl(),
});

export function loadReconcileConfig(env: NodeJS.ProcessEnv = process.env): { tableName: string; cities: string[] } {
  const e = parseEnv(ReconcileEnv, env);
  return { tableName: e[ENV.tableName], cities: e[ENV.servedCities] };
}
