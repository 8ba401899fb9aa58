/** The daily reminder run: 7 days and 1 day before the deadline, once each, through the queue to the outbox folder. */
import { readFileSync } from 'node:fs';
import { addDays, kstStartOfDay } from '#domain/dates';
import { placeHold } from '#domain/case';
import { CITY, ctxAt } from '../../support/cases';
import { caseWithNotices } from './cases';
import { useNoticeWorld } from './world';

const world = useNoticeWorld();
/** 09:00 KST on a date. */
const nineAm = (date: string) => new Date(kstStartOfDay(date).getTime() + 9 * 3_600_000);

describe('send-reminders', () => {
  it('sends a reminder 7 days and 1 day before the deadline, never twice, and delivers it in Korean', async () => {
    const p = await world.pipeline();
    const { case: c } = await caseWithNotices(world.table.store, 'r-main', { publish: null });
    const deadline = c.deadline ?? '';
    expect(deadline).toBe('2025-10-16');

    world.clock.now = nineAm(addDays(deadline, -8));
    expect(await p.reminders()).toMatchObject({ sent: 0, alreadySent: 0 });

    world.clock.now = nineAm(addDays(deadline, -7));
    expect(await p.reminders()).toEqual({ date: '2025-10-09', sent: 1, alreadySent: 0, skipped: 0 });
    // The same day again (a retry, an on-demand run): the reminder's id makes it a duplicate.
    expect(await p.reminders()).toEqual({ date: '2025-10-09', sent: 0, alreadySent: 1, skipped: 0 });
    const reports = await p.consumer.drain();
    expect(
      reports.flatMap((r) => r.event.Records.map((x) => (JSON.parse(x.body) as { noticeId: string }).noticeId)),
    ).toEqual([`r-main.reminder.${deadline}.d7`]);
    const text = readFileSync(p.folder.paths(CITY, 'r-main', `r-main.reminder.${deadline}.d7`).text, 'utf8');
    expect(text).toContain('가상자산 매각 전 납부기한 안내');
    expect(text).toContain('2025년 10월 16일');

    world.clock.now = nineAm(addDays(deadline, -3));
    expect(await p.reminders()).toMatchObject({ sent: 0 });
    world.clock.now = nineAm(addDays(deadline, -1));
    expect(await p.reminders()).toMatchObject({ sent: 1, alreadySent: 0 });
    expect(await p.reminders()).toMatchObject({ sent: 0, alreadySent: 1 });
    await p.consumer.drain();

    const statement = await world.table.store.statement(CITY, 'r-main');
    const reminders = statement?.notices.filter((n) => n.kind === 'REMINDER') ?? [];
    expect(reminders.map((n) => [n.noticeId, n.status])).toEqual([
      [`r-main.reminder.${deadline}.d7`, 'SENT'],
      [`r-main.reminder.${deadline}.d1`, 'SENT'],
    ]);
    expect(statement?.audit.filter((a) => a.action === 'SEND_REMINDER')).toHaveLength(2);
  });

  it('leaves out cases that are no longer waiting on the notice deadline (on hold)', async () => {
    const p = await world.pipeline();
    const { case: c } = await caseWithNotices(world.table.store, 'r-hold', { publish: null });
    const held = placeHold(c, { holdId: 'h1', kind: 'APPEAL', reason: '이의신청' }, ctxAt('2025-09-02T00:00:00Z'));
    await world.table.store.commit(c.version, held);
    world.clock.now = nineAm(addDays(c.deadline ?? '', -7));
    const result = await p.reminders();
    expect(result.sent).toBe(0);
    const statement = await world.table.store.statement(CITY, 'r-hold');
    expect(statement?.notices.some((n) => n.kind === 'REMINDER')).toBe(false);
  });
});
