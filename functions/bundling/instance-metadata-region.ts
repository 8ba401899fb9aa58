/**
 * What a bundled Lambda gets in place of the AWS SDK's region lookup in the EC2 instance metadata
 * service (`@smithy/core`'s `getInstanceMetadataRegion`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts). The SDK asks it last, when neither the environment nor the
 * shared config files name a region; Lambda always sets `AWS_REGION` and has no such service (there
 * the lookup would end in its 1 s timeout and answer nothing). This answers nothing at once.
 */
export const getInstanceMetadataRegion = (): Promise<string | undefined> => Promise.resolve(undefined);
