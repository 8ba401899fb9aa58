/**
 * Text files in S3 that a city's partners collect (the print contractor's batches, the finance
 * system's refund instructions): read whole, written whole (S3 has no append).
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { kstDate } from '#domain/dates';

/** A file's text and ETag; empty text and no ETag when it does not exist yet. */
export async function readS3Text(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ content: string; etag?: string }> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const content = (await out.Body?.transformToString('utf8')) ?? '';
    return { content, ...(out.ETag ? { etag: out.ETag } : {}) };
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404))
      return { content: '' };
    throw error;
  }
}

/** Writes a file whole; `ifMatch` (an ETag, or `new` for a file that must not exist) makes the write conditional. */
export async function writeS3Text(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
  options: { contentType?: string; ifMatch?: string } = {},
): Promise<void> {
  const condition =
    options.ifMatch === undefined
      ? {}
      : options.ifMatch === 'new'
        ? { IfNoneMatch: '*' }
        : { IfMatch: options.ifMatch };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType ?? 'text/plain; charset=utf-8',
      ...condition,
    }),
  );
}

/** `<prefix><cityId>/<name>-<cityId>-<YYYYMMDD>.<ext>`: one file per city per Korean day. */
export const dailyFileKey = (prefix: string, name: string, ext: string, cityId: string, on: Date | string): string => {
  const day = (typeof on === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(on) ? on : kstDate(on)).replaceAll('-', '');
  return `${prefix}${cityId}/${name}-${cityId}-${day}.${ext}`;
};
