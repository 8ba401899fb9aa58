/** Cases walked to the states that cause notices, committed to the test table (and optionally published). */
import { registerCase, type Case, type Transition } from '#domain/case';
import type { CaseStore } from '#domain/case-store';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { bill, CITY, ctxAt, toNoticeSent } from '../../support/cases';

export const ADDRESS = '충청북도 청주시 상당구 상당로 155';

export interface Committed {
  case: Case;
  transitions: Transition[];
  noticeIds: string[];
}

/**
 * Registers a case and takes it to NOTICE_SENT (seizure: two notices, pre-sale: one), committing
 * each transition; publishes the notices unless `publish` is null (a crash after the commit).
 */
export async function caseWithNotices(
  store: CaseStore,
  caseId: string,
  options: {
    at?: string;
    contact?: { phone?: string; email?: string; address?: string };
    publish?: PublishNotices | null;
  } = {},
): Promise<Committed> {
  const at = options.at ?? '2025-09-01T01:00:00Z';
  const taxpayer = {
    ref: `TP-${caseId}`,
    name: '홍길동',
    contact: options.contact ?? { phone: '010-0000-0000', address: ADDRESS },
  };
  const created = registerCase(
    {
      cityId: CITY,
      caseId,
      cityCaseRef: `CC-${caseId}`,
      taxpayer,
      bills: [bill('B1'), bill('B2', '500000', { dueDate: '2025-01-31' })],
    },
    ctxAt(at),
  );
  await store.create(created);
  const transitions = toNoticeSent(created.case, at);
  let previous = created.case.version;
  for (const t of transitions) {
    await store.commit(previous, t);
    previous = t.case.version;
    if (options.publish !== null) await options.publish?.(t);
  }
  const last = transitions[transitions.length - 1];
  if (!last) throw new Error('no transitions');
  return { case: last.case, transitions, noticeIds: transitions.flatMap((t) => t.notices.map((n) => n.noticeId)) };
}
