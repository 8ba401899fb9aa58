/**
 * The two work queues and their dead-letter queues. Both are FIFO with the case id as message
 * group, so two messages about one case are never handled at once or out of order:
 *   notice dispatch: deduplication id = notice id (content-based dedup off: a resent notice record
 *     with a new timestamp is still the same notice);
 *   sale request:    deduplication id = the request's idempotency key.
 * A consumer is wired with `addConsumer`, which refuses (at synth) a visibility timeout shorter than
 * six times the function's timeout: otherwise a slow batch is redelivered while still running.
 */
import { Duration, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppFunction } from './function';
import { ENV } from '#adapters/env';
import { SALE_REQUEST_DELAY_SECONDS } from '#adapters/workflow/sale-requests';

/** Receives before a message is moved to the DLQ; ≥ 5 so a throttled consumer does not dead-letter good work. */
export const MAX_RECEIVE_COUNT = 5;
/** Visibility timeout ≥ this × the consumer's timeout (AWS guidance for Lambda event sources). */
export const VISIBILITY_FACTOR = 6;

/** Environment variables the queue adapters read. */
export const QUEUE_URL_ENV = {
  noticeDispatch: ENV.noticeQueueUrl,
  saleRequest: ENV.saleRequestQueueUrl,
} as const;
export type QueueName = keyof typeof QUEUE_URL_ENV;

export interface QueuesProps {
  readonly key: kms.IKey;
  /** Default 3 min: 6 × a 30 s consumer. */
  readonly noticeVisibilityTimeout?: Duration;
  /** Default 6 min: 6 × a 60 s consumer. */
  readonly saleRequestVisibilityTimeout?: Duration;
}

export interface ConsumerOptions {
  /** Default 10 (the FIFO maximum). */
  readonly batchSize?: number;
  /** Caps concurrent batches (at least 2). */
  readonly maxConcurrency?: number;
}

export class Queues extends Construct {
  readonly noticeDispatch: sqs.Queue;
  readonly noticeDispatchDlq: sqs.Queue;
  readonly saleRequest: sqs.Queue;
  readonly saleRequestDlq: sqs.Queue;
  /** The queue resource does not expose its visibility timeout; kept here for `addConsumer`. */
  readonly visibilityTimeouts: Readonly<Record<QueueName, Duration>>;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const pair = (name: string, visibilityTimeout: Duration, deliveryDelay?: Duration): [sqs.Queue, sqs.Queue] => {
      const common = {
        fifo: true,
        contentBasedDeduplication: false,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        // Reuse a data key for 5 min instead of calling KMS per message.
        dataKeyReuse: Duration.minutes(5),
        enforceSSL: true,
      } satisfies sqs.QueueProps;
      const dlq = new sqs.Queue(this, `${name}Dlq`, { ...common, retentionPeriod: Duration.days(14) });
      const queue = new sqs.Queue(this, name, {
        ...common,
        visibilityTimeout,
        ...(deliveryDelay ? { deliveryDelay } : {}),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      return [queue, dlq];
    };
    this.visibilityTimeouts = {
      noticeDispatch: props.noticeVisibilityTimeout ?? Duration.minutes(3),
      saleRequest: props.saleRequestVisibilityTimeout ?? Duration.minutes(6),
    };
    [this.noticeDispatch, this.noticeDispatchDlq] = pair('NoticeDispatch', this.visibilityTimeouts.noticeDispatch);
    // Delayed: a request the starter deferred at the cap on running sales comes back later.
    [this.saleRequest, this.saleRequestDlq] = pair(
      'SaleRequest',
      this.visibilityTimeouts.saleRequest,
      Duration.seconds(SALE_REQUEST_DELAY_SECONDS),
    );
  }

  get deadLetterQueues(): sqs.Queue[] {
    return [this.noticeDispatchDlq, this.saleRequestDlq];
  }

  private queue(name: QueueName): sqs.Queue {
    return name === 'noticeDispatch' ? this.noticeDispatch : this.saleRequest;
  }

  /** Lets a function send to a queue and tells it the queue's URL. */
  bindProducer(name: QueueName, fn: AppFunction): void {
    const queue = this.queue(name);
    // The acknowledged kms wildcards cover this grant's statements only: this queue's key.
    fn.role.grantAcknowledged(
      (grantee) => queue.grantSendMessages(grantee),
      { actions: ['kms:ReEncrypt*', 'kms:GenerateDataKey*'] },
      'Granted by Queue.grantSendMessages, for that grant only: sending to a KMS-encrypted queue needs the data-key family of actions, on the one data key.',
    );
    fn.addEnvironment(QUEUE_URL_ENV[name], queue.queueUrl);
  }

  /**
   * Wires a consumer: an event source mapping with partial batch responses. Throws when the
   * queue's visibility timeout is under VISIBILITY_FACTOR × the function's timeout.
   */
  addConsumer(name: QueueName, fn: AppFunction, options: ConsumerOptions = {}): SqsEventSource {
    const queue = this.queue(name);
    assertVisibilityTimeout(queue.node.path, this.visibilityTimeouts[name], fn.node.path, fn.timeout);
    const source = new SqsEventSource(queue, {
      batchSize: options.batchSize ?? 10,
      reportBatchItemFailures: true,
      ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    });
    fn.fn.addEventSource(source);
    return source;
  }
}

export function assertVisibilityTimeout(
  queuePath: string,
  visibility: Duration,
  fnPath: string,
  timeout: Duration,
): void {
  if (Token.isUnresolved(visibility.toSeconds()) || Token.isUnresolved(timeout.toSeconds())) {
    throw new Error(`${queuePath}: visibility timeout and ${fnPath} timeout must be literal durations to be checked`);
  }
  const needed = timeout.toSeconds() * VISIBILITY_FACTOR;
  if (visibility.toSeconds() < needed) {
    throw new Error(
      `${queuePath}: visibility timeout ${visibility.toSeconds()} s is under ${VISIBILITY_FACTOR} × ` +
        `the timeout of its consumer ${fnPath} (${timeout.toSeconds()} s, so ${needed} s needed)`,
    );
  }
}
