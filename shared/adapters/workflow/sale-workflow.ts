/**
 * The port through which a sale request becomes a running sale workflow, and the deterministic
 * execution name that makes a repeated start a no-op: Step Functions refuses a second execution of
 * the same name (ExecutionAlreadyExists, or returns the running one for identical input), and the
 * local interpreter's starter keeps the same rule.
 */
import { createHash } from 'node:crypto';

/** What every sale execution starts with (functions/sale/steps.ts SaleExecutionInput). */
export interface SaleExecutionInput {
  cityId: string;
  caseId: string;
  saleId: string;
  requestedBy: 'DEADLINE' | 'TAXPAYER';
  requestedAt: string;
  /** A long sale goes on in a new execution each day (Step Functions' history limit): its number. */
  continuation?: number;
}

export interface StartOutcome {
  /** False when an execution of this name already existed: nothing was started. */
  started: boolean;
  executionName: string;
  executionArn?: string;
  /**
   * Nothing started: false when the execution of that name has ended (a desk whose run ended
   * without ending the desk record is recovered from this, docs/SALE-DESK.md “A dead run”).
   */
  running?: boolean;
}

export interface SaleWorkflowStarter {
  start(input: SaleExecutionInput): Promise<StartOutcome>;
}

const MAX_NAME = 80;
/** Letters, digits, '-', '_' and '.': never '#', '/', ':', spaces or anything Step Functions refuses. */
const UNSAFE = /[^A-Za-z0-9._-]/;

/**
 * The execution name of a sale attempt: `<city>_<saleId>` (the sale id names the case and the
 * attempt), at most 80 characters. Longer or unsafe ids are shortened deterministically with a hash.
 */
export function saleExecutionName(cityId: string, saleId: string, continuation = 0): string {
  const plain = continuation > 0 ? `${cityId}_${saleId}_c${continuation}` : `${cityId}_${saleId}`;
  if (plain.length <= MAX_NAME && !UNSAFE.test(plain)) return plain;
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, 16);
  const readable = plain.replace(new RegExp(UNSAFE.source, 'g'), '-').slice(0, MAX_NAME - hash.length - 1);
  return `${readable}_${hash}`;
}

/** What a sale desk's execution starts with (docs/SALE-DESK.md): one desk per city account, market and Korean day. */
export interface DeskExecutionInput {
  cityId: string;
  deskId: string;
  market: string;
  /** The Korean day, yyyy-mm-dd. */
  day: string;
  /** The desk's run that day (a desk that ended and is joined again runs again). */
  run: number;
}

export interface DeskWorkflowStarter {
  start(input: DeskExecutionInput): Promise<StartOutcome>;
}

/** `<city>_desk_<market>_<yyyymmdd>`, then `_r<n>` for a desk reopened the same day. */
export function deskExecutionName(input: Pick<DeskExecutionInput, 'cityId' | 'market' | 'day' | 'run'>): string {
  const plain = `${input.cityId}_desk_${input.market}_${input.day.replaceAll('-', '')}${input.run > 1 ? `_r${input.run}` : ''}`;
  if (plain.length <= MAX_NAME && !UNSAFE.test(plain)) return plain;
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, 16);
  return `${plain.replace(new RegExp(UNSAFE.source, 'g'), '-').slice(0, MAX_NAME - hash.length - 1)}_${hash}`;
}
