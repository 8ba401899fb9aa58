/** Stops the DynamoDB Local that dynamodb-global-setup.ts started (if it started one). */
export default async function globalTeardown(): Promise<void> {
  const local = globalThis.__DYNAMODB_LOCAL__;
  if (!local) return;
  globalThis.__DYNAMODB_LOCAL__ = undefined;
  delete process.env.DYNAMODB_ENDPOINT;
  await local.stop();
}
