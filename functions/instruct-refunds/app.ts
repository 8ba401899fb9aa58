/**
 * The daily refund instructions (EventBridge Scheduler, 07:00 in the city's time zone): for every
 * city, the refunds made payable up to the end of the previous Korean day become instructions in
 * that day's file for the city's finance system (shared/domain/refunds.ts, shared/adapters/refund-files.ts).
 *
 * The instructions and the lines they carry are recorded first (one transaction per case, each line
 * once), then the file is written whole from the day's instructions, then the day is sealed. A
 * rerun for the day (a retry, a crash between the steps) finds the instructions already recorded,
 * adds none once the day is sealed, and writes the same file again: no refund is instructed twice.
 * A day without refunds writes no file.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import type { S3RefundFiles } from '#adapters/refund-files';
import type { CaseStore } from '#domain/case-store';
import { addDays, assertLocalDate, kstDate, type LocalDate } from '#domain/dates';
import { sum } from '#domain/money';
import { formatRefundFile, refundsToInstruct } from '#domain/refunds';

export interface RefundRunDeps {
  journal: Pick<DynamoDbJournalStore, 'refundLines' | 'instructions' | 'recordInstruction' | 'sealDay' | 'daySealed'>;
  cases: Pick<CaseStore, 'get'>;
  files: Pick<S3RefundFiles, 'key' | 'write'>;
  cities: readonly string[];
  count?(name: 'RefundsInstructed', n: number): void;
  logger: Pick<Logger, 'info'>;
  now?: () => Date;
}

export interface RefundFile {
  cityId: string;
  day: LocalDate;
  key: string;
  instructions: number;
  totalKrw: string;
  /** Instructions this run recorded (0 on a rerun). */
  added: number;
}

/** Runs for the day before the scheduled time (or now) in Korea; `day` names another day (a rerun by hand). */
export function createRefundInstructions(
  deps: RefundRunDeps,
): (event?: { scheduledTime?: string; day?: LocalDate }) => Promise<RefundFile[]> {
  const now = deps.now ?? (() => new Date());
  return async function instructRefunds(event = {}) {
    const at = now();
    const day = event.day ? assertLocalDate(event.day) : addDays(kstDate(event.scheduledTime ?? at), -1);
    const files: RefundFile[] = [];
    for (const cityId of deps.cities) {
      const key = deps.files.key(cityId, day);
      let added = 0;
      if (!(await deps.journal.daySealed(cityId, day))) {
        for (const r of refundsToInstruct(await deps.journal.refundLines(cityId), day)) {
          const c = await deps.cases.get(cityId, r.caseId);
          if (!c) throw new Error(`refund line of case ${r.caseId} (${cityId}) has no case`);
          const recorded = await deps.journal.recordInstruction(
            { ...r, cityId, day, cityCaseRef: c.cityCaseRef, taxpayerRef: c.taxpayer.ref, fileKey: key },
            at.toISOString(),
          );
          if (recorded) added++;
        }
      }
      const instructions = await deps.journal.instructions(cityId, day);
      if (instructions.length === 0) continue;
      const total = sum(instructions.map((i) => i.amount));
      await deps.files.write(key, formatRefundFile(instructions));
      await deps.journal.sealDay(cityId, day, { key, count: instructions.length, total, at: at.toISOString() });
      deps.count?.('RefundsInstructed', added);
      deps.logger.info('refund instructions written', {
        cityId,
        day,
        key,
        instructions: instructions.length,
        added,
        totalKrw: total.toFixed(0),
      });
      files.push({ cityId, day, key, instructions: instructions.length, totalKrw: total.toFixed(0), added });
    }
    return files;
  };
}
