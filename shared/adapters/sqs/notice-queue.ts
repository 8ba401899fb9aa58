/**
 * The notice dispatch queue (SQS FIFO): one message per notice record, message group = the case
 * (notices of one case are handled one at a time, in order), deduplication id = the notice id.
 * The message names the record only; the content stays in the table, never in the queue.
 *
 * `publishNotices` runs after a transition is committed. It is best effort on purpose: the notice
 * records were written in the same transaction as the change (the outbox), so a send that fails
 * leaves them PENDING and the outbox sweeper (functions/sweep-outbox) sends them later. It reports
 * what it could not send and never throws.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Transition } from '#domain/case';

export interface NoticeMessage {
  cityId: string;
  caseId: string;
  noticeId: string;
}

export class InvalidNoticeMessageError extends Error {
  override readonly name = 'InvalidNoticeMessageError';
}

const ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Reads a message body; anything else is a poison message. */
export function parseNoticeMessage(body: string): NoticeMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidNoticeMessageError('the body is not JSON');
  }
  const v = value as Partial<Record<keyof NoticeMessage, unknown>> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new InvalidNoticeMessageError('the body is not an object');
  for (const key of ['cityId', 'caseId', 'noticeId'] as const) {
    if (typeof v[key] !== 'string' || !ID.test(v[key]))
      throw new InvalidNoticeMessageError(`${key} is missing or malformed`);
  }
  return { cityId: v.cityId as string, caseId: v.caseId as string, noticeId: v.noticeId as string };
}

export const noticeMessageGroup = (cityId: string, caseId: string): string => `${cityId}#${caseId}`;

export interface SendOutcome {
  sent: string[];
  /** Notice ids not sent, with the reason (no personal data: SQS error codes). */
  failed: { noticeId: string; reason: string }[];
}

/** Sends the messages in batches of ten; never throws (failures are returned). */
export async function sendNoticeMessages(
  client: SQSClient,
  queueUrl: string,
  messages: readonly NoticeMessage[],
): Promise<SendOutcome> {
  const outcome: SendOutcome = { sent: [], failed: [] };
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    try {
      const answer = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(m),
            MessageGroupId: noticeMessageGroup(m.cityId, m.caseId),
            MessageDeduplicationId: m.noticeId,
          })),
        }),
      );
      for (const ok of answer.Successful ?? []) {
        const m = chunk[Number(ok.Id)];
        if (m) outcome.sent.push(m.noticeId);
      }
      for (const bad of answer.Failed ?? []) {
        const m = chunk[Number(bad.Id)];
        if (m) outcome.failed.push({ noticeId: m.noticeId, reason: bad.Code ?? 'unknown' });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown';
      outcome.failed.push(...chunk.map((m) => ({ noticeId: m.noticeId, reason })));
    }
  }
  return outcome;
}

export const noticeMessagesOf = (transition: Pick<Transition, 'case' | 'notices'>): NoticeMessage[] =>
  transition.notices.map((n) => ({
    cityId: transition.case.cityId,
    caseId: transition.case.caseId,
    noticeId: n.noticeId,
  }));

/** What a handler calls after a commit. */
export type PublishNotices = (transition: Pick<Transition, 'case' | 'notices'>) => Promise<SendOutcome>;

export interface WarnLogger {
  warn(message: string, ...extra: unknown[]): void;
}

export function noticePublisher(options: { client: SQSClient; queueUrl: string; logger?: WarnLogger }): PublishNotices {
  return async function publishNotices(transition) {
    const messages = noticeMessagesOf(transition);
    if (messages.length === 0) return { sent: [], failed: [] };
    const outcome = await sendNoticeMessages(options.client, options.queueUrl, messages);
    if (outcome.failed.length > 0) {
      options.logger?.warn('notices not queued; the outbox sweeper will send them', { failed: outcome.failed });
    }
    return outcome;
  };
}

/** For processes without a queue: the notices wait in the outbox for the sweeper. */
export const leaveForSweeper: PublishNotices = async (transition) => ({
  sent: [],
  failed: transition.notices.map((n) => ({ noticeId: n.noticeId, reason: 'NO_QUEUE' })),
});
