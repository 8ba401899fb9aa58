/** The local SQS harness: a server, queues as the stack defines them, and an event source mapping. */
export {
  startLocalSqs,
  localSqsAt,
  type LocalSqs,
  type StartLocalSqsOptions,
  type HeldMessage,
  type QueueContents,
} from './server';
export {
  createFifoQueueWithDlq,
  queueDepth,
  purgeQueue,
  type LocalQueue,
  type LocalQueueWithDlq,
  type FifoQueueOptions,
  type QueueDepth,
} from './queues';
export {
  SqsEventSource,
  toSqsEvent,
  toSqsRecord,
  lambdaContext,
  failedIds,
  type SqsHandler,
  type SqsEventSourceOptions,
  type BatchReport,
  type DrainOptions,
} from './event-source';
