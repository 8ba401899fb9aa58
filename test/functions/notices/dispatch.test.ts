/**
 * The notice dispatcher through its real queue: notices committed by transitions, published to the
 * local SQS FIFO queue, delivered by the local event source mapping as real SQSEvents to the handler,
 * against DynamoDB Local.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { readPrintBatch } from '#adapters/notice-channels/index';
import { noticeMessageGroup } from '#adapters/sqs/notice-queue';
import { CITY } from '../../support/cases';
import { ADDRESS, caseWithNotices } from './cases';
import { useNoticeWorld } from './world';

const world = useNoticeWorld();

async function sendRaw(queueUrl: string, body: string, group: string, dedup: string): Promise<void> {
  await world.sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
}

describe('dispatch-notice', () => {
  it('delivers each notice of a transition once, as a Korean text in the local outbox folder, and records it', async () => {
    const p = await world.pipeline();
    const { noticeIds, transitions } = await caseWithNotices(world.table.store, 'd-once', { publish: p.publishNotices });
    expect(noticeIds).toHaveLength(3); // seizure to the taxpayer and to the exchange, then the pre-sale notice

    const reports = await p.consumer.drain();
    expect(reports.flatMap((r) => r.failed)).toEqual([]);
    expect(reports.flatMap((r) => r.succeeded)).toHaveLength(3);

    const preSale = transitions[2]?.notices[0];
    const paths = p.folder.paths(CITY, 'd-once', preSale?.noticeId ?? '');
    const text = readFileSync(paths.text, 'utf8');
    expect(text).toContain('압류 가상자산 매각 예정 통지');
    expect(text).toContain('홍길동');
    expect(text).toContain('지방세징수법 제71조제3항');
    expect(JSON.parse(readFileSync(paths.metadata, 'utf8'))).toMatchObject({ noticeId: preSale?.noticeId, kind: 'PRE_SALE', recipient: 'TAXPAYER', channel: 'LOCAL_FOLDER' });
    for (const id of noticeIds) expect(existsSync(p.folder.paths(CITY, 'd-once', id).text)).toBe(true);

    const record = await p.outbox.getNotice({ cityId: CITY, caseId: 'd-once', noticeId: preSale?.noticeId ?? '' });
    expect(record).toMatchObject({
      status: 'SENT',
      deliveryStatus: 'DELIVERED',
      channel: 'LOCAL_FOLDER',
      channelReference: paths.text,
      sentAt: world.clock.now.toISOString(),
      deliveredAt: world.clock.now.toISOString(),
      renderedTitle: '압류 가상자산 매각 예정 통지',
      renderedText: text,
      attempts: 1,
      inOutbox: false,
    });
    expect(record?.content).toEqual(preSale?.content);
    // Notices are never deleted: the statement still has all three, now SENT.
    const statement = await world.table.store.statement(CITY, 'd-once');
    expect(statement?.notices.map((n) => n.status)).toEqual(['SENT', 'SENT', 'SENT']);
    expect(await world.sqs.bodies(p.queue)).toEqual([]);
    expect(await world.sqs.bodies(p.queue.dlq)).toEqual([]);
  });

  it('sends once when the same message is delivered again (Lambda redelivery, a re-sent message)', async () => {
    const p = await world.pipeline({ channelOrder: { '*': ['POST'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'd-dup', { publish: p.publishNotices });
    const [first] = await p.consumer.drain();
    expect(first?.succeeded).toHaveLength(1);

    // The same SQSEvent again, as Lambda may deliver it twice.
    const again = await p.dispatcher.handler(first!.event, {} as never);
    expect(again.batchItemFailures).toEqual([]);
    // The same notices sent again under new deduplication ids (as after the 5-minute window).
    for (const noticeId of noticeIds) await sendRaw(p.queue.url, JSON.stringify({ cityId: CITY, caseId: 'd-dup', noticeId }), noticeMessageGroup(CITY, 'd-dup'), `${noticeId}-again`);
    const later = await p.consumer.drain();
    expect(later.flatMap((r) => r.succeeded)).toHaveLength(3);

    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId).sort()).toEqual([...noticeIds].sort());
    expect(batch.find((r) => r.kind === 'PRE_SALE')).toMatchObject({ mailClass: 'REGISTERED', to: '홍길동', address: ADDRESS });
    expect(batch.find((r) => r.to.includes('업비트'))?.address).toContain('테헤란로'); // the exchange's copy of the seizure
    for (const id of noticeIds) expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-dup', noticeId: id }))?.attempts).toBe(1);
  });

  it('moves poison messages (corrupted body, unknown notice) to the DLQ after maxReceiveCount; good ones are processed', async () => {
    const p = await world.pipeline({ maxReceiveCount: 2 });
    await sendRaw(p.queue.url, '{not json', 'poison-a', 'poison-a');
    await sendRaw(p.queue.url, JSON.stringify({ cityId: CITY, caseId: 'd-poison', noticeId: 'no-such-notice' }), 'poison-b', 'poison-b');
    const { noticeIds } = await caseWithNotices(world.table.store, 'd-good', { publish: p.publishNotices });

    const reports = await p.consumer.drain();
    const receives = reports.flatMap((r) => r.event.Records).filter((r) => r.attributes.MessageGroupId?.startsWith('poison'));
    expect(receives.map((r) => r.attributes.ApproximateReceiveCount).sort()).toEqual(['1', '1', '2', '2']);
    expect((await world.sqs.bodies(p.queue.dlq)).sort()).toEqual(['{"cityId":"cheongju","caseId":"d-poison","noticeId":"no-such-notice"}', '{not json']);
    for (const id of noticeIds) expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-good', noticeId: id }))?.status).toBe('SENT');
  });

  it('reports a failed notice in batchItemFailures, keeps the others, records the failure and parks it at the last attempt', async () => {
    const p = await world.pipeline({ maxReceiveCount: 2, channelOrder: { '*': ['POST'] } });
    const { noticeIds: good } = await caseWithNotices(world.table.store, 'd-ok', { publish: p.publishNotices });
    // No address: the postal channel cannot reach this taxpayer.
    const { noticeIds: bad } = await caseWithNotices(world.table.store, 'd-noaddr', { publish: p.publishNotices, contact: { phone: '010-1111-2222' } });
    const [toTaxpayer, toExchange, preSale] = bad as [string, string, string];

    const reports = await p.consumer.drain();
    const firstBatch = reports[0];
    expect(firstBatch?.event.Records.length).toBe(2); // one message per case (FIFO group) per receive
    expect(firstBatch?.failed).toHaveLength(1);
    expect(firstBatch?.succeeded).toHaveLength(1);

    for (const id of good) expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-ok', noticeId: id }))?.status).toBe('SENT');
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
    expect((await world.sqs.bodies(p.queue.dlq)).sort()).toEqual([toTaxpayer, preSale].map((noticeId) => JSON.stringify({ cityId: CITY, caseId: 'd-noaddr', noticeId })).sort());
    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId).sort()).toEqual([...good, toExchange].sort());
  });

  it('fails loudly on a channel without a provider (alimtalk): the taxpayer gets nothing by another way', async () => {
    const p = await world.pipeline({ maxReceiveCount: 1, channelOrder: { '*': ['ALIMTALK', 'POST'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'd-kakao', { publish: p.publishNotices, contact: { phone: '010-3333-4444', address: ADDRESS } });
    await p.consumer.drain();
    const [toTaxpayer, toExchange, preSale] = noticeIds as [string, string, string];
    for (const id of [toTaxpayer, preSale]) {
      const record = await p.outbox.getNotice({ cityId: CITY, caseId: 'd-kakao', noticeId: id });
      expect(record).toMatchObject({ status: 'PENDING', deliveryStatus: 'FAILED', channel: 'ALIMTALK', lastFailureReason: expect.stringContaining('ChannelNotConfiguredError') });
    }
    // Only the exchange (no phone: alimtalk cannot reach it) is written to the print file.
    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId)).toEqual([toExchange]);
  });
});
