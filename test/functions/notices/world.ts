import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The notice pipeline for a test file, on real local servers: DynamoDB Local (a table of its own),
 * the local SQS server (a FIFO notice queue with a DLQ per test), the dispatcher with the local
 * folder and postal print-file channels writing under a temporary folder, the sweeper and the
 * reminder run, all on one test clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import {
  LocalFolderChannel,
  PostalPrintFileChannel,
  SmsChannel,
  AlimtalkChannel,
  EmailChannel,
  type ChannelKind,
  type ChannelOrder,
  type NoticeChannel,
} from '#adapters/notice-channels/index';
import { noticePublisher, sendNoticeMessages, type PublishNotices } from '#adapters/sqs/notice-queue';
import type { LocalQueueWithDlq } from '../../../local/sqs';
import { createNoticeDispatcher, type DispatcherDeps } from '../../../functions/dispatch-notice/app';
import { createOutboxSweeper } from '../../../functions/sweep-outbox/app';
import { createReminderRun } from '../../../functions/send-reminders/app';
import { useCasesTable } from '../../support/dynamodb';
import { useLocalSqs } from '../../support/sqs';

export const silent = new Logger({ logLevel: 'SILENT' });

export interface NoticeWorldOptions {
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  channelOrder?: ChannelOrder;
}

export function useNoticeWorld() {
  const table = useCasesTable();
  const sqs = useLocalSqs();
  const clock = { now: new Date('2025-09-01T00:00:00Z') };
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'notices-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh queue and dispatcher (its own folders), so tests never share messages or files. */
  async function pipeline(options: NoticeWorldOptions = {}) {
    const maxReceiveCount = options.maxReceiveCount ?? 3;
    const queue: LocalQueueWithDlq = await sqs.fifoQueue('notices', {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
      maxReceiveCount,
    });
    const root = mkdtempSync(join(dir, 'p-'));
    const folder = new LocalFolderChannel(join(root, 'outbox'));
    const post = new PostalPrintFileChannel(join(root, 'print'));
    const channels = new Map<ChannelKind, NoticeChannel>([
      ['LOCAL_FOLDER', folder],
      ['POST', post],
      ['SMS', new SmsChannel()],
      ['ALIMTALK', new AlimtalkChannel()],
      ['EMAIL', new EmailChannel()],
    ]);
    const outbox = new DynamoDbOutboxStore(table.client, table.tableName);
    const deps: DispatcherDeps = {
      outbox,
      cases: table.store,
      channels,
      channelOrder: () => options.channelOrder ?? { '*': ['LOCAL_FOLDER'] },
      exchangeContact: () => ({ address: '서울특별시 강남구 테헤란로 4 (두나무 주식회사)' }),
      maxReceiveCount,
      logger: silent,
      now: () => clock.now,
    };
    const dispatcher = createNoticeDispatcher(deps);
    const consumer = sqs.consumer(queue, dispatcher.handler, { functionName: 'dispatch-notice' });
    const publishNotices: PublishNotices = noticePublisher({ client: sqs.client, queueUrl: queue.url, logger: silent });
    const sweep = createOutboxSweeper({
      outbox,
      send: (messages) => sendNoticeMessages(sqs.client, queue.url, messages),
      quietMinutes: 10,
      logger: silent,
      now: () => clock.now,
    });
    const reminders = createReminderRun({
      store: table.store,
      deadlines: outbox,
      publishNotices,
      cities: ['cheongju'],
      settings: sameSettingsForEveryCity(),
      logger: silent,
      now: () => clock.now,
    });
    return { queue, root, folder, post, outbox, dispatcher, consumer, publishNotices, sweep, reminders, deps };
  }

  return {
    table,
    sqs,
    clock,
    pipeline,
    get dir() {
      return dir;
    },
  };
}
