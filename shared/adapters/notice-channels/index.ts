/** Notice channels: the port, the channel choice, and the adapters. */
export * from './channel';
export { LocalFolderChannel, noticeText, type LocalFolderMetadata } from './local-folder';
export { PostalPrintFileChannel, parsePrintBatch, readPrintBatch, formatPrintRecord, DEFAULT_MAIL_CLASS, PrintFileCorruptError, type MailClass, type PrintRecord, type PrintBatch } from './postal-print-file';
export * from './messaging';
