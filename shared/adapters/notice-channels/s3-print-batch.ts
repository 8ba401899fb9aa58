/**
 * The postal channel on S3: every notice handed to it is appended, print-ready, to the city's batch
 * file of the day (Korean date of the hand-over), in the format of postal-print-file.ts:
 *
 *   s3://<bucket>/<prefix><cityId>/post-<cityId>-<YYYYMMDD>.prn
 *
 * The city's print-and-mail contractor collects the day's file (read-only access to the city's
 * prefix); the post office's delivery results come back through the API.
 *
 * One file per city per day, idempotent by the delivery's idempotency key (the notice id): a notice
 * already handed over is not appended again, its first receipt is returned. After an append a small
 * marker `<prefix><cityId>/sent/<key>` records where the letter went, so a retry on a later day (a
 * message back from the queue after midnight) finds it with one read instead of every earlier
 * day's file; a retry the same day also finds it in the day's file, marker or not (a crash between
 * the two writes). S3 has no append, so a delivery reads
 * the file, appends the record and writes it back only if nobody wrote it meanwhile (conditional
 * write: If-Match on the ETag read, If-None-Match for a new file; a lost race reads again). Within a
 * process the appends to one file also take turns, which is all a local emulator without
 * conditional writes needs. The file grows through the day; a city that mails thousands of letters a
 * day pays for reading it each time (cheap within the region), never for a lost letter.
 */
import { GetObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { NoticeKind } from '#domain/case';
import { dailyFileKey, readS3Text, writeS3Text } from '#adapters/s3-files';
import { reaches, type DeliveryReceipt, type NoticeChannel, type OutgoingNotice, type Recipient } from './channel';
import {
  DEFAULT_MAIL_CLASS,
  formatPrintRecord,
  parsePrintBatch,
  printRecordOf,
  type MailClass,
} from './postal-print-file';

export interface S3PrintBatchOptions {
  /** Key prefix inside the bucket (default `print/`). */
  prefix?: string;
  mailClass?: Partial<Record<NoticeKind, MailClass>>;
  /** Attempts when another writer changed the file meanwhile (default 8). */
  attempts?: number;
}

export class PrintBatchContentionError extends Error {
  override readonly name = 'PrintBatchContentionError';
}

export class S3PrintBatchChannel implements NoticeChannel {
  readonly kind = 'POST' as const;
  private readonly prefix: string;
  private readonly mailClass: Record<NoticeKind, MailClass>;
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly options: S3PrintBatchOptions = {},
  ) {
    this.prefix = options.prefix ?? 'print/';
    this.mailClass = { ...DEFAULT_MAIL_CLASS, ...options.mailClass };
  }

  canReach(recipient: Recipient): boolean {
    return reaches('POST', recipient.contact);
  }

  batchKey(cityId: string, on: Date): string {
    return dailyFileKey(this.prefix, 'post', 'prn', cityId, on);
  }

  deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const key = this.batchKey(notice.cityId, notice.at);
    const run = (this.turns.get(key) ?? Promise.resolve()).then(() => this.append(key, notice));
    const settled = run.catch(() => undefined);
    this.turns.set(key, settled);
    void settled.then(() => {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    });
    return run;
  }

  markerKey(cityId: string, idempotencyKey: string): string {
    return `${this.prefix}${cityId}/sent/${idempotencyKey}`;
  }

  private async append(key: string, notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const sentAt = notice.at.toISOString();
    const marker = this.markerKey(notice.cityId, notice.idempotencyKey);
    const earlier = (await readS3Text(this.s3, this.bucket, marker)).content.trim();
    if (earlier) return { channel: 'POST', reference: earlier, sentAt };
    const reference = (seq: number) => `s3://${this.bucket}/${key}#${seq}`;
    const handedOver = async (seq: number): Promise<DeliveryReceipt> => {
      await writeS3Text(this.s3, this.bucket, marker, reference(seq));
      return { channel: 'POST', reference: reference(seq), sentAt };
    };
    for (let attempt = 1; attempt <= (this.options.attempts ?? 8); attempt++) {
      const { content, etag } = await readS3Text(this.s3, this.bucket, key);
      const batch = parsePrintBatch(content);
      const existing = batch.records.find((r) => r.noticeId === notice.idempotencyKey);
      if (existing) return handedOver(existing.seq);
      const seq = batch.records.reduce((max, r) => Math.max(max, r.seq), 0) + 1;
      const { formatted } = formatPrintRecord(printRecordOf(notice, seq, this.mailClass));
      // A torn tail cannot happen on S3 (a put is whole), but a file written by hand might have one: drop it.
      const body = Buffer.concat([
        Buffer.from(content, 'utf8').subarray(0, batch.completeBytes),
        Buffer.from(formatted, 'utf8'),
      ]);
      try {
        await writeS3Text(this.s3, this.bucket, key, body, { ifMatch: etag ?? 'new' });
        return await handedOver(seq);
      } catch (error) {
        // 412: the file changed since it was read; 409: a concurrent conditional write. Read again.
        if (
          error instanceof S3ServiceException &&
          (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409)
        )
          continue;
        throw error;
      }
    }
    throw new PrintBatchContentionError(
      `the print batch ${key} kept changing while a notice was appended; retried later`,
    );
  }
}

/** The records of a day's batch (for the contractor's pickup, tests and the local demo). */
export async function readS3PrintBatch(s3: S3Client, bucket: string, key: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return parsePrintBatch((await out.Body?.transformToString('utf8')) ?? '').records;
}
