/**
 * Money out of the case books: refunds to taxpayers and the sale proceeds' move to the treasury.
 *
 * A refund made payable (a surplus, 지방세징수법 §99③; money received for a closed case) is paid by
 * the city's finance system, not by this software. Each day's refunds become instructions in one
 * file per city (docs/LEGAL.md "Refunds and proceeds"):
 *
 *   PAYABLE (a journal line) → INSTRUCTED (in the day's file, with its key) → PAID (the city's system confirms)
 *
 * One instruction per case and day, for the sum of the case's lines not yet instructed; a sum that
 * is not positive (a refund later reduced by a rebooking) stays payable and nets with the next line.
 * Refunds are whole won (fractions of a won stay as exchange rounding).
 *
 * Sale proceeds stay in KRW at the exchange until someone with the account's second factor moves
 * them to the treasury (Upbit KRW withdrawals need it): the KRW to move as of a day is what the
 * settlements up to that day left there, less every confirmed transfer, in whole won (a fraction
 * of a won cannot be withdrawn and waits for the next day's).
 * Pure: no AWS, no clock.
 */
import { type LocalDate } from './dates';
import { Decimal, floorWon, sum, ZERO } from './money';

export interface RefundLine {
  lineId: string;
  caseId: string;
  day: LocalDate;
  amount: Decimal;
  /** The instruction that carries it, once instructed. */
  instructionId?: string;
}

export interface RefundPayment {
  on: LocalDate;
  reference: string;
  by: string;
  at: string;
}

export interface RefundInstruction {
  instructionId: string;
  cityId: string;
  caseId: string;
  /** The day of the file that carries it (refunds payable up to and including that day). */
  day: LocalDate;
  amount: Decimal;
  cityCaseRef: string;
  taxpayerRef: string;
  lineIds: string[];
  fileKey: string;
  paid?: RefundPayment;
}

export type RefundState = 'PAYABLE' | 'INSTRUCTED' | 'PAID';

export class RefundRuleError extends Error {
  override readonly name = 'RefundRuleError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `RF-<YYYYMMDD>-<caseId>`: names the case and the file, safe in a URL and a key. */
export const instructionIdOf = (day: LocalDate, caseId: string): string => `RF-${day.replaceAll('-', '')}-${caseId}`;

/** What a day's run instructs: per case, the lines up to `through` not yet instructed, when their sum is positive. */
export function refundsToInstruct(
  lines: readonly RefundLine[],
  through: LocalDate,
): { caseId: string; instructionId: string; amount: Decimal; lineIds: string[] }[] {
  const byCase = new Map<string, RefundLine[]>();
  for (const l of lines)
    if (!l.instructionId && l.day <= through) byCase.set(l.caseId, [...(byCase.get(l.caseId) ?? []), l]);
  return [...byCase]
    .map(([caseId, ls]) => ({
      caseId,
      instructionId: instructionIdOf(through, caseId),
      amount: sum(ls.map((l) => l.amount)),
      lineIds: ls.map((l) => l.lineId).sort(),
    }))
    .filter((i) => i.amount.gt(0))
    .map((i) => {
      if (!i.amount.isInteger())
        throw new RefundRuleError(
          'FRACTIONAL_REFUND',
          `the refund of case ${i.caseId} is not whole won: ${i.amount.toFixed()}`,
        );
      return i;
    })
    .sort((a, b) => a.instructionId.localeCompare(b.instructionId));
}

const FILE_COLUMNS = [
  'instructionId',
  'cityId',
  'caseId',
  'cityCaseRef',
  'taxpayerRef',
  'amountKrw',
  'payableThrough',
] as const;

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * The day's file for the finance system: CSV (RFC 4180, UTF-8, CRLF), a header, one row per
 * instruction in instruction id order. The same instructions always give the same bytes.
 */
export function formatRefundFile(instructions: readonly RefundInstruction[]): string {
  const rows = [...instructions]
    .sort((a, b) => a.instructionId.localeCompare(b.instructionId))
    .map((i) =>
      [i.instructionId, i.cityId, i.caseId, i.cityCaseRef, i.taxpayerRef, i.amount.toFixed(0), i.day]
        .map(csvField)
        .join(','),
    );
  return [FILE_COLUMNS.join(','), ...rows].map((r) => `${r}\r\n`).join('');
}

/** The rows of a refund file (the finance system's side; tests and the demo). */
export function parseRefundFile(content: string): Record<(typeof FILE_COLUMNS)[number], string>[] {
  const lines = content.split('\r\n').filter((l) => l.length > 0);
  const [header, ...rows] = lines;
  if (header !== FILE_COLUMNS.join(',')) throw new Error('not a refund instruction file');
  return rows.map((row) => {
    const fields: string[] = [];
    for (const m of row.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)) {
      const raw = m[1] ?? '';
      fields.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
      if (m[2] === '') break;
    }
    return Object.fromEntries(FILE_COLUMNS.map((c, i) => [c, fields[i] ?? ''])) as Record<
      (typeof FILE_COLUMNS)[number],
      string
    >;
  });
}

