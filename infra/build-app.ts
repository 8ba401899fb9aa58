/**
 * Builds the app: validated configuration, the stack, and cdk-nag's AwsSolutions checks, which run
 * on every synth and fail it on any unacknowledged finding. Shared by `infra/app.ts` (the CDK CLI)
 * and the tests, so both check the same thing.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config';
import { CryptoTaxRecoveryStack } from './stack';

export interface BuiltApp {
  readonly app: App;
  readonly stack: CryptoTaxRecoveryStack;
}

export function buildApp(props: AppProps = {}): BuiltApp {
  const app = new App(props);
  const config = configFromContext((key) => app.node.tryGetContext(key));
  const stack = new CryptoTaxRecoveryStack(app, `CryptoTaxRecovery-${config.stage}`, {
    // The account comes from the deploying credentials; synth works without any.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
    config,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
