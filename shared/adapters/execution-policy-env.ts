/**
 * EXECUTION_POLICY, the one variable that needs the money domain (decimal.js), apart from
 * env.ts so that a function that reads no policy does not bundle it (docs/BENCHMARKS.md, bundles).
 */
import { executionPolicy, InvalidExecutionPolicyError, type ExecutionPolicy } from '#domain/execution-policy';
import { InvalidAmountError, won } from '#domain/money';
import { ConfigError, envVar, parseJsonObject } from './env';

/** EXECUTION_POLICY: the domain's defaults with the deployment's overrides, validated by the domain. */
export const executionPolicyVar = () =>
  envVar((text): ExecutionPolicy => {
    const raw = parseJsonObject(text) ?? {};
    if ('taxpayerLimitPrice' in raw)
      throw new ConfigError('taxpayerLimitPrice comes from the taxpayer’s own request, not the deployment');
    const overrides: Record<string, unknown> = { ...raw };
    try {
      if (typeof raw.approvalThresholdKrw === 'string') overrides.approvalThresholdKrw = won(raw.approvalThresholdKrw);
      if (typeof raw.dualApprovalThresholdKrw === 'string')
        overrides.dualApprovalThresholdKrw = won(raw.dualApprovalThresholdKrw);
      return executionPolicy(overrides);
    } catch (error) {
      if (error instanceof InvalidExecutionPolicyError || error instanceof InvalidAmountError)
        throw new ConfigError(error.message);
      throw error;
    }
  });
