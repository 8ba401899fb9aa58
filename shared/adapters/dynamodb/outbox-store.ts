/**
 * The notice outbox on DynamoDB: what the dispatcher, the sweeper and the reminder run read and
 * record about notice records (`NOTICE#<noticeId>` in the case's partition, written by the case
 * store in the transaction that caused them).
 *
 * A notice record is never deleted; its delivery is recorded on it:
 *   outboxStatus    PENDING until a channel accepted it, then SENT (the case store's NoticeRecord.status)
 *   deliveryStatus  FAILED after a failed attempt, SENT when handed over, DELIVERED when confirmed
 *   channel, lastAttemptAt (set before a channel is handed the notice, so a crash mid-delivery is
 *   known and the retry goes by the same channel under the same key),
 *   channelReference, sentAt, deliveredAt, attempts, lastFailedAt, lastFailureReason,
 *   renderedTitle, renderedText, renderedSha256 (exactly what was sent), resends, parkedAt
 *
 * The sparse outbox index (GSI3) holds the records still PENDING, sorted by their last activity:
 * creation, a failed attempt, or a re-send by the sweeper. So the sweeper ("pending and quiet for N
 * minutes") finds only notices whose message was lost, not those the queue is still retrying; a
 * notice whose last allowed attempt failed leaves the index (`parkedAt`): its message is in the
 * dead-letter queue, where an operator redrives it.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeadlineEntry, NoticeRecord } from '#domain/case-store';
import type { LocalDate } from '#domain/dates';
import { documentClient } from './client';
import { casePk, DEADLINE_PARTITIONS, OUTBOX_PARTITIONS, outboxShard, SK } from './keys';
import { int, itemToDeadline, itemToNotice, str, type Item } from './marshal';
import { INDEX } from './table-definition';

export interface NoticeRef {
  cityId: string;
  caseId: string;
  noticeId: string;
}

export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'FAILED';

export interface NoticeDelivery extends NoticeRecord, NoticeRef {
  deliveryStatus?: DeliveryStatus;
  channel?: string;
  channelReference?: string;
  sentAt?: string;
  deliveredAt?: string;
  attempts: number;
  lastAttemptAt?: string;
  lastFailedAt?: string;
  lastFailureReason?: string;
  renderedTitle?: string;
  renderedText?: string;
  renderedSha256?: string;
  resends: number;
  lastResentAt?: string;
  parkedAt?: string;
  /** Still in the outbox index (PENDING and not parked). */
  inOutbox: boolean;
}

export interface SentRecord {
  channel: string;
  reference: string;
  sentAt: string;
  deliveredAt?: string;
  title: string;
  text: string;
  sha256: string;
}

export interface FailureRecord {
  at: string;
  /** An error name and a message free of personal data. */
  reason: string;
  channel?: string;
  /** The last attempt the queue allows: take the notice out of the outbox index. */
  park: boolean;
}

export class NoticeNotFoundError extends Error {
  override readonly name = 'NoticeNotFoundError';
  constructor(readonly ref: NoticeRef) {
    super(`no notice ${ref.noticeId} in case ${ref.caseId}`);
  }
}

/** The outbox sort key: last activity first, then the record. */
export const outboxSk = (at: string, ref: NoticeRef): string => `${at}#${ref.cityId}#${ref.caseId}#${ref.noticeId}`;

const NOTICE_PREFIX = 'NOTICE#';
const optStr = (item: Item, name: string): string | undefined =>
  item[name] === undefined ? undefined : str(item[name], name);

