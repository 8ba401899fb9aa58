/**
 * What a bundled Lambda gets in place of the X-Ray SDK's patcher for the AWS SDK v2
 * (`aws-xray-sdk-core/dist/lib/patchers/aws_p.js`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts). The X-Ray SDK loads it with the rest of itself under Powertools'
 * tracer, but no function calls it: the clients are v3, traced with `captureAWSv3Client`. It brought
 * semver (its ranges, about 29 KB) and itself into every bundle. Tracing a v2 client fails loudly.
 */
function notBundled(): never {
  throw new Error(
    'the X-Ray SDK’s AWS SDK v2 patcher is not bundled in this function (functions/bundling/xray-aws-v2.ts): trace v3 clients',
  );
}

export const captureAWS = notBundled;
export const captureAWSClient = notBundled;
