/**
 * A notice goes out once even when the dispatcher fails after the hand-over: the attempt is recorded
 * before it, the retry goes through the same channel under the same idempotency key (the notice id),
 * and the channel answers with the first delivery. Faults the local servers cannot cause (a failed
 * write after a delivery) are injected by wrapping the real outbox store.
 */
import { existsSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import type { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import {
  ChannelNotConfiguredError,
  readPrintBatch,
  type ChannelKind,
  type ChannelOrder,
  type NoticeChannel,
} from '#adapters/notice-channels/index';
import { CITY } from '../../support/cases';
import { createNoticeDispatcher, type DispatcherDeps } from '../../../functions/dispatch-notice/app';
import { ADDRESS, caseWithNotices } from './cases';
import { useNoticeWorld } from './world';

const world = useNoticeWorld();

const message = (caseId: string, noticeId: string, receiveCount: number): SQSRecord =>
  ({
    messageId: `${noticeId}-${receiveCount}`,
    body: JSON.stringify({ cityId: CITY, caseId, noticeId }),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
  }) as unknown as SQSRecord;

type Outbox = DispatcherDeps['outbox'];
/** The real outbox store, with one of its writes failing the first `times` calls. */
function failing(outbox: DynamoDbOutboxStore, method: 'markSent' | 'recordFailure', times = 1): Outbox {
  let left = times;
  const real: Outbox = {
    getNotice: (ref) => outbox.getNotice(ref),
    recordAttempt: (ref, attempt) => outbox.recordAttempt(ref, attempt),
    markSent: (ref, sent) => outbox.markSent(ref, sent),
    recordFailure: (ref, failure) => outbox.recordFailure(ref, failure),
  };
  const original = real[method] as (...args: unknown[]) => Promise<unknown>;
  return {
    ...real,
    [method]: async (...args: unknown[]) => {
      if (left-- > 0) throw Object.assign(new Error('the table did not answer'), { name: 'InternalServerError' });
      return original(...args);
    },
  };
}

describe('dispatch-notice: once, whatever fails after the hand-over', () => {
  it('records the attempt and its channel on the notice before the channel is handed the notice', async () => {
    const p = await world.pipeline({ channelOrder: { '*': ['POST'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'o-before', { publish: null });
    const preSale = noticeIds[2]!;
    world.clock.now = new Date('2025-09-01T02:00:00Z');
    const seen: { channel?: string; lastAttemptAt?: string; key: string }[] = [];
    const watching: NoticeChannel = {
      kind: 'POST',
      canReach: (r) => p.post.canReach(r),
      deliver: async (notice) => {
        const record = await p.outbox.getNotice({ cityId: CITY, caseId: 'o-before', noticeId: notice.noticeId });
        seen.push({
          ...(record?.channel ? { channel: record.channel } : {}),
          ...(record?.lastAttemptAt ? { lastAttemptAt: record.lastAttemptAt } : {}),
          key: notice.idempotencyKey,
        });
        return p.post.deliver(notice);
      },
    };
    const dispatcher = createNoticeDispatcher({
      ...p.deps,
      channels: new Map<ChannelKind, NoticeChannel>([['POST', watching]]),
    });
    await expect(dispatcher.dispatch(message('o-before', preSale, 1))).resolves.toBe('SENT');
    expect(seen).toEqual([{ channel: 'POST', lastAttemptAt: '2025-09-01T02:00:00.000Z', key: preSale }]);
  });

  it('prints one letter when the letter was appended but not recorded as sent, even when the retry comes after midnight', async () => {
    const p = await world.pipeline({ channelOrder: { '*': ['POST'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'o-midnight', { publish: null });
    const preSale = noticeIds[2]!;
    const dispatcher = createNoticeDispatcher({ ...p.deps, outbox: failing(p.outbox, 'markSent') });

    world.clock.now = new Date('2025-09-01T14:59:50Z'); // 23:59:50 on 1 September in Korea
    await expect(dispatcher.dispatch(message('o-midnight', preSale, 1))).rejects.toThrow('the table did not answer');
    world.clock.now = new Date('2025-09-01T15:00:30Z'); // 00:00:30 on 2 September
    await expect(dispatcher.dispatch(message('o-midnight', preSale, 2))).resolves.toBe('SENT');

    const firstDay = p.post.batchPath(CITY, new Date('2025-09-01T14:59:50Z'));
    const nextDay = p.post.batchPath(CITY, world.clock.now);
    expect((await readPrintBatch(firstDay)).map((r) => r.noticeId)).toEqual([preSale]);
    expect(existsSync(nextDay) ? await readPrintBatch(nextDay) : []).toEqual([]);
    expect(await p.outbox.getNotice({ cityId: CITY, caseId: 'o-midnight', noticeId: preSale })).toMatchObject({
      status: 'SENT',
      channel: 'POST',
      channelReference: `${firstDay}#1`,
    });
  });

  it('retries through the channel of the earlier attempt while it still reaches the recipient, even when the order changed', async () => {
    const p = await world.pipeline();
    let order: ChannelOrder = { '*': ['POST'] };
    const contact = { email: 'taxpayer@example.kr', address: ADDRESS };
    const { noticeIds } = await caseWithNotices(world.table.store, 'o-same-channel', { publish: null, contact });
    const preSale = noticeIds[2]!;
    const dispatcher = createNoticeDispatcher({
      ...p.deps,
      channelOrder: () => order,
      outbox: failing(p.outbox, 'markSent'),
    });

    world.clock.now = new Date('2025-09-01T03:00:00Z');
    await expect(dispatcher.dispatch(message('o-same-channel', preSale, 1))).rejects.toThrow(
      'the table did not answer',
    );
    order = { '*': ['EMAIL', 'POST'] }; // e-mail first now (no provider in this deployment: it would fail, or send a second copy)
    await expect(dispatcher.dispatch(message('o-same-channel', preSale, 2))).resolves.toBe('SENT');

    expect((await readPrintBatch(p.post.batchPath(CITY, world.clock.now))).map((r) => r.noticeId)).toEqual([preSale]);
    expect(await p.outbox.getNotice({ cityId: CITY, caseId: 'o-same-channel', noticeId: preSale })).toMatchObject({
      status: 'SENT',
      channel: 'POST',
    });
  });

  it('throws the delivery’s own error when recording the failure fails too', async () => {
    const p = await world.pipeline({ channelOrder: { '*': ['ALIMTALK'] } });
    const { noticeIds } = await caseWithNotices(world.table.store, 'o-first-error', {
      publish: null,
      contact: { phone: '010-2222-3333' },
    });
    const dispatcher = createNoticeDispatcher({ ...p.deps, outbox: failing(p.outbox, 'recordFailure') });
    await expect(dispatcher.dispatch(message('o-first-error', noticeIds[2]!, 1))).rejects.toBeInstanceOf(
      ChannelNotConfiguredError,
    );
  });
});
