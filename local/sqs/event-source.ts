/**
 * What Lambda's SQS event source mapping does, for the local stack and tests (nothing emulates it):
 * receive a batch, call the handler with a real `SQSEvent` (records shaped exactly as Lambda delivers
 * them), delete what succeeded, and leave the rest to become visible again after the visibility
 * timeout (so the queue's redrive policy eventually moves a poison message to its DLQ).
 *
 * The handler's answer is read as Lambda reads it with ReportBatchItemFailures on:
 *  - it throws (or exceeds its timeout): the whole batch failed;
 *  - `{ batchItemFailures: [...] }` naming messages of the batch: those failed, the rest succeeded;
 *  - a failure entry with an empty or unknown `itemIdentifier`: the whole batch failed;
 *  - nothing, or an empty list: all succeeded.
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { queueDepth } from './queues';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | undefined>;

export interface SqsEventSourceOptions {
  client: SQSClient;
  /** The queue's URL and ARN (the ARN becomes each record's eventSourceARN; its region awsRegion). */
  queue: { url: string; arn: string };
  handler: SqsHandler;
  /** Records per event, 1 to 10 (the FIFO maximum). Default 10. */
  batchSize?: number;
  /** Used in the Lambda context. Default `local-consumer`. */
  functionName?: string;
  /** A handler still running after this counts as failed, as Lambda's timeout would. Default 30 s. */
  functionTimeoutMs?: number;
  /** Long-poll wait of the background loop (`start`). Default 1 s. */
  waitTimeSeconds?: number;
  /** Called after every batch (also when the handler threw). */
  onBatch?: (report: BatchReport) => void;
  /** The queue's delivery delay, passed on a clock of the caller's rather than SQS's real one. */
  deliveryDelay?: DeliveryDelay;
}

/**
 * A queue's delivery delay on another clock (the local stack's simulated one, on which the sale
 * workflow's waits pass too): the queue itself delays nothing, and the event source holds each new
 * message, in flight, until `wait` lets it go `ms` after it first saw it. A message received again
 * (its handler failed) is not held again: SQS delays a message once, when it is sent.
 */
export interface DeliveryDelay {
  ms: number;
  nowMs(): number;
  /** Resolves once the clock reaches `until`. */
  wait(until: number): Promise<void>;
  /** The queue's visibility timeout: a held message whose handler failed comes back after it. */
  visibilityTimeoutSeconds: number;
}

/** How long a held message stays in flight at most (SQS's maximum visibility timeout, 12 hours). */
const HOLD_SECONDS = 12 * 3600;

export interface BatchReport {
  event: SQSEvent;
  /** Message ids deleted from the queue. */
  succeeded: string[];
  /** Message ids left to be received again. */
  failed: string[];
  /** Why the whole batch failed, when it did. */
  error?: unknown;
  /** Messages that succeeded but could not be deleted (their receipt handle had expired, for example). */
  notDeleted: string[];
}

export interface DrainOptions {
  /** Give up (and throw) after this long. Default 20 s. */
  timeoutMs?: number;
  /** Pause between polls that found nothing while messages are still in flight. Default 100 ms. */
  pauseMs?: number;
}

function regionOf(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`not a queue ARN: ${arn}`);
  return region;
}

