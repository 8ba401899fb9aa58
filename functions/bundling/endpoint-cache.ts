/**
 * What a bundled Lambda gets in place of `@aws-sdk/endpoint-cache` (aliased at bundle time by
 * infra/constructs/lambda-bundle.ts). The DynamoDB client makes one when it is made, for endpoint
 * discovery, which no DynamoDB command of the SDK version here uses (none adds the discovery
 * middleware), and which no function turns on (AWS_ENDPOINT_DISCOVERY_ENABLED): the cache is never
 * read. The package's LRU cache (mnemonist, with obliterator: about 8 KB of every bundle) goes; this
 * one is always empty, as the real one stays when discovery is off, and storing an endpoint
 * (discovery turned on by a later SDK) fails loudly instead of silently doing something else.
 */
export class EndpointCache {
  getEndpoint(_key: string): string | undefined {
    return undefined;
  }

  get(_key: string): undefined {
    return undefined;
  }

  has(_key: string): boolean {
    return false;
  }

  set(_key: string, _endpoints: unknown): never {
    throw new Error(
      'AWS SDK endpoint discovery is not bundled in this function (functions/bundling/endpoint-cache.ts)',
    );
  }

  delete(_key: string): void {}

  clear(): void {}
}
