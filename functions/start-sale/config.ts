/**
 * The starter's configuration: the sale configuration (functions/sale/config.ts) and the state
 * machine it starts.
 *
 *   SALE_STATE_MACHINE_ARN   the sale workflow
 *   SALE_REQUEST_QUEUE_URL   the sale request queue (a deferred request is sent to it again)
 *   SALE_MAX_RUNNING         sales running at once on the exchange account before new ones are deferred (default 30)
 */
import * as z from 'zod/mini';
import { ENV, parseEnv, required, whole } from '#adapters/env';
import { SaleEnv, saleConfigOf, type SaleConfig } from '../sale/config';

/** Default cap on sales running at once (see functions/sale/README.md, "One rate budget"). */
export const DEFAULT_MAX_RUNNING_SALES = 30;

const StarterEnv = z.extend(SaleEnv, {
  [ENV.saleStateMachineArn]: required(),
  [ENV.saleRequestQueueUrl]: required(),
  [ENV.saleMaxRunning]: whole(DEFAULT_MAX_RUNNING_SALES, 1, 10_000),
});

export interface StarterConfig extends SaleConfig {
  stateMachineArn: string;
  saleRequestQueueUrl: string;
  maxRunningSales: number;
}

export function loadStarterConfig(env: NodeJS.ProcessEnv = process.env): StarterConfig {
  const e = parseEnv(StarterEnv, env);
  return {
    ...saleConfigOf(e),
    stateMachineArn: e[ENV.saleStateMachineArn],
    saleRequestQueueUrl: e[ENV.saleRequestQueueUrl],
    maxRunningSales: e[ENV.saleMaxRunning],
  };
}
