/**
 * What a bundled Lambda gets in place of the X-Ray SDK's centralized sampler
 * (`aws-xray-sdk-core/dist/lib/middleware/sampling/default_sampler.js`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts): the pollers that fetch sampling rules and targets from the
 * X-Ray daemon, with their cache and HTTP connector. On Lambda the SDK turns centralized sampling off
 * as it loads (`env/aws_lambda.js` swaps in its local sampler: Lambda decides sampling itself) and
 * Powertools' tracer never samples (only the SDK's web-framework middlewares do), so this code was
 * loaded at every cold start and never run. About 9 KB of every bundle. Any use fails loudly.
 */
function notBundled(): never {
  throw new Error(
    'X-Ray centralized sampling is not bundled in this function (functions/bundling/xray-central-sampling.ts)',
  );
}

export const shouldSample = notBundled;
export const setLocalRules = notBundled;
export const start = notBundled;
export const stop = notBundled;
