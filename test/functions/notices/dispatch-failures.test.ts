/**
 * The notice dispatcher's failures through its real queue: poison messages end in the DLQ after
 * maxReceiveCount, a failed notice is reported in batchItemFailures while the rest of the batch goes
 * on, and its failure is recorded on the notice record.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { readPrintBatch } from '#adapters/notice-channels/index';
import { CITY } from '../../support/cases';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createNoticeDispatcher } from '../../../functions/dispatch-notice/app';
import { ADDRESS, caseWithNotices } from './cases';
import { useNoticeWorld } from './world';

const world = useNoticeWorld();

async function sendRaw(queueUrl: string, body: string, group: string, dedup: string): Promise<void> {
  await world.sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
}

describe('dispatch-notice failures', () => {
  it('moves poison messages (corrupted body, unknown notice) to the DLQ after maxReceiveCount; good ones are processed', async () => {
    const p = await world.pipeline({ maxReceiveCount: 2 });
    await sendRaw(p.queue.url, '{not json', 'poison-a', 'poison-a');
    await sendRaw(
      p.queue.url,
      JSON.stringify({ cityId: CITY, caseId: 'd-poison', noticeId: 'no-such-notice' }),
      'poison-b',
      'poison-b',
    );
    const { noticeIds } = await caseWithNotices(world.table.store, 'd-good', { publish: p.publishNotices });

    const reports = await p.consumer.drain();
    const receives = reports
      .flatMap((r) => r.event.Records)
      .filter((r) => r.attributes.MessageGroupId?.startsWith('poison'));
    expect(receives.map((r) => r.attributes.ApproximateReceiveCount).sort()).toEqual(['1', '1', '2', '2']);
    expect((await world.sqs.bodies(p.queue.dlq)).sort()).toEqual([
      '{"cityId":"cheongju","caseId":"d-poison","noticeId":"no-such-notice"}',
      '{not json',
    ]);
    for (const id of noticeIds)
      expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-good', noticeId: id }))?.status).toBe('SENT');
  });

  it('reports a failed notice in batchItemFailures, keeps the others, records the failure and parks it at the last attempt', async () => {
    const p = await world.pipeline({ maxReceiveCount: 2, channelOrder: { '*': ['POST'] } });
    const { noticeIds: good } = await caseWithNotices(world.table.store, 'd-ok', { publish: p.publishNotices });
    // No address: the postal channel cannot reach this taxpayer.
    const { noticeIds: bad } = await caseWithNotices(world.table.store, 'd-noaddr', {
      publish: p.publishNotices,
      contact: { phone: '010-1111-2222' },
    });
    const [toTaxpayer, toExchange, preSale] = bad as [string, string, string];

    const reports = await p.consumer.drain();
    const firstBatch = reports[0];
    expect(firstBatch?.event.Records.length).toBe(2); // one message per case (FIFO group) per receive
    expect(firstBatch?.failed).toHaveLength(1);
    expect(firstBatch?.succeeded).toHaveLength(1);

    for (const id of good)
      expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-ok', noticeId: id }))?.status).toBe('SENT');
    for (const id of [toTaxpayer, preSale]) {
      expect(await p.outbox.getNotice({ cityId: CITY, caseId: 'd-noaddr', noticeId: id })).toMatchObject({
        status: 'PENDING',
        deliveryStatus: 'FAILED',
        attempts: 2,
        inOutbox: false,
        parkedAt: world.clock.now.toISOString(),
        lastFailureReason: expect.stringContaining('NoReachableChannelError'),
      });
    }
    // The exchange's copy of the seizure notice has the exchange's address: it waited behind the failed one, then went out.
    expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-noaddr', noticeId: toExchange }))?.status).toBe('SENT');
    expect((await world.sqs.bodies(p.queue.dlq)).sort()).toEqual(
      [toTaxpayer, preSale].map((noticeId) => JSON.stringify({ cityId: CITY, caseId: 'd-noaddr', noticeId })).sort(),
    );
    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId).sort()).toEqual([...good, toExchange].sort());
  });

  it('logs ids, kinds, channels and error names, never the taxpayer’s name, contact data or the notice text', async () => {
    const p = await world.pipeline({ maxReceiveCount: 1, channelOrder: { '*': ['POST'], PRE_SALE: ['SMS'] } });
    const lines: unknown[] = [];
    const capture = {
      info: (...a: unknown[]) => lines.push(a),
      warn: (...a: unknown[]) => lines.push(a),
      error: (...a: unknown[]) => lines.push(a),
      debug: () => undefined,
    };
    const dispatcher = createNoticeDispatcher({ ...p.deps, logger: capture as unknown as Logger });
    const consumer = world.sqs.consumer(p.queue, dispatcher.handler);
    await caseWithNotices(world.table.store, 'd-logs', {
      publish: p.publishNotices,
      contact: { phone: '010-9876-5432', address: ADDRESS },
    });
    const reports = await consumer.drain();
    expect(reports.flatMap((r) => r.succeeded)).toHaveLength(2); // the seizure notices by post
    expect(reports.flatMap((r) => r.failed)).toHaveLength(1); // the pre-sale notice by SMS: no provider
    const logged = JSON.stringify(lines);
    expect(logged).toContain('ChannelNotConfiguredError');
    expect(logged).toContain('d-logs');
    for (const secret of ['홍길동', '010-9876-5432', '상당로', '압류 가상자산', '1,000,000'])
      expect(logged).not.toContain(secret);
  });
});
