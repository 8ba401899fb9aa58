/**
 * Starts DynamoDB Local once per jest run; test files reach it through DYNAMODB_ENDPOINT (workers
 * inherit the environment) and create their own tables (test/support/dynamodb.ts). With
 * DYNAMODB_ENDPOINT already set, that server is used and nothing is started.
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../shared/adapters/dynamodb/local';

declare global {
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const local = await startDynamoDbLocal();
  globalThis.__DYNAMODB_LOCAL__ = local;
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  // Never leave a Java process behind, even when jest ends before its teardown: on exit, and on a
  // SIGTERM sent to jest alone (a CI timeout, a `kill`), which ends jest without its exit event and
  // would leave the JVM running (Ctrl-C reaches the JVM itself: the terminal signals the whole group).
  const kill = () => {
    if (local.pid === undefined) return;
    try {
      process.kill(local.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  process.once('SIGTERM', () => {
    kill();
    // This listener was the only one: the signal raised again ends jest as it would have.
    process.kill(process.pid, 'SIGTERM');
  });
}
