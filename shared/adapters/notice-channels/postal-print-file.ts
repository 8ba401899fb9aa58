/**
 * The postal channel: every notice handed to it is appended, print-ready, to the city's batch file
 * of the day (Korean date of the hand-over), which the city's print-and-mail contractor collects:
 *
 *   <root>/<cityId>/post-<cityId>-<YYYYMMDD>.prn      UTF-8, one record per letter:
 *
 *   %%BEGIN seq=000001 notice=<noticeId> case=<caseId> kind=PRE_SALE class=REGISTERED lines=42 sha256=<hex of the text>
 *   %%TO 홍길동
 *   %%ADDRESS 충청북도 청주시 ...
 *   %%QR https://...#XXXX-XXXX-XXXX-XXXX     (only on a notice with a self-service link: the printer
 *                                            prints a QR code of it beside the address printed in the text)
 *   <the notice text, line by line (a line that starts with spaces and %% gets one more leading space)>
 *   %%END seq=000001 notice=<noticeId>
 *   <form feed>
 *
 * `class` is REGISTERED (등기) for notices with legal effect and ORDINARY for reminders; the printer
 * puts TO and ADDRESS in the envelope window and starts each record on a new sheet.
 *
 * Idempotent by the delivery's idempotency key, the notice id each record carries: a notice already
 * in the city's file of that day or of the `lookbackDays` before is not appended again (its receipt
 * is returned), so a retry after midnight does not print a second letter. Appends to one file are serialised in this process, and a record torn by a crash in the
 * middle of an append is cut off before the next one is written. The folder must be durable and
 * private to the city (it holds names and addresses): a local disk for the local stack; on AWS a
 * mounted file system or a bucket sink, which this deployment does not configure yet.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { NoticeKind } from '#domain/case';
import { kstDate } from '#domain/dates';
import { reaches, type DeliveryReceipt, type NoticeChannel, type OutgoingNotice, type Recipient } from './channel';
import { noticeText } from './local-folder';

export type MailClass = 'REGISTERED' | 'ORDINARY';

export const DEFAULT_MAIL_CLASS: Readonly<Record<NoticeKind, MailClass>> = {
  DEMAND: 'REGISTERED',
  SEIZURE: 'REGISTERED',
  PRE_SALE: 'REGISTERED',
  REMINDER: 'ORDINARY',
  SALE_RESULT: 'REGISTERED',
  SHORTFALL: 'REGISTERED',
  RELEASE: 'REGISTERED',
  REFUND: 'ORDINARY',
};

export interface PrintRecord {
  seq: number;
  noticeId: string;
  caseId: string;
  kind: NoticeKind;
  mailClass: MailClass;
  sha256: string;
  to: string;
  address: string;
  /** The self-service link to print as a QR code, when the notice carries one. */
  qr?: string;
  text: string;
}

export interface PrintBatch {
  records: PrintRecord[];
  /** Bytes of the file up to the end of the last complete record. */
  completeBytes: number;
  /** Bytes after it (a record torn by a crash), 0 when none. */
  tornBytes: number;
}

const FORM_FEED = '\f';
const BEGIN =
  /^%%BEGIN seq=(\d{6,}) notice=(\S+) case=(\S+) kind=([A-Z_]+) class=(REGISTERED|ORDINARY) lines=(\d+) sha256=([0-9a-f]{64})$/;

export class PrintFileCorruptError extends Error {
  override readonly name = 'PrintFileCorruptError';
}

/** One line, no control characters (a name or an address from the city's system). */
const oneLine = (value: string): string =>
  [...value]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
// A body line that could be read as a control line (spaces, then %%) gets one more leading space.
const escapeLine = (line: string): string => (/^ *%%/.test(line) ? ` ${line}` : line);
const unescapeLine = (line: string): string => (/^ +%%/.test(line) ? line.slice(1) : line);
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The record as written, and its text's hash. */
export function formatPrintRecord(record: Omit<PrintRecord, 'sha256'>): { formatted: string; sha256: string } {
  const lines = record.text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const hash = sha256(`${lines.join('\n')}\n`);
  const seq = String(record.seq).padStart(6, '0');
  const formatted =
    [
      `%%BEGIN seq=${seq} notice=${record.noticeId} case=${record.caseId} kind=${record.kind} class=${record.mailClass} lines=${lines.length} sha256=${hash}`,
      `%%TO ${oneLine(record.to)}`,
      `%%ADDRESS ${oneLine(record.address)}`,
      ...(record.qr ? [`%%QR ${oneLine(record.qr)}`] : []),
      ...lines.map(escapeLine),
      `%%END seq=${seq} notice=${record.noticeId}`,
      FORM_FEED,
    ].join('\n') + '\n';
  return { formatted, sha256: hash };
}

