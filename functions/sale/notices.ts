/**
 * The sale steps' NoticePublisher over the notice pipeline's queue (shared/adapters/sqs/notice-queue.ts):
 * best effort after the commit; a notice not queued stays PENDING in the outbox for the sweeper.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sendNoticeMessages } from '#adapters/sqs/notice-queue';
import type { NoticePublisher } from './context';

export function queueNoticePublisher(
  client: SQSClient,
  queueUrl: string | undefined,
  logger: Pick<Logger, 'warn'>,
): NoticePublisher {
  return {
    async publish(c, noticeIds) {
      if (!queueUrl) {
        logger.warn('no notice queue configured: the outbox sweeper will send the notices', {
          count: noticeIds.length,
        });
        return;
      }
      const outcome = await sendNoticeMessages(
        client,
        queueUrl,
        noticeIds.map((noticeId) => ({ cityId: c.cityId, caseId: c.caseId, noticeId })),
      );
      if (outcome.failed.length > 0)
        logger.warn('notices not queued; the outbox sweeper will send them', { failed: outcome.failed });
    },
  };
}