/**
 * The city system's confirmation, once: a second one is refused with the recorded figures (a retry
 * of the first request is answered from its idempotency record, functions/api/idempotency.ts).
 */
export function confirmRefundPaid(
  i: RefundInstruction,
  payment: Omit<RefundPayment, 'at' | 'by'>,
  by: string,
  at: Date,
  today: LocalDate,
): RefundInstruction {
  if (i.paid)
    throw new RefundRuleError(
      'REFUND_ALREADY_PAID',
      `refund ${i.instructionId} was confirmed paid on ${i.paid.on} (reference ${i.paid.reference})`,
    );
  if (payment.on < i.day)
    throw new RefundRuleError(
      'PAID_BEFORE_INSTRUCTED',
      `refund ${i.instructionId} was instructed for ${i.day}; it cannot have been paid on ${payment.on}`,
    );
  if (payment.on > today)
    throw new RefundRuleError(
      'PAID_IN_FUTURE',
      `a refund cannot be paid on ${payment.on}, after today (${today} in Korea)`,
    );
  return { ...i, paid: { ...payment, by, at: at.toISOString() } };
}

export interface RefundTotals {
  payable: Decimal;
  instructed: Decimal;
  paid: Decimal;
}

/** Every won made payable is in exactly one state. */
export function refundTotals(lines: readonly RefundLine[], instructions: readonly RefundInstruction[]): RefundTotals {
  return {
    payable: sum(lines.filter((l) => !l.instructionId).map((l) => l.amount)),
    instructed: sum(instructions.filter((i) => !i.paid).map((i) => i.amount)),
    paid: sum(instructions.filter((i) => i.paid).map((i) => i.amount)),
  };
}

// ---------------------------------------------------------------- proceeds to the treasury

export interface KrwLine {
  day: LocalDate;
  amount: Decimal;
  /** A confirmed move to the treasury (negative amount). */
  transfer: boolean;
}

export interface TreasuryPosition {
  day: LocalDate;
  /** What the day's settlements left at the exchange (gross − fee). */
  proceeds: Decimal;
  /** Every settlement up to the day, less every confirmed transfer. */
  atExchange: Decimal;
  /** Whole won to move now for the day (0 when it moved). */
  toMove: Decimal;
}

export function treasuryPosition(lines: readonly KrwLine[], day: LocalDate): TreasuryPosition {
  const settled = lines.filter((l) => !l.transfer && l.day <= day);
  const atExchange = sum(settled.map((l) => l.amount)).add(sum(lines.filter((l) => l.transfer).map((l) => l.amount)));
  const toMove = floorWon(atExchange);
  return {
    day,
    proceeds: sum(settled.filter((l) => l.day === day).map((l) => l.amount)),
    atExchange,
    toMove: toMove.gt(0) ? toMove : ZERO,
  };
}

/** An officer's confirmation of a transfer for a day: exactly the whole won the day has to move. */
export function checkTransfer(position: TreasuryPosition, amount: Decimal): void {
  if (position.toMove.isZero())
    throw new RefundRuleError(
      'NOTHING_TO_MOVE',
      `no KRW of proceeds up to ${position.day} is left to move (at the exchange: ${position.atExchange.toFixed()})`,
    );
  if (!amount.eq(position.toMove))
    throw new RefundRuleError(
      'TRANSFER_AMOUNT_DIFFERS',
      `the KRW to move up to ${position.day} is ${position.toMove.toFixed(0)}, not ${amount.toFixed()}`,
    );
}
