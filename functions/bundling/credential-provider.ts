/**
 * What a bundled Lambda gets in place of the AWS SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`, aliased to this file at bundle time by
 * infra/constructs/lambda-bundle.ts). Lambda always hands a function its role's credentials in the
 * environment, so the rest of the chain (shared files, SSO, web identity, the container and
 * instance metadata, with the STS and SSO clients they bring) is never reached there: dropping it
 * takes about 140 KB off every bundle and tens of milliseconds off its cold start
 * (docs/BENCHMARKS.md). Code outside a bundle (tests, the local stack) keeps the default chain.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
