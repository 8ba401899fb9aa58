/**
 * What a bundled Lambda gets in place of `@smithy/core/event-streams` (aliased at bundle time by
 * infra/constructs/lambda-bundle.ts). No operation this system calls streams events (DynamoDB, SQS, S3
 * PutObject and GetObject, SES, Step Functions, Lambda Invoke, Secrets Manager), but esbuild bundles
 * the whole codec into every function: the SDK's HTTP protocol imports it with `import()` for the
 * operations that do (one file: the import is inlined), and the S3 and Lambda clients set up its
 * marshaller when they are made. About 21 KB of every bundle (docs/BENCHMARKS.md). Making a client
 * works as before; an operation that streams events fails with the error below, never silently.
 */
function notBundled(): never {
  throw new Error('AWS SDK event streams are not bundled in this function (functions/bundling/event-streams.ts)');
}

/** The marshaller the S3 and Lambda clients make at construction: refuses any use. */
export const eventStreamSerdeProvider = () => ({ serialize: notBundled, deserialize: notBundled });

/** As the SDK's own: the client's config gets the provider's marshaller. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (input: T) => unknown }>(
  input: T,
) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

/** What the SDK's HTTP protocol makes for an operation with an event stream. */
export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}
