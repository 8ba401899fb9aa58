/** The local SQS harness: queues as the stack defines them, and Lambda's event source mapping. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { StackClock } from '../../../local/clock';
import { SimTimeGate } from '../../../local/sale-workflow';
import { queueDepth } from '../../../local/sqs';
import { useLocalSqs } from '../../support/sqs';

const sqs = useLocalSqs();

async function send(url: string, body: string, group: string, dedup: string): Promise<void> {
  await sqs.client.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }),
  );
}

describe('local SQS harness', () => {
  it('delivers records shaped as Lambda delivers them, and deletes what succeeded', async () => {
    const queue = await sqs.fifoQueue('shape');
    await send(queue.url, '{"noticeId":"N1"}', 'case-1', 'N1');
    await send(queue.url, '{"noticeId":"N1"}', 'case-1', 'N1'); // deduplicated by id
    const events: SQSEvent[] = [];
    const consumer = sqs.consumer(queue, async (event) => {
      events.push(event);
    });
    await consumer.drain();
    expect(events).toHaveLength(1);
    const record = events[0]?.Records[0];
    expect(events[0]?.Records).toHaveLength(1);
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"noticeId":"N1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
        SequenceNumber: expect.stringMatching(/^\d+$/),
        MessageGroupId: 'case-1',
        MessageDeduplicationId: 'N1',
      },
      messageAttributes: {},
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'ap-northeast-2',
    });
    expect(await queueDepth(sqs.client, queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('honours batchItemFailures: good messages are deleted, the failed one comes back and ends in the DLQ', async () => {
    const queue = await sqs.fifoQueue('partial', { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    for (const [i, group] of ['a', 'b', 'c'].entries())
      await send(queue.url, i === 1 ? 'poison' : `good-${i}`, group, `m${i}`);
    const seen: { body: string; receiveCount: string }[] = [];
    const consumer = sqs.consumer(queue, async (event): Promise<SQSBatchResponse> => {
      for (const r of event.Records) seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    await consumer.drain();
    expect(seen.filter((s) => s.body.startsWith('good'))).toHaveLength(2);
    expect(seen.filter((s) => s.body === 'poison').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(await sqs.bodies(queue.dlq)).toEqual(['poison']);
  });

  it('retries the whole batch when the handler throws or names a message not in the batch', async () => {
    const queue = await sqs.fifoQueue('whole', { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 });
    await send(queue.url, 'x', 'a', 'x');
    await send(queue.url, 'y', 'b', 'y');
    let calls = 0;
    const consumer = sqs.consumer(queue, async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return { batchItemFailures: [] };
    });
    const reports = await consumer.drain();
    expect(reports.map((r) => r.failed.length)).toEqual([2, 2, 0]);
    expect(reports[0]?.error).toEqual(new Error('boom'));
    expect(reports[2]?.succeeded).toHaveLength(2);
    expect(await sqs.bodies(queue.dlq)).toEqual([]);
  });

  it('counts a handler past its timeout as failed', async () => {
    const queue = await sqs.fifoQueue('slow', { visibilityTimeoutSeconds: 1, maxReceiveCount: 1 });
    await send(queue.url, 'slow', 'a', 'slow');
    const consumer = sqs.consumer(queue, () => new Promise((r) => setTimeout(r, 300)), { functionTimeoutMs: 50 });
    const [report] = await consumer.drain();
    expect(String(report?.error)).toMatch(/timed out/);
    expect(await sqs.bodies(queue.dlq)).toEqual(['slow']);
  });

  it('polls in the background until stopped', async () => {
    const queue = await sqs.fifoQueue('loop');
    const bodies: string[] = [];
    const consumer = sqs.consumer(queue, async (event) => void bodies.push(...event.Records.map((r) => r.body)), {
      waitTimeSeconds: 1,
    });
    consumer.start();
    await send(queue.url, 'one', 'a', '1');
    await send(queue.url, 'two', 'a', '2');
    for (let i = 0; i < 50 && bodies.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    expect(bodies).toEqual(['one', 'two']);
  });

  it('holds each message for the delivery delay on its own clock, once, and one batch at a time', async () => {
    const queue = await sqs.fifoQueue('delay', { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
    const clock = new StackClock('2026-11-30T00:00:00Z');
    const gate = new SimTimeGate(clock);
    const seen: { body: string; at: number; receiveCount: string }[] = [];
    let inHandler = 0;
    let mostAtOnce = 0;
    const consumer = sqs.consumer(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        mostAtOnce = Math.max(mostAtOnce, ++inHandler);
        await new Promise((r) => setTimeout(r, 20));
        inHandler--;
        for (const r of event.Records)
          seen.push({ body: r.body, at: clock.nowMs(), receiveCount: r.attributes.ApproximateReceiveCount });
        // The first delivery of `flaky` fails: it comes back after the visibility timeout, not held again.
        const failed = event.Records.filter((r) => r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      {
        waitTimeSeconds: 1,
        batchSize: 1,
        deliveryDelay: {
          ms: 10_000,
          nowMs: () => clock.nowMs(),
          wait: (until) => gate.wait(until),
          visibilityTimeoutSeconds: 1,
        },
      },
    );
    const sentAt = clock.nowMs();
    for (const [i, body] of ['one', 'two', 'flaky'].entries()) await send(queue.url, body, `g${i}`, body);
    consumer.start();
    for (let i = 0; i < 500 && gate.blocked < 3; i++) await new Promise((r) => setTimeout(r, 20));
    // Held in flight while the clock stands still: nothing delivered, however long it waits in real time.
    expect(gate.blocked).toBe(3);
    expect(gate.nextWake()).toBe(sentAt + 10_000);
    expect(await queueDepth(sqs.client, queue.url)).toEqual({ visible: 0, inFlight: 3, delayed: 0 });
    await new Promise((r) => setTimeout(r, 1200)); // past the visibility timeout: still held
    expect(seen).toEqual([]);

    clock.set(sentAt + 9_999);
    expect(gate.release()).toBe(0);
    clock.set(sentAt + 10_000);
    expect(gate.release()).toBe(3);
    for (let i = 0; i < 500 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    expect(seen.map((s) => s.body).sort()).toEqual(['flaky', 'flaky', 'one', 'two']);
    expect(seen.every((s) => s.at === sentAt + 10_000)).toBe(true);
    // Received once before it was held: the failed delivery is its second receive, and no third.
    expect(seen.filter((s) => s.body === 'flaky').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(mostAtOnce).toBe(1);
    expect(await queueDepth(sqs.client, queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('lets held messages go undelivered when stopped', async () => {
    const queue = await sqs.fifoQueue('held-stop');
    const clock = new StackClock('2026-11-30T00:00:00Z');
    const gate = new SimTimeGate(clock);
    const bodies: string[] = [];
    const consumer = sqs.consumer(queue, async (event) => void bodies.push(...event.Records.map((r) => r.body)), {
      waitTimeSeconds: 1,
      deliveryDelay: { ms: 10_000, nowMs: () => clock.nowMs(), wait: (u) => gate.wait(u), visibilityTimeoutSeconds: 1 },
    });
    await send(queue.url, 'later', 'a', 'later');
    consumer.start();
    for (let i = 0; i < 500 && gate.blocked < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(gate.blocked).toBe(1);
    await consumer.stop();
    clock.set(clock.nowMs() + 10_000);
    gate.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(bodies).toEqual([]);
  });
});
