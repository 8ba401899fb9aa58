/** The channels a deployment offers: folders where configured, providers not configured yet (they fail loudly). */
import {
  AlimtalkChannel,
  EmailChannel,
  LocalFolderChannel,
  PostalPrintFileChannel,
  SmsChannel,
  UnavailableChannel,
  type ChannelKind,
  type NoticeChannel,
} from '#adapters/notice-channels/index';

export function channelsFor(options: { localOutboxDir?: string; printBatchDir?: string }): Map<ChannelKind, NoticeChannel> {
  return new Map<ChannelKind, NoticeChannel>([
    ['LOCAL_FOLDER', options.localOutboxDir ? new LocalFolderChannel(options.localOutboxDir) : new UnavailableChannel('LOCAL_FOLDER')],
    ['POST', options.printBatchDir ? new PostalPrintFileChannel(options.printBatchDir) : new UnavailableChannel('POST')],
    ['SMS', new SmsChannel()],
    ['ALIMTALK', new AlimtalkChannel()],
    ['EMAIL', new EmailChannel()],
  ]);
}
