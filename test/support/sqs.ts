/**
 * The local SQS server for a test file: started once in beforeAll (about 0.3 s) and stopped in
 * afterAll; with SQS_ENDPOINT already set, that server is used instead. Queues get unique names,
 * so files and tests never see each other's messages. Consumers are the local event source mapping
 * (local/sqs/event-source.ts): real SQSEvents, deletes, batchItemFailures, redrive to the DLQ.
 *
 *   const sqs = useLocalSqs();
 *   const queue = await sqs.fifoQueue('notices', { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
 *   const consumer = sqs.consumer(queue, handler);
 *   await consumer.drain();
 */
import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createFifoQueueWithDlq,
  localSqsAt,
  SqsEventSource,
  startLocalSqs,
  type FifoQueueOptions,
  type LocalQueueWithDlq,
  type LocalSqs,
  type SqsEventSourceOptions,
} from '../../local/sqs';

export interface TestSqs {
  readonly server: LocalSqs;
  readonly endpoint: string;
  /** A client for the server, destroyed after the file's tests. */
  readonly client: SQSClient;
  /** A FIFO queue with its DLQ; the name gets a unique suffix. Defaults: visibility 1 s, 3 receives. */
  fifoQueue(name: string, options?: Omit<FifoQueueOptions, 'name'>): Promise<LocalQueueWithDlq>;
  /** The event source mapping for a queue; stopped after the file's tests if started. */
  consumer(
    queue: { url: string; arn: string },
    handler: SqsEventSourceOptions['handler'],
    options?: Omit<SqsEventSourceOptions, 'client' | 'queue' | 'handler'>,
  ): SqsEventSource;
  /** Bodies of the messages a queue (e.g. a DLQ) holds, read without receiving them. */
  bodies(queue: { name: string }): Promise<string[]>;
}

export function useLocalSqs(): TestSqs {
  let state: { server: LocalSqs; client: SQSClient } | undefined;
  const consumers: SqsEventSource[] = [];
  beforeAll(async () => {
    const server = process.env.SQS_ENDPOINT ? localSqsAt(process.env.SQS_ENDPOINT) : await startLocalSqs();
    state = { server, client: server.client() };
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    if (!state) return;
    state.client.destroy();
    await state.server.stop();
  });
  const current = () => {
    if (!state) throw new Error('the local SQS server is started in beforeAll: use it inside tests or hooks');
    return state;
  };
  return {
    get server() {
      return current().server;
    },
    get endpoint() {
      return current().server.endpoint;
    },
    get client() {
      return current().client;
    },
    fifoQueue: (name, options = {}) =>
      createFifoQueueWithDlq(current().client, {
        name: `${name}-${process.env.JEST_WORKER_ID ?? '0'}-${randomBytes(4).toString('hex')}`,
        visibilityTimeoutSeconds: 1,
        maxReceiveCount: 3,
        ...options,
      }),
    consumer(queue, handler, options = {}) {
      const consumer = new SqsEventSource({ client: current().client, queue, handler, ...options });
      consumers.push(consumer);
      return consumer;
    },
    bodies: async (queue) => (await current().server.inspect(queue.name)).all.map((m) => m.body),
  };
}
