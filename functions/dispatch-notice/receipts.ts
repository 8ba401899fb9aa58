/**
 * An electronic channel's receipt of the pre-sale notice, recorded on its case: the notice took
 * effect that day (지방세기본법 §32) and the deadline runs from it. Other notices' receipts stay on
 * their notice records. Idempotent: a receipt already recorded (or a notice that is no longer the
 * case's current one) changes nothing.
 */
import { CaseRuleError, recordPreSaleDelivery } from '#domain/case';
import { ConcurrencyConflictError, type CaseStore } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { kstDate } from '#domain/dates';
import type { NoticeKind } from '#domain/notices';
import type { NoticeMessage } from '#adapters/sqs/notice-queue';

const ATTEMPTS = 3;

export function preSaleReceiptRecorder(deps: {
  store: Pick<CaseStore, 'get' | 'commit'>;
  settings: CitySettingsSource;
  now?: () => Date;
}) {
  return async function recordReceipt(ref: NoticeMessage, kind: NoticeKind, deliveredAt: string): Promise<void> {
    if (kind !== 'PRE_SALE') return;
    for (let attempt = 1; ; attempt++) {
      const c = await deps.store.get(ref.cityId, ref.caseId);
      if (!c || c.preSaleNotice?.noticeId !== ref.noticeId || c.preSaleNotice.effectiveOn) return;
      let transition;
      try {
        transition = recordPreSaleDelivery(
          c,
          { noticeId: ref.noticeId, outcome: 'DELIVERED', on: kstDate(deliveredAt) },
          {
            now: deps.now?.() ?? new Date(),
            actor: { kind: 'SYSTEM', id: 'dispatch-notice' },
            settings: await deps.settings.get(c.cityId),
          },
        );
      } catch (error) {
        // A closed case, or one the receipt no longer concerns: nothing to record.
        if (error instanceof CaseRuleError) return;
        throw error;
      }
      try {
        await deps.store.commit(c.version, transition);
        return;
      } catch (error) {
        if (error instanceof ConcurrencyConflictError && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  };
}
