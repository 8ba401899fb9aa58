/**
 * The starter's configuration: the table and the served cities (as the sale configuration reads
 * them: functions/sale/config.ts), the state machine it starts, and its queue and cap. Only what it
 * uses: the rest of the sale configuration (the execution policy, the sale's timings) is the sale's.
 *
 *   TABLE_NAME               the cases table
 *   SERVED_CITIES            comma-separated city ids (the cities sharing the exchange account)
 *   SALE_STATE_MACHINE_ARN   the sale workflow
 *   SALE_REQUEST_QUEUE_URL   the sale request queue (a deferred request is sent to it again)
 *   SALE_MAX_RUNNING         sales running at once on the exchange account before new ones are deferred (default 30)
 */
import * as z from 'zod/mini';
import { cityIds, ENV, parseEnv, required, whole } from '#adapters/env';

/** Default cap on sales running at once (see functions/sale/README.md, "One rate budget"). */
export const DEFAULT_MAX_RUNNING_SALES = 30;

const StarterEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.saleStateMachineArn]: required(),
  [ENV.saleRequestQueueUrl]: required(),
  [ENV.saleMaxRunning]: whole(DEFAULT_MAX_RUNNING_SALES, 1, 10_000),
});

export interface StarterConfig {
  tableName: string;
  cities: string[];
  stateMachineArn: string;
  saleRequestQueueUrl: string;
  maxRunningSales: number;
}

export function loadStarterConfig(env: NodeJS.ProcessEnv = process.env): StarterConfig {
  const e = parseEnv(StarterEnv, env);
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    stateMachineArn: e[ENV.saleStateMachineArn],
    saleRequestQueueUrl: e[ENV.saleRequestQueueUrl],
    maxRunningSales: e[ENV.saleMaxRunning],
  };
}
