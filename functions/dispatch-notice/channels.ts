/**
 * The channels a deployment offers: the postal print batches in S3 and e-mail through SES v2 where
 * configured, a local folder for tests; SMS and alimtalk until a provider is contracted (they fail loudly).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  AlimtalkChannel,
  EmailChannel,
  LocalFolderChannel,
  PostalPrintFileChannel,
  S3PrintBatchChannel,
  SesEmailGateway,
  SmsChannel,
  UnavailableChannel,
  type ChannelKind,
  type NoticeChannel,
} from '#adapters/notice-channels/index';

export interface ChannelOptions {
  localOutboxDir?: string;
  printBatchDir?: string;
  printBatchBucket?: string;
  emailFrom?: string;
}

export function channelsFor(
  options: ChannelOptions,
  clients: { s3?: () => S3Client; ses?: () => SESv2Client } = {},
): Map<ChannelKind, NoticeChannel> {
  const post = (): NoticeChannel => {
    if (options.printBatchBucket && clients.s3) return new S3PrintBatchChannel(clients.s3(), options.printBatchBucket);
    if (options.printBatchDir) return new PostalPrintFileChannel(options.printBatchDir);
    return new UnavailableChannel('POST');
  };
  const email = (): NoticeChannel =>
    options.emailFrom && clients.ses
      ? new EmailChannel(new SesEmailGateway(clients.ses(), { from: options.emailFrom }), { receiptOnAcceptance: true })
      : new EmailChannel();
  return new Map<ChannelKind, NoticeChannel>([
    [
      'LOCAL_FOLDER',
      options.localOutboxDir ? new LocalFolderChannel(options.localOutboxDir) : new UnavailableChannel('LOCAL_FOLDER'),
    ],
    ['POST', post()],
    ['SMS', new SmsChannel()],
    ['ALIMTALK', new AlimtalkChannel()],
    ['EMAIL', email()],
  ]);
}
