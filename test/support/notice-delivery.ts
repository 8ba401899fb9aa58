/**
 * The deployed notice channels' servers for a test file: a print-batch bucket on fauxqs's S3 and
 * the local SES v2 server, started in beforeAll and stopped in afterAll.
 *
 *   const delivery = useNoticeDelivery('print-batches-test');
 *   new S3PrintBatchChannel(delivery.s3, delivery.bucket);
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createS3Client, createSesClient } from '#adapters/notice-channels/clients';
import { startLocalSes, type LocalSes } from '../../local/ses-local';
import { useLocalSqs } from './sqs';

export interface NoticeDelivery {
  readonly bucket: string;
  readonly s3: S3Client;
  readonly ses: LocalSes;
  readonly sesClient: SESv2Client;
}

export function useNoticeDelivery(bucket: string): NoticeDelivery {
  const fauxqs = useLocalSqs();
  let state: Omit<NoticeDelivery, 'bucket'> | undefined;
  beforeAll(async () => {
    const s3 = createS3Client({ S3_ENDPOINT: fauxqs.endpoint });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const ses = await startLocalSes();
    state = { s3, ses, sesClient: createSesClient({ SES_ENDPOINT: ses.endpoint }) };
  });
  afterAll(async () => {
    state?.s3.destroy();
    state?.sesClient.destroy();
    await state?.ses.stop();
  });
  const current = (): Omit<NoticeDelivery, 'bucket'> => {
    if (!state) throw new Error('the notice servers start in beforeAll: use them inside tests or hooks');
    return state;
  };
  return {
    bucket,
    get s3() {
      return current().s3;
    },
    get ses() {
      return current().ses;
    },
    get sesClient() {
      return current().sesClient;
    },
  };
}
