/**
 * The local stack's channel: each rendered notice becomes a UTF-8 text file and a JSON metadata file
 *   <root>/<cityId>/<caseId>/<noticeId>.txt    the notice as the taxpayer would read it
 *   <root>/<cityId>/<caseId>/<noticeId>.json   kind, title, legal basis, recipient kind, channel, hash
 * named by the delivery's idempotency key (the notice id). Written to a temporary name and renamed,
 * text first, so a reader never sees half a notice; the metadata file marks the delivery done, and a
 * repeat of the same key answers with it and writes nothing. The file is the delivery.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryReceipt, NoticeChannel, OutgoingNotice, Recipient } from './channel';

export interface LocalFolderMetadata {
  noticeId: string;
  cityId: string;
  caseId: string;
  kind: string;
  title: string;
  legalBasis: string[];
  recipient: Recipient['kind'];
  channel: 'LOCAL_FOLDER';
  sha256: string;
  writtenAt: string;
}

/** The notice as printed: title, body, and the provisions it rests on (when the body does not list them). */
export function noticeText(notice: OutgoingNotice): string {
  const { title, body } = notice.rendered;
  const text = body.includes(title) ? body : `${title}\n\n${body}`;
  return text.endsWith('\n') ? text : `${text}\n`;
}

export class LocalFolderChannel implements NoticeChannel {
  readonly kind = 'LOCAL_FOLDER' as const;

  constructor(readonly root: string) {}

  canReach(): boolean {
    return true;
  }

  paths(cityId: string, caseId: string, noticeId: string): { text: string; metadata: string } {
    const dir = join(this.root, cityId, caseId);
    return { text: join(dir, `${noticeId}.txt`), metadata: join(dir, `${noticeId}.json`) };
  }

  async deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const { text: textPath, metadata: metadataPath } = this.paths(notice.cityId, notice.caseId, notice.idempotencyKey);
    const earlier = await readMetadata(metadataPath);
    if (earlier)
      return {
        channel: 'LOCAL_FOLDER',
        reference: textPath,
        sentAt: earlier.writtenAt,
        deliveredAt: earlier.writtenAt,
      };
    await mkdir(join(this.root, notice.cityId, notice.caseId), { recursive: true });
    const text = noticeText(notice);
    const at = notice.at.toISOString();
    const metadata: LocalFolderMetadata = {
      noticeId: notice.noticeId,
      cityId: notice.cityId,
      caseId: notice.caseId,
      kind: notice.kind,
      title: notice.rendered.title,
      legalBasis: notice.rendered.legalBasis,
      recipient: notice.recipient.kind,
      channel: 'LOCAL_FOLDER',
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      writtenAt: at,
    };
    await writeAtomically(textPath, text);
    await writeAtomically(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`);
    return { channel: 'LOCAL_FOLDER', reference: textPath, sentAt: at, deliveredAt: at };
  }
}

async function readMetadata(path: string): Promise<LocalFolderMetadata | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalFolderMetadata;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, content, 'utf8');
  await rename(temporary, path);
}
