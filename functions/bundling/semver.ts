/**
 * What a bundled Lambda gets in place of `semver` (aliased at bundle time by
 * infra/constructs/lambda-bundle.ts). Its one caller in a bundle is the X-Ray SDK's patcher for the AWS
 * SDK v2 (`captureAWS`, which checks the v2 SDK's version), loaded with the rest of the X-Ray SDK
 * under Powertools' tracer but never called here: the clients are v3 (`captureAWSv3Client`). The
 * whole of semver (its ranges and their regular expressions, about 29 KB with its own copy under the X-Ray SDK) went into every bundle for it.
 */
export function gte(): never {
  throw new Error(
    'semver is not bundled in this function (functions/bundling/semver.ts): the AWS SDK v2 is not traced',
  );
}
