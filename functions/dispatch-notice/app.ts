/**
 * The notice dispatcher, an SQS FIFO consumer (message group = case, deduplication id = notice id).
 * For each message: parse → load the notice record (skip it when already SENT) → load the case for
 * the recipient's current contact data → render the Korean notice → choose a channel (city order ×
 * contact data; the channel of an earlier attempt while it still can) → record the attempt → deliver
 * under the notice id as idempotency key → record SENT (conditionally, once) and take it out of the
 * outbox index. A crash or a failed record after the hand-over is thus retried through the same
 * channel under the same key, which answers with the first delivery instead of sending again.
 *
 * A failure is recorded on the notice record (reason, time, attempts) and thrown, so the message is
 * reported in `batchItemFailures` and comes back after the visibility timeout; the attempt the queue
 * allows last also takes the record out of the outbox index (the message moves to the DLQ, which
 * alarms). Other cases' messages in the batch go on (Powertools FIFO processor, skipGroupOnError);
 * later messages of the failed case wait, to keep its notices in order. When recording the failure
 * fails too, that is logged and the original error is the one thrown.
 *
 * Logs carry ids, kinds, channels and error names only: no names, contact data or notice text.
 */
import { createHash } from 'node:crypto';
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Case } from '#domain/case';
import { CaseNotFoundError, type CaseStore } from '#domain/case-store';
import { renderNotice, type NoticeContent } from '#domain/notices';
import { NoticeNotFoundError, type DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import {
  channelOrderFor,
  chooseChannel,
  noticeText,
  PermanentDeliveryError,
  type ChannelKind,
  type ChannelOrder,
  type Contact,
  type NoticeChannel,
  type Recipient,
} from '#adapters/notice-channels/index';
import { InvalidNoticeMessageError, parseNoticeMessage, type NoticeMessage } from '#adapters/sqs/notice-queue';
import type { NoticeKind } from '#domain/notices';

export interface DispatcherDeps {
  outbox: Pick<DynamoDbOutboxStore, 'getNotice' | 'recordAttempt' | 'markSent' | 'recordFailure'>;
  cases: Pick<CaseStore, 'get'>;
  channels: ReadonlyMap<ChannelKind, NoticeChannel>;
  channelOrder: (cityId: string) => ChannelOrder;
  /** Where the exchange receives the seizure notice's transfer demand, per city. */
  exchangeContact?: (cityId: string) => Contact;
  /** The queue's maxReceiveCount: the attempt with this receive count is the last. */
  maxReceiveCount: number;
  logger: Logger;
  metrics?: { addMetric(name: string, unit: 'Count', value: number): void };
  now?: () => Date;
  /**
   * Records an electronic channel's receipt of a notice on its case (the pre-sale notice's deadline
   * runs from it); idempotent, so a redelivered message records it again harmlessly.
   */
  recordReceipt?(ref: NoticeMessage, kind: NoticeKind, deliveredAt: string): Promise<void>;
  /**
   * Adds the taxpayer's self-service link to a notice that carries one (the pre-sale notice), the
   * same on every attempt: the notice's text changes by that link alone (./self-service-link.ts).
   */
  withSelfServiceLink?(ref: NoticeMessage, content: NoticeContent): Promise<NoticeContent>;
}

export type DispatchOutcome = 'SENT' | 'ALREADY_SENT';
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Errors whose message is ours and holds no personal data: logged with it. Others (a notice's
 * figures, a provider's answer) are logged by name only; their message goes to the notice record,
 * in the encrypted table, where an officer reads why a notice did not go out.
 */
const LOGGABLE_ERRORS = [PermanentDeliveryError, InvalidNoticeMessageError, NoticeNotFoundError, CaseNotFoundError];
const forLog = (error: unknown): { name: string; message?: string } => {
  if (!(error instanceof Error)) return { name: 'NonError' };
  return LOGGABLE_ERRORS.some((E) => error instanceof E)
    ? { name: error.name, message: error.message }
    : { name: error.name };
};
const forRecord = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : 'NonError');

export function recipientOf(content: NoticeContent, c: Case, exchangeContact: (cityId: string) => Contact): Recipient {
  if (content.kind === 'SEIZURE' && content.data.recipient === 'EXCHANGE') {
    return { kind: 'EXCHANGE', name: content.data.exchangeName, contact: exchangeContact(c.cityId) };
  }
  return { kind: 'TAXPAYER', name: content.data.taxpayerName, contact: c.taxpayer.contact };
}

export function createNoticeDispatcher(deps: DispatcherDeps): {
  handler: SqsBatchHandler;
  dispatch: (record: SQSRecord) => Promise<DispatchOutcome>;
} {
  const now = deps.now ?? (() => new Date());
  const exchangeContact = deps.exchangeContact ?? (() => ({}));

  async function dispatch(record: SQSRecord): Promise<DispatchOutcome> {
    const ref = parseNoticeMessage(record.body);
    const notice = await deps.outbox.getNotice(ref);
    if (!notice) throw new NoticeNotFoundError(ref);
    const log = { noticeId: ref.noticeId, caseId: ref.caseId, cityId: ref.cityId, kind: notice.kind };
    if (notice.status === 'SENT') {
      // A crash after the hand-over was recorded may have kept the receipt from the case.
      if (notice.deliveredAt) await deps.recordReceipt?.(ref, notice.kind, notice.deliveredAt);
      deps.logger.info('notice already sent', { ...log, channel: notice.channel });
      return 'ALREADY_SENT';
    }
    const attempt = Number(record.attributes.ApproximateReceiveCount);
    let channel: NoticeChannel | undefined;
    try {
      const c = await deps.cases.get(ref.cityId, ref.caseId);
      if (!c) throw new CaseNotFoundError(ref.cityId, ref.caseId);
      const content = deps.withSelfServiceLink ? await deps.withSelfServiceLink(ref, notice.content) : notice.content;
      const rendered = renderNotice(content);
      const recipient = recipientOf(content, c, exchangeContact);
      const order = channelOrderFor(deps.channelOrder(ref.cityId), notice.kind);
      // A retry goes where the earlier attempt went (it may have delivered), while that channel is
      // still in the order and reaches the recipient: another channel would send a second copy.
      const earlierKind = order.find((kind) => kind === notice.channel);
      const earlier = earlierKind ? deps.channels.get(earlierKind) : undefined;
      channel = earlier?.canReach(recipient) ? earlier : chooseChannel(deps.channels, order, notice.kind, recipient);
      const at = now();
      if (!(await deps.outbox.recordAttempt(ref, { channel: channel.kind, at: at.toISOString() }))) {
        deps.logger.info('notice already sent', log);
        return 'ALREADY_SENT';
      }
      const outgoing = { ...ref, idempotencyKey: ref.noticeId, kind: notice.kind, content, rendered, recipient, at };
      const receipt = await channel.deliver(outgoing);
      const text = noticeText(outgoing);
      const result = await deps.outbox.markSent(ref, {
        channel: receipt.channel,
        reference: receipt.reference,
        sentAt: receipt.sentAt,
        ...(receipt.deliveredAt ? { deliveredAt: receipt.deliveredAt } : {}),
        title: rendered.title,
        text,
        sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      });
      if (receipt.deliveredAt) await deps.recordReceipt?.(ref, notice.kind, receipt.deliveredAt);
      deps.logger.info('notice sent', { ...log, channel: receipt.channel, attempt, result });
      deps.metrics?.addMetric('NoticeSent', 'Count', 1);
      return result;
    } catch (error) {
      const parked = attempt >= deps.maxReceiveCount;
      try {
        await deps.outbox.recordFailure(ref, {
          at: now().toISOString(),
          reason: forRecord(error),
          ...(channel ? { channel: channel.kind } : {}),
          park: parked,
        });
      } catch (recordError) {
        // The delivery's own error is the one that matters (and is thrown): this one is only logged.
        deps.logger.error('notice failure not recorded', { ...log, attempt, error: forLog(recordError) });
      }
      deps.logger.error(
        parked ? 'notice not sent; last attempt, parked in the dead-letter queue' : 'notice not sent; will be retried',
        {
          ...log,
          channel: channel?.kind,
          attempt,
          error: forLog(error),
        },
      );
      deps.metrics?.addMetric(parked ? 'NoticeParked' : 'NoticeFailed', 'Count', 1);
      throw error;
    }
  }

  async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // A fresh processor per batch: its state is per invocation.
    const processor = new SqsFifoPartialProcessorAsync();
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        try {
          return await dispatch(record);
        } catch (error) {
          // Unparseable or unknown messages never reach dispatch's own logging.
          if (error instanceof InvalidNoticeMessageError || error instanceof NoticeNotFoundError) {
            deps.logger.error('poison notice message', {
              messageId: record.messageId,
              attempt: record.attributes.ApproximateReceiveCount,
              error: forLog(error),
            });
            deps.metrics?.addMetric('NoticePoisonMessage', 'Count', 1);
          }
          throw error;
        }
      },
      processor,
      { context, skipGroupOnError: true, throwOnFullBatchFailure: false },
    );
  }

  return { handler, dispatch };
}