/** Reads a batch file's complete records (and measures a torn tail, if any). */
export function parsePrintBatch(content: string): PrintBatch {
  const records: PrintRecord[] = [];
  const lines = content.split('\n');
  let offset = 0;
  let completeBytes = 0;
  let i = 0;
  const advance = () => {
    offset += Buffer.byteLength(lines[i] ?? '', 'utf8') + 1;
    i += 1;
  };
  // Only the file's tail may be incomplete (an append cut short): anything broken before a later record is corruption.
  const tailFrom = (at: number) => {
    if (lines.slice(at + 1).some((line) => BEGIN.test(line)))
      throw new PrintFileCorruptError(`the record at line ${at + 1} is incomplete or malformed`);
  };
  while (i < lines.length) {
    const head = BEGIN.exec(lines[i] ?? '');
    if (!head) {
      if ((lines[i] ?? '') === '' && i === lines.length - 1) break;
      tailFrom(i);
      break;
    }
    const [, seq, noticeId, caseId, kind, mailClass, count, hash] = head as unknown as [
      string,
      string,
      string,
      string,
      NoticeKind,
      MailClass,
      string,
      string,
    ];
    const n = Number(count);
    const to = lines[i + 1];
    const address = lines[i + 2];
    const qr = lines[i + 3]?.startsWith('%%QR ') ? (lines[i + 3] ?? '').slice(5) : undefined;
    const from = i + 3 + (qr === undefined ? 0 : 1);
    const body = lines.slice(from, from + n);
    const end = lines[from + n];
    const ff = lines[from + 1 + n];
    const complete =
      from + 2 + n < lines.length &&
      to !== undefined &&
      to.startsWith('%%TO ') &&
      address !== undefined &&
      address.startsWith('%%ADDRESS ') &&
      end === `%%END seq=${seq} notice=${noticeId}` &&
      ff === FORM_FEED;
    if (!complete) {
      tailFrom(i);
      break;
    }
    const text = `${body.map(unescapeLine).join('\n')}\n`;
    if (sha256(text) !== hash) throw new PrintFileCorruptError(`record ${seq} does not match its hash`);
    records.push({
      seq: Number(seq),
      noticeId,
      caseId,
      kind,
      mailClass,
      sha256: hash,
      to: to.slice(5),
      address: address.slice(10),
      ...(qr === undefined ? {} : { qr }),
      text,
    });
    for (let k = i; k < from + 2 + n; k++) advance();
    completeBytes = offset;
  }
  return { records, completeBytes, tornBytes: Buffer.byteLength(content, 'utf8') - completeBytes };
}

/** The letter a notice becomes in a print batch, at a sequence number. */
export function printRecordOf(
  notice: OutgoingNotice,
  seq: number,
  mailClass: Readonly<Record<NoticeKind, MailClass>>,
): Omit<PrintRecord, 'sha256'> {
  const address = notice.recipient.contact.address?.trim();
  if (!address) throw new Error('the postal channel needs an address (chooseChannel checks this)');
  const qr = notice.content.kind === 'PRE_SALE' ? notice.content.data.selfService?.url : undefined;
  return {
    seq,
    noticeId: notice.noticeId,
    caseId: notice.caseId,
    kind: notice.kind,
    mailClass: mailClass[notice.kind],
    to: notice.recipient.name,
    address,
    ...(qr ? { qr } : {}),
    text: noticeText(notice),
  };
}

export interface PostalPrintFileOptions {
  mailClass?: Partial<Record<NoticeKind, MailClass>>;
  /** Earlier days' files searched for a repeat: a queue message comes back within 14 days at most. Default 14. */
  lookbackDays?: number;
}

const DAY_MS = 86_400_000;

interface OpenBatch {
  path: string;
  records: Map<string, PrintRecord>;
  lastSeq: number;
}

export class PostalPrintFileChannel implements NoticeChannel {
  readonly kind = 'POST' as const;
  private readonly mailClass: Record<NoticeKind, MailClass>;
  private readonly lookbackDays: number;
  private readonly batches = new Map<string, Promise<OpenBatch>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    options: PostalPrintFileOptions = {},
  ) {
    this.mailClass = { ...DEFAULT_MAIL_CLASS, ...options.mailClass };
    this.lookbackDays = options.lookbackDays ?? 14;
  }

  canReach(recipient: Recipient): boolean {
    return reaches('POST', recipient.contact);
  }

  batchPath(cityId: string, on: Date): string {
    const day = kstDate(on).replaceAll('-', '');
    return join(this.root, cityId, `post-${cityId}-${day}.prn`);
  }

  deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    // One append at a time: sequence numbers and the duplicate check stay exact.
    const run = this.queue.then(() => this.append(notice));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async append(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const path = this.batchPath(notice.cityId, notice.at);
    const sentAt = notice.at.toISOString();
    for (let day = 0; day <= this.lookbackDays; day++) {
      const earlierPath = this.batchPath(notice.cityId, new Date(notice.at.getTime() - day * DAY_MS));
      const existing = (await this.open(earlierPath)).records.get(notice.idempotencyKey);
      if (existing) return { channel: 'POST', reference: `${earlierPath}#${existing.seq}`, sentAt };
    }
    const batch = await this.open(path);
    const record = printRecordOf(notice, batch.lastSeq + 1, this.mailClass);
    const { formatted, sha256: hash } = formatPrintRecord(record);
    try {
      await appendFile(path, formatted, 'utf8');
    } catch (error) {
      // The file may now end in a torn record: read it afresh (and cut the tail) next time.
      this.batches.delete(path);
      throw error;
    }
    batch.lastSeq = record.seq;
    batch.records.set(record.noticeId, { ...record, sha256: hash });
    return { channel: 'POST', reference: `${path}#${record.seq}`, sentAt };
  }

  private open(path: string): Promise<OpenBatch> {
    let batch = this.batches.get(path);
    if (!batch) {
      batch = loadBatch(path);
      this.batches.set(path, batch);
      batch.catch(() => this.batches.delete(path));
    }
    return batch;
  }
}

async function loadBatch(path: string): Promise<OpenBatch> {
  await mkdir(join(path, '..'), { recursive: true });
  let content = '';
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parsed = parsePrintBatch(content);
  // A record torn by a crash mid-append is cut off, so the next record starts clean.
  if (parsed.tornBytes > 0) await truncate(path, parsed.completeBytes);
  return {
    path,
    records: new Map(parsed.records.map((r) => [r.noticeId, r])),
    lastSeq: parsed.records.reduce((max, r) => Math.max(max, r.seq), 0),
  };
}

export async function readPrintBatch(path: string): Promise<PrintRecord[]> {
  return parsePrintBatch(await readFile(path, 'utf8')).records;
}
