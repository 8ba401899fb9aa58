/**
 * The refund instruction files in S3, beside the print batches (the same bucket, its own prefix,
 * read by the city's finance system only):
 *
 *   s3://<bucket>/refunds/<cityId>/refund-<cityId>-<YYYYMMDD>.csv
 *
 * A day's file is written whole from the day's instructions (shared/domain/refunds.ts), so a rerun
 * writes the same bytes; the bucket is versioned, so every write stays on record.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalDate } from '#domain/dates';
import { dailyFileKey, readS3Text, writeS3Text } from './s3-files';

/** Where refund files go (the finance system's pickup role reads only this prefix). */
export const REFUND_PREFIX = 'refunds/';

export class S3RefundFiles {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly prefix = REFUND_PREFIX,
  ) {}

  key(cityId: string, day: LocalDate): string {
    return dailyFileKey(this.prefix, 'refund', 'csv', cityId, day);
  }

  async write(key: string, content: string): Promise<void> {
    await writeS3Text(this.s3, this.bucket, key, content, { contentType: 'text/csv; charset=utf-8' });
  }

  /** The file's text ('' when absent). */
  async read(key: string): Promise<string> {
    return (await readS3Text(this.s3, this.bucket, key)).content;
  }
}
