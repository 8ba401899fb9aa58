/**
 * A local SQS server for tests, benchmarks and the local stack: the `fauxqs` emulator (SQS JSON
 * protocol, FIFO, visibility timeouts, redrive to DLQs), run in a child Node process on a free
 * port. A child process because fauxqs is ESM-only and needs Node ≥ 22.5, while jest loads this
 * project as CommonJS; the child also dies with its parent (it exits when its stdin closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient, LOCAL_SQS_REGION } from '#adapters/sqs/client';

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: set it as SQS_ENDPOINT for handlers and adapters. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly pid: number | undefined;
  /** A new client for this server (the caller destroys it). */
  client(): SQSClient;
  /** What a queue holds (ready, in flight, delayed), read without receiving: for tests and the local console. */
  inspect(queueName: string): Promise<QueueContents>;
  stop(): Promise<void>;
}

/** A message as the server holds it. */
export interface HeldMessage {
  messageId: string;
  body: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  approximateReceiveCount: number;
  sentTimestamp: number;
}

export interface QueueContents {
  ready: HeldMessage[];
  inFlight: HeldMessage[];
  delayed: HeldMessage[];
  /** All of them, in no particular order. */
  all: HeldMessage[];
}

async function inspectQueue(endpoint: string, queueName: string): Promise<QueueContents> {
  const answer = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (answer.status === 404) throw new Error(`no queue ${queueName} on the local SQS server`);
  if (!answer.ok) throw new Error(`the local SQS server answered ${answer.status} inspecting ${queueName}`);
  const state = (await answer.json()) as {
    messages: { ready: HeldMessage[]; delayed: HeldMessage[]; inflight: { message: HeldMessage }[] };
  };
  const ready = state.messages.ready;
  const delayed = state.messages.delayed;
  const inFlight = state.messages.inflight.map((entry) => entry.message);
  return { ready, inFlight, delayed, all: [...ready, ...inFlight, ...delayed] };
}

export interface StartLocalSqsOptions {
  /** A fixed port; the OS picks a free one when absent. */
  port?: number;
  /** The region in queue ARNs and URLs. Default ap-northeast-2 (Seoul). */
  region?: string;
  timeoutMs?: number;
}

function fauxqsEntry(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const entry = join(dir, 'node_modules', 'fauxqs', 'dist', 'app.js');
    if (existsSync(entry)) return entry;
    if (dirname(dir) === dir) throw new Error('the fauxqs package is not installed (npm ci)');
  }
}

// Runs in the child: start fauxqs, print one JSON line with the address, exit when stdin closes.
const CHILD = `
const { startFauxqs } = await import(process.env.FAUXQS_ENTRY);
const server = await startFauxqs({ port: Number(process.env.FAUXQS_PORT), logger: false, defaultRegion: process.env.FAUXQS_DEFAULT_REGION });
process.stdout.write(JSON.stringify({ port: server.port }) + '\\n');
let stopping = false;
const stop = async () => { if (stopping) return; stopping = true; await server.stop().catch(() => {}); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
`;

export async function startLocalSqs(options: StartLocalSqsOptions = {}): Promise<LocalSqs> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22)
    throw new Error(
      `the local SQS server (fauxqs 2) needs Node 22; this is Node ${process.versions.node}: run through npm scripts or npx`,
    );
  const region = options.region ?? LOCAL_SQS_REGION;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', CHILD],
    {
      env: {
        PATH: process.env.PATH ?? '',
        FAUXQS_ENTRY: pathToFileURL(fauxqsEntry()).href,
        FAUXQS_PORT: String(options.port ?? 0),
        FAUXQS_DEFAULT_REGION: region,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    });
    child.once('error', (e) => {
      exited = `could not start: ${e.message}`;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let line = '';
      const timer = setTimeout(
        () => reject(new Error(`the local SQS server did not start in time: ${output}`)),
        options.timeoutMs ?? 15_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        line += chunk.toString('utf8');
        const end = line.indexOf('\n');
        if (end < 0) return;
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line.slice(0, end)) as { port: number }).port);
        } catch {
          reject(new Error(`the local SQS server said something unexpected: ${line}`));
        }
      });
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`the local SQS server ${exited ?? 'exited'}: ${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // Never leave the child behind, even when the parent exits without calling stop().
  process.once('exit', () => {
    if (exited === undefined) child.kill('SIGKILL');
  });
  return { ...localSqsAt(`http://127.0.0.1:${port}`, region), pid: child.pid, stop };
}

/** A local SQS server already running at `endpoint` (started elsewhere: `stop` does nothing). */
export function localSqsAt(endpoint: string, region = LOCAL_SQS_REGION): LocalSqs {
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    region,
    pid: undefined,
    client: () => createSqsClient({ SQS_ENDPOINT: endpoint, AWS_REGION: region }),
    inspect: (queueName) => inspectQueue(endpoint, queueName),
    stop: async () => undefined,
  };
}
