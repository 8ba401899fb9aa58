/**
 * Queues on the local SQS server, created through the real SQS API the way the stack defines them
 * (infra/constructs/queues.ts): FIFO, content-based deduplication off, a FIFO DLQ with a redrive
 * policy. Visibility timeouts are whole seconds; tests use short ones (1 s) to see redelivery fast.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalQueueWithDlq extends LocalQueue {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly dlq: LocalQueue;
}

export interface FifoQueueOptions {
  /** Without `.fifo` (added). */
  name: string;
  /** Default 30 (s). */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the DLQ. Default 5 (as in the stack). */
  maxReceiveCount?: number;
  /** Delivery delay of every message (default 0). */
  delaySeconds?: number;
  /** Default false, as in the stack: the producer sets MessageDeduplicationId. */
  contentBasedDeduplication?: boolean;
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const answer = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = answer.Attributes?.QueueArn;
  if (!arn) throw new Error(`the local SQS server gave no ARN for ${url}`);
  return arn;
}

async function createFifo(client: SQSClient, name: string, attributes: Record<string, string>): Promise<LocalQueue> {
  const queueName = name.endsWith('.fifo') ? name : `${name}.fifo`;
  const answer = await client.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: { FifoQueue: 'true', ...attributes } }),
  );
  if (!answer.QueueUrl) throw new Error(`the local SQS server gave no URL for ${queueName}`);
  return { name: queueName, url: answer.QueueUrl, arn: await queueArn(client, answer.QueueUrl) };
}

/** A FIFO queue `<name>.fifo` and its DLQ `<name>-dlq.fifo`, with the redrive policy set. */
export async function createFifoQueueWithDlq(client: SQSClient, options: FifoQueueOptions): Promise<LocalQueueWithDlq> {
  const base = options.name.replace(/\.fifo$/, '');
  const dedup = String(options.contentBasedDeduplication ?? false);
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const dlq = await createFifo(client, `${base}-dlq`, {
    ContentBasedDeduplication: dedup,
    MessageRetentionPeriod: String(14 * 24 * 3600),
  });
  const queue = await createFifo(client, base, {
    ContentBasedDeduplication: dedup,
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    DelaySeconds: String(options.delaySeconds ?? 0),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(maxReceiveCount) }),
  });
  return { ...queue, visibilityTimeoutSeconds, maxReceiveCount, dlq };
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(client: SQSClient, url: string): Promise<QueueDepth> {
  const answer = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const n = (
    name:
      'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessagesDelayed',
  ) => Number(answer.Attributes?.[name] ?? '0');
  return {
    visible: n('ApproximateNumberOfMessages'),
    inFlight: n('ApproximateNumberOfMessagesNotVisible'),
    delayed: n('ApproximateNumberOfMessagesDelayed'),
  };
}

export async function purgeQueue(client: SQSClient, url: string): Promise<void> {
  await client.send(new PurgeQueueCommand({ QueueUrl: url }));
}