function recordAttributes(message: Message): SQSRecord['attributes'] {
  const a = message.Attributes ?? {};
  const required = (name: string): string => {
    const value = a[name as keyof typeof a];
    if (value === undefined) throw new Error(`the SQS server did not return attribute ${name}`);
    return value;
  };
  return {
    ApproximateReceiveCount: required('ApproximateReceiveCount'),
    SentTimestamp: required('SentTimestamp'),
    SenderId: required('SenderId'),
    ApproximateFirstReceiveTimestamp: required('ApproximateFirstReceiveTimestamp'),
    ...(a.SequenceNumber !== undefined ? { SequenceNumber: a.SequenceNumber } : {}),
    ...(a.MessageGroupId !== undefined ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId !== undefined ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    ...(a.AWSTraceHeader !== undefined ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    ...(a.DeadLetterQueueSourceArn !== undefined ? { DeadLetterQueueSourceArn: a.DeadLetterQueueSourceArn } : {}),
  };
}

function recordMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/** A received message as a Lambda SQS record. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle || message.Body === undefined || !message.MD5OfBody) {
    throw new Error('the SQS server returned a message without id, receipt handle, body or MD5');
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: recordAttributes(message),
    messageAttributes: recordMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: regionOf(queueArn),
  };
}

export function toSqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((m) => toSqsRecord(m, queueArn)) };
}

/** A Lambda context for a local invocation. */
export function lambdaContext(functionName: string, timeoutMs: number, region = 'ap-northeast-2'): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

class BatchFailed extends Error {}

/** Which records failed, read from the handler's answer as Lambda reads it. */
export function failedIds(event: SQSEvent, answer: unknown): string[] {
  if (answer === undefined || answer === null || typeof answer !== 'object' || !('batchItemFailures' in answer))
    return [];
  const failures = answer.batchItemFailures;
  if (failures === null || failures === undefined) return [];
  if (!Array.isArray(failures)) throw new BatchFailed('batchItemFailures is not a list');
  const ids = new Set(event.Records.map((r) => r.messageId));
  return failures.map((f: unknown) => {
    const id = f && typeof f === 'object' ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || !ids.has(id))
      throw new BatchFailed(`batchItemFailures names ${JSON.stringify(id)}, not a message of the batch`);
    return id;
  });
}

export class SqsEventSource {
  private readonly batchSize: number;
  private readonly functionName: string;
  private readonly timeoutMs: number;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  /** Messages already held once for the delivery delay (by message id). */
  private readonly delayed = new Set<string>();
  /** Held batches waiting for their delivery (`stop` lets them go without delivering them). */
  private readonly holding = new Set<Promise<void>>();
  private stopHolding = new AbortController();
  /** The batch being handled: one at a time, as the background loop alone would (the starter's reserved concurrency of 1). */
  private handling: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SqsEventSourceOptions) {
    this.batchSize = options.batchSize ?? 10;
    if (this.batchSize < 1 || this.batchSize > 10) throw new Error('batchSize must be 1 to 10');
    this.functionName = options.functionName ?? 'local-consumer';
    this.timeoutMs = options.functionTimeoutMs ?? 30_000;
  }

  /** Receives one batch (waiting up to `waitTimeSeconds` for one) and hands it to the handler. */
  async pollOnce(waitTimeSeconds = 0, signal?: AbortSignal): Promise<BatchReport | undefined> {
    const { client, queue } = this.options;
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: this.batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      signal ? { abortSignal: signal } : {},
    );
    let messages = received.Messages ?? [];
    if (messages.length === 0) return undefined;
    const delay = this.options.deliveryDelay;
    if (delay) {
      const fresh = messages.filter((m) => !this.delayed.has(m.MessageId ?? ''));
      if (fresh.length > 0) await this.hold(fresh, delay);
      messages = messages.filter((m) => !fresh.includes(m));
      if (messages.length === 0) return undefined;
    }
    return this.deliver(messages);
  }

  /** Keeps `messages` in flight until the delivery delay has passed on its clock, then delivers them. */
  private async hold(messages: Message[], delay: DeliveryDelay): Promise<void> {
    for (const m of messages) this.delayed.add(m.MessageId ?? '');
    await this.changeVisibility(messages, HOLD_SECONDS);
    const stopped = this.stopHolding.signal;
    const due = delay.nowMs() + delay.ms;
    const held = (async () => {
      await Promise.race([
        delay.wait(due),
        new Promise<void>((resolve) => stopped.addEventListener('abort', () => resolve(), { once: true })),
      ]);
      if (stopped.aborted) return;
      try {
        const report = await this.deliver(messages);
        // As after Lambda's failed invocation: back once the queue's visibility timeout has passed.
        const failed = messages.filter((m) => report.failed.includes(m.MessageId ?? ''));
        if (failed.length > 0) await this.changeVisibility(failed, delay.visibilityTimeoutSeconds);
      } catch (error) {
        this.options.onBatch?.({ event: { Records: [] }, succeeded: [], failed: [], notDeleted: [], error });
      }
    })();
    this.holding.add(held);
    void held.finally(() => this.holding.delete(held));
  }

  private async changeVisibility(messages: Message[], seconds: number): Promise<void> {
    await this.options.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.options.queue.url,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
  }

  /** Hands `messages` to the handler as one event once the batch before it is done. */
  private deliver(messages: Message[]): Promise<BatchReport> {
    const report = this.handling.then(() => this.handle(messages));
    this.handling = report.catch(() => undefined);
    return report;
  }

  /** Hands `messages` to the handler as one event, deletes what succeeded, reports the batch. */
  private async handle(messages: Message[]): Promise<BatchReport> {
    const { client, queue } = this.options;
    const event = toSqsEvent(messages, queue.arn);
    const all = event.Records.map((r) => r.messageId);
    let failed: string[];
    let error: unknown;
    try {
      const answer = await this.invoke(event);
      failed = failedIds(event, answer);
    } catch (e) {
      error = e;
      failed = all;
    }
    const failedSet = new Set(failed);
    const done = event.Records.filter((r) => !failedSet.has(r.messageId));
    const notDeleted: string[] = [];
    if (done.length > 0) {
      const deleted = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      for (const f of deleted.Failed ?? []) {
        const record = done[Number(f.Id)];
        if (record) notDeleted.push(record.messageId);
      }
    }
    const report: BatchReport = {
      event,
      succeeded: done.map((r) => r.messageId).filter((id) => !notDeleted.includes(id)),
      failed,
      notDeleted,
      ...(error !== undefined ? { error } : {}),
    };
    this.options.onBatch?.(report);
    return report;
  }

  private async invoke(event: SQSEvent): Promise<unknown> {
    const context = lambdaContext(this.functionName, this.timeoutMs, regionOf(this.options.queue.arn));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.functionName} timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.options.handler(event, context), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Polls until the queue is empty: nothing visible, in flight or delayed (failed messages are
   * waited for until they succeed or the redrive policy moves them to the DLQ). Returns every batch.
   */
  async drain(options: DrainOptions = {}): Promise<BatchReport[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    const reports: BatchReport[] = [];
    for (;;) {
      const report = await this.pollOnce(0);
      if (report) {
        reports.push(report);
        continue;
      }
      const depth = await queueDepth(this.options.client, this.options.queue.url);
      if (depth.visible + depth.inFlight + depth.delayed === 0) return reports;
      if (Date.now() > deadline) throw new Error(`the queue did not drain in time: ${JSON.stringify(depth)}`);
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 100));
    }
  }

  /** Polls in the background until `stop()` (the local stack's event source mapping). */
  start(): void {
    if (this.loop) return;
    const abort = (this.abort = new AbortController());
    const wait = this.options.waitTimeSeconds ?? 1;
    this.loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.pollOnce(wait, abort.signal);
        } catch (e) {
          if (abort.signal.aborted) break;
          // The server is unreachable: wait and try again, as Lambda's poller does.
          this.options.onBatch?.({ event: { Records: [] }, succeeded: [], failed: [], notDeleted: [], error: e });
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.stopHolding.abort();
    await Promise.all(this.holding);
    this.stopHolding = new AbortController();
    await this.loop;
    this.loop = undefined;
    this.abort = undefined;
  }
}
