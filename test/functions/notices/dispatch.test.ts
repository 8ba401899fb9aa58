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
  await world.sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
}

describe('dispatch-notice', () => {
  it('delivers each notice of a transition once, as a Korean text in the local outbox folder, and records it', async () => {
    const p = await world.pipeline();
    const { noticeIds, transitions } = await caseWithNotices(world.table.store, 'd-once', {
      publish: p.publishNotices,
    });
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
    expect(JSON.parse(readFileSync(paths.metadata, 'utf8'))).toMatchObject({
      noticeId: preSale?.noticeId,
      kind: 'PRE_SALE',
      recipient: 'TAXPAYER',
      channel: 'LOCAL_FOLDER',
    });
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
    for (const noticeId of noticeIds)
      await sendRaw(
        p.queue.url,
        JSON.stringify({ cityId: CITY, caseId: 'd-dup', noticeId }),
        noticeMessageGroup(CITY, 'd-dup'),
        `${noticeId}-again`,
      );
    const later = await p.consumer.drain();
    expect(later.flatMap((r) => r.succeeded)).toHaveLength(3);

    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId).sort()).toEqual([...noticeIds].sort());
    expect(batch.find((r) => r.kind === 'PRE_SALE')).toMatchObject({
      mailClass: 'REGISTERED',
      to: '홍길동',
      address: ADDRESS,
    });
    expect(batch.find((r) => r.to.includes('업비트'))?.address).toContain('테헤란로'); // the exchange's copy of the seizure
    for (const id of noticeIds)
      expect((await p.outbox.getNotice({ cityId: CITY, caseId: 'd-dup', noticeId: id }))?.attempts).toBe(1);
  });

  it('fails loudly on a channel without a provider (alimtalk): the taxpayer gets nothing by another way', async () => {
    const p = await world.pipeline({ maxReceiveCount: 1, channelOrder: { '*': ['ALIMTALK', 'POST'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'd-kakao', {
      publish: p.publishNotices,
      contact: { phone: '010-3333-4444', address: ADDRESS },
    });
    await p.consumer.drain();
    const [toTaxpayer, toExchange, preSale] = noticeIds as [string, string, string];
    for (const id of [toTaxpayer, preSale]) {
      const record = await p.outbox.getNotice({ cityId: CITY, caseId: 'd-kakao', noticeId: id });
      expect(record).toMatchObject({
        status: 'PENDING',
        deliveryStatus: 'FAILED',
        channel: 'ALIMTALK',
        lastFailureReason: expect.stringContaining('ChannelNotConfiguredError'),
      });
    }
    // Only the exchange (no phone: alimtalk cannot reach it) is written to the print file.
    const batch = await readPrintBatch(p.post.batchPath(CITY, world.clock.now));
    expect(batch.map((r) => r.noticeId)).toEqual([toExchange]);
  });
});
