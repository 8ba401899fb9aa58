/**
 * The starter's configuration: the sale configuration (functions/sale/config.ts) and the state
 * machine it starts.
 *
 *   SALE_STATE_MACHINE_ARN   the sale workflow
 */
import * as z from 'zod/mini';
import { ENV, parseEnv, required } from '#adapters/env';
import { SaleEnv, saleConfigOf, type SaleConfig } from '../sale/config';

const StarterEnv = z.extend(SaleEnv, { [ENV.saleStateMachineArn]: required() });

export function loadStarterConfig(env: NodeJS.ProcessEnv = process.env): SaleConfig & { stateMachineArn: string } {
  const e = parseEnv(StarterEnv, env);
  return { ...saleConfigOf(e), stateMachineArn: e[ENV.saleStateMachineArn] };
}
