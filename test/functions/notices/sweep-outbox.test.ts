/** The outbox sweeper: a crash between the commit and the send loses no notice. */
import { existsSync } from 'node:fs';
import { CITY } from '../../support/cases';
import { noticePublisher } from '#adapters/sqs/notice-queue';
import { caseWithNotices } from './cases';
import { silent, useNoticeWorld } from './world';

const world = useNoticeWorld();
const minutes = (n: number) => new Date(Date.parse('2025-09-01T01:00:00Z') + n * 60_000);

describe('sweep-outbox', () => {
  beforeEach(() => {
    world.clock.now = minutes(0);
  });

  it('re-sends the notices of a transition whose process crashed after the commit, once they are quiet', async () => {
    const p = await world.pipeline();
    // Committed, never published: the process died between the transaction and SendMessage.
    const { noticeIds } = await caseWithNotices(world.table.store, 's-crash', { publish: null });
    expect(await world.sqs.bodies(p.queue)).toEqual([]);

    world.clock.now = minutes(5);
    expect(await p.sweep()).toEqual({ found: 0, resent: 0 }); // not quiet for 10 minutes yet
    world.clock.now = minutes(11);
    expect(await p.sweep()).toEqual({ found: 3, resent: 3 });
    const reports = await p.consumer.drain();
    expect(reports.flatMap((r) => r.succeeded)).toHaveLength(3);
    for (const noticeId of noticeIds) {
      expect(await p.outbox.getNotice({ cityId: CITY, caseId: 's-crash', noticeId })).toMatchObject({
        status: 'SENT',
        resends: 1,
        inOutbox: false,
      });
    }
    world.clock.now = minutes(60);
    expect(await p.sweep()).toEqual({ found: 0, resent: 0 });
  });

  it('picks up notices whose send failed, and leaves a re-sent notice alone for another quiet period', async () => {
    const p = await world.pipeline();
    // A publisher whose queue does not exist: the send fails, the commit stands.
    const broken = noticePublisher({ client: world.sqs.client, queueUrl: `${p.queue.url}-missing`, logger: silent });
    const committed = await caseWithNotices(world.table.store, 's-failed-send', { publish: broken });
    const outcome = await broken(committed.transitions[2]!);
    expect(outcome.failed).toHaveLength(1);

    world.clock.now = minutes(11);
    expect(await p.sweep()).toMatchObject({ resent: 3 });
    // The dispatcher is down for a while: the next run leaves them alone until they are quiet again.
    world.clock.now = minutes(15);
    expect(await p.sweep()).toEqual({ found: 0, resent: 0 });
    world.clock.now = minutes(22);
    expect(await p.sweep()).toMatchObject({ resent: 3 });
    // Duplicates on the queue are harmless: each notice is delivered once.
    const reports = await p.consumer.drain();
    expect(reports.flatMap((r) => r.event.Records).length).toBeGreaterThanOrEqual(3);
    for (const id of committed.noticeIds) expect(existsSync(p.folder.paths(CITY, 's-failed-send', id).text)).toBe(true);
    for (const noticeId of committed.noticeIds) {
      expect(await p.outbox.getNotice({ cityId: CITY, caseId: 's-failed-send', noticeId })).toMatchObject({
        status: 'SENT',
        attempts: 1,
        resends: 2,
      });
    }
  });

  it('does not re-send a notice the queue is still retrying (each failure is fresh activity)', async () => {
    const p = await world.pipeline({ maxReceiveCount: 5, channelOrder: { '*': ['POST'] } });
    await caseWithNotices(world.table.store, 's-retrying', {
      publish: p.publishNotices,
      contact: { phone: '010-0000-1111' },
    });
    world.clock.now = minutes(9);
    await p.consumer.pollOnce(); // the first notice fails (no address) at minute 9
    world.clock.now = minutes(12);
    // Created at minute 0, failed at minute 9: not quiet, so only the two never attempted are re-sent.
    expect(await p.sweep()).toEqual({ found: 2, resent: 2 });
  });
});
