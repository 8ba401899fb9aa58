/**
 * What a bundled Lambda gets in place of the AWS SDK's loader of the shared config files
 * (`@smithy/core`'s `loadSharedConfigFiles`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts). Every setting the SDK looks up (retry mode, defaults mode,
 * endpoints, checksums) is read from the environment first and from `~/.aws/config` and
 * `~/.aws/credentials` next; a Lambda has neither file, so the loader answers two empty files after
 * failing to read them, at every cold start. This answers the same without looking, and the ini
 * parser goes (about 2 KB of every bundle). Settings come from the function's environment, as on
 * Lambda they always do.
 */
export const CONFIG_PREFIX_SEPARATOR = '.';

export const loadSharedConfigFiles = (): Promise<{
  configFile: Record<string, Record<string, string>>;
  credentialsFile: Record<string, Record<string, string>>;
}> => Promise.resolve({ configFile: {}, credentialsFile: {} });