export class DynamoDbOutboxStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  private key(ref: NoticeRef) {
    return { PK: casePk(ref.cityId, ref.caseId), SK: SK.notice(ref.noticeId) };
  }

  async getNotice(ref: NoticeRef): Promise<NoticeDelivery | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(ref), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item || item.recordType !== 'NOTICE') return undefined;
    const optional = <K extends keyof NoticeDelivery>(name: K) => {
      const v = optStr(item, name);
      return v === undefined ? {} : { [name]: v };
    };
    return {
      ...itemToNotice(item),
      cityId: str(item.cityId, 'cityId'),
      caseId: str(item.caseId, 'caseId'),
      ...optional('deliveryStatus'),
      ...optional('channel'),
      ...optional('channelReference'),
      ...optional('sentAt'),
      ...optional('deliveredAt'),
      ...optional('lastAttemptAt'),
      ...optional('lastFailedAt'),
      ...optional('lastFailureReason'),
      ...optional('renderedTitle'),
      ...optional('renderedText'),
      ...optional('renderedSha256'),
      ...optional('lastResentAt'),
      ...optional('parkedAt'),
      attempts: item.attempts === undefined ? 0 : int(item.attempts, 'attempts'),
      resends: item.resends === undefined ? 0 : int(item.resends, 'resends'),
      inOutbox: item.GSI3PK !== undefined,
    };
  }

  /**
   * Records the hand-over to a channel, once: only a PENDING record becomes SENT, and it leaves the
   * outbox index. Answers ALREADY_SENT when another attempt recorded it first.
   */
  async markSent(ref: NoticeRef, sent: SentRecord): Promise<'SENT' | 'ALREADY_SENT'> {
    const updated = await this.updatePending(
      ref,
      'SET outboxStatus = :sent, deliveryStatus = :status, channel = :channel, channelReference = :reference, sentAt = :sentAt, ' +
        'renderedTitle = :title, renderedText = :text, renderedSha256 = :sha' +
        (sent.deliveredAt ? ', deliveredAt = :deliveredAt' : '') +
        ' ADD attempts :one REMOVE GSI3PK, GSI3SK',
      {
        ':sent': 'SENT',
        ':status': sent.deliveredAt ? 'DELIVERED' : 'SENT',
        ':channel': sent.channel,
        ':reference': sent.reference,
        ':sentAt': sent.sentAt,
        ':title': sent.title,
        ':text': sent.text,
        ':sha': sent.sha256,
        ':one': 1,
        ...(sent.deliveredAt ? { ':deliveredAt': sent.deliveredAt } : {}),
      },
    );
    return updated ? 'SENT' : 'ALREADY_SENT';
  }

  /**
   * Records, before the hand-over, which channel is about to be given the notice (and makes it recent
   * outbox activity, so the sweeper does not re-send it meanwhile). False when it was sent meanwhile.
   */
  recordAttempt(ref: NoticeRef, attempt: { channel: string; at: string }): Promise<boolean> {
    return this.updatePending(ref, 'SET channel = :channel, lastAttemptAt = :at, GSI3SK = :sk', {
      ':channel': attempt.channel,
      ':at': attempt.at,
      ':sk': outboxSk(attempt.at, ref),
    });
  }

  /** Applies `update` to a PENDING record: false when it is not PENDING any more; throws when there is none. */
  private async updatePending(ref: NoticeRef, update: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ref),
          ConditionExpression: 'attribute_exists(PK) AND outboxStatus = :pending',
          UpdateExpression: update,
          ExpressionAttributeValues: { ':pending': 'PENDING', ...values },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) throw new NoticeNotFoundError(ref);
      return false;
    }
  }

  /** Records a failed attempt on a PENDING record (false when it was sent meanwhile). */
  async recordFailure(ref: NoticeRef, failure: FailureRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ref),
          ConditionExpression: 'attribute_exists(PK) AND outboxStatus = :pending',
          UpdateExpression:
            'SET deliveryStatus = :failed, lastFailedAt = :at, lastFailureReason = :reason' +
            (failure.channel ? ', channel = :channel' : '') +
            (failure.park ? ', parkedAt = :at' : ', GSI3PK = :shard, GSI3SK = :sk') +
            ' ADD attempts :one' +
            (failure.park ? ' REMOVE GSI3PK, GSI3SK' : ''),
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':failed': 'FAILED',
            ':at': failure.at,
            ':reason': failure.reason.slice(0, 500),
            ':one': 1,
            ...(failure.channel ? { ':channel': failure.channel } : {}),
            ...(failure.park
              ? {}
              : { ':shard': outboxShard(ref.cityId, ref.caseId), ':sk': outboxSk(failure.at, ref) }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** A channel's later confirmation (a postal delivery receipt, a provider's report). */
  async markDelivered(ref: NoticeRef, deliveredAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ref),
          ConditionExpression: 'outboxStatus = :sent AND attribute_not_exists(deliveredAt)',
          UpdateExpression: 'SET deliveryStatus = :delivered, deliveredAt = :at',
          ExpressionAttributeValues: { ':sent': 'SENT', ':delivered': 'DELIVERED', ':at': deliveredAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Notice records in the outbox index whose last activity is before `quietSince`, oldest first
   * within each shard; at most `limit`. Queries the sparse index, never the table.
   */
  async quietPendingNotices(quietSince: Date, limit = 500): Promise<NoticeRef[]> {
    const refs: NoticeRef[] = [];
    for (const partition of OUTBOX_PARTITIONS) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.outbox,
            KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK < :before',
            FilterExpression: 'recordType = :notice',
            ExpressionAttributeValues: { ':pk': partition, ':before': quietSince.toISOString(), ':notice': 'NOTICE' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          const sk = str(item.SK, 'SK');
          if (!sk.startsWith(NOTICE_PREFIX)) continue;
          refs.push({
            cityId: str(item.cityId, 'cityId'),
            caseId: str(item.caseId, 'caseId'),
            noticeId: sk.slice(NOTICE_PREFIX.length),
          });
          if (refs.length >= limit) return refs;
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return refs;
  }

  /** After a re-send: the record's outbox activity is now (false when it was sent or parked meanwhile). */
  async touchPending(ref: NoticeRef, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ref),
          ConditionExpression: 'outboxStatus = :pending AND attribute_exists(GSI3PK)',
          UpdateExpression: 'SET GSI3SK = :sk, lastResentAt = :at ADD resends :one',
          ExpressionAttributeValues: { ':pending': 'PENDING', ':sk': outboxSk(at, ref), ':at': at, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Cases in the deadline index whose date is exactly `date` (every city; NOTICE_SENT and DUE alike). */
  async waitingOn(date: LocalDate): Promise<DeadlineEntry[]> {
    const entries: DeadlineEntry[] = [];
    for (const partition of DEADLINE_PARTITIONS) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.byDeadline,
            KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :date)',
            ExpressionAttributeValues: { ':pk': partition, ':date': `${date}#` },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        entries.push(...(out.Items ?? []).map(itemToDeadline));
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return entries;
  }
}
