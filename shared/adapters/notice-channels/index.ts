/** Notice channels: the port, the channel choice, and the adapters. */
export * from './channel';
export { LocalFolderChannel, noticeText, type LocalFolderMetadata } from './local-folder';
export {
  PostalPrintFileChannel,
  parsePrintBatch,
  readPrintBatch,
  formatPrintRecord,
  DEFAULT_MAIL_CLASS,
  PrintFileCorruptError,
  type MailClass,
  type PrintRecord,
  type PrintBatch,
} from './postal-print-file';
export * from './messaging';
export {
  S3PrintBatchChannel,
  readS3PrintBatch,
  PrintBatchContentionError,
  type S3PrintBatchOptions,
} from './s3-print-batch';
export { SesEmailGateway, EmailRefusedError, type SesEmailOptions } from './ses-email';
