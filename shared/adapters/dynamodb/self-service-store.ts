/**
 * The taxpayer self-service page's records in the cases table (docs/SELF_SERVICE.md):
 *
 *   SELFSERVICE#LINK#<code> / LINK              the link a notice printed: city, case, notice, expiry,
 *                                               and the second-check attempts made through it
 *   CITY#<cityId>#SELFSERVICE#<caseId> / CHECK  the second check's peppered digest (never the birth
 *                                               date) and the attempts made on the case
 *   CITY#<cityId>#SELFSERVICE#<caseId> / ACCESS#<at>#<requestId>   every access, kept (audit)
 *   SELFSERVICE#RATE#<client>#<window> / RATE   requests of one client address in one window (TTL)
 *
 * Attempts are reserved before an answer is compared, by conditional writes: a window starts with
 * the first attempt and at most `limit` attempts are reserved in it, however many arrive at once;
 * the attempt after that is refused until the window ends. A passed check clears the counters.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '#domain/case-store';
import type { LinkGrant } from '#adapters/self-service/access-keys';
import { documentClient, queryAll } from './client';
import { safeId } from './keys';
import { int, str } from './marshal';

const linkKey = (code: string) => ({ PK: `SELFSERVICE#LINK#${safeId('code', code)}`, SK: 'LINK' });
const casePk = (cityId: string, caseId: string) =>
  `CITY#${safeId('cityId', cityId)}#SELFSERVICE#${safeId('caseId', caseId)}`;
const checkKey = (cityId: string, caseId: string) => ({ PK: casePk(cityId, caseId), SK: 'CHECK' });

export type AccessOutcome =
  'CHECK_PASSED' | 'CHECK_FAILED' | 'LOCKED' | 'EXPIRED' | 'NO_CHECK' | 'READ' | 'SALE_PLAN' | 'SALE_REQUEST';

export interface AccessEntry {
  at: string;
  outcome: AccessOutcome;
  noticeId: string;
  route: string;
  requestId: string;
}

const accessEntry = (i: Record<string, unknown>): AccessEntry => ({
  at: str(i.at, 'at'),
  outcome: str(i.outcome, 'outcome') as AccessOutcome,
  noticeId: str(i.noticeId, 'noticeId'),
  route: str(i.route, 'route'),
  requestId: str(i.requestId, 'requestId'),
});

/** The sort key a cursor names: an access entry's (`ACCESS#<at>#<requestId>`), nothing else. */
function accessPosition(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    !/^ACCESS#\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\w.:-]{1,200}$/.test(sk) ||
    Buffer.from(sk).toString('base64url') !== cursor
  )
    throw new InvalidCursorError('the cursor is not one this listing gave out');
  return sk;
}

/** Which counter an attempt is reserved on: the link's, or the case's (all its links). */
export type AttemptScope = { kind: 'LINK'; code: string } | { kind: 'CASE'; cityId: string; caseId: string };

const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException';

export class DynamoDbSelfServiceStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  /** Records a notice's link; a retried notice writes the same record again, harmlessly. */
  async putLink(code: string, grant: LinkGrant, at: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...linkKey(code),
            cityId: grant.cityId,
            caseId: grant.caseId,
            noticeId: grant.noticeId,
            expiresOn: grant.expiresOn,
            createdAt: at,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getLink(code: string): Promise<LinkGrant | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: linkKey(code), ConsistentRead: true }),
    );
    const i = out.Item;
    if (!i) return undefined;
    return {
      cityId: str(i.cityId, 'cityId'),
      caseId: str(i.caseId, 'caseId'),
      noticeId: str(i.noticeId, 'noticeId'),
      expiresOn: str(i.expiresOn, 'expiresOn'),
    };
  }

  /** Sets (or replaces) the case's second check; the attempts already made still count. */
  async setCheck(cityId: string, caseId: string, digest: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: checkKey(cityId, caseId),
        UpdateExpression: 'SET digest = :d, setAt = :at',
        ExpressionAttributeValues: { ':d': digest, ':at': at },
      }),
    );
  }

  async getCheck(cityId: string, caseId: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: checkKey(cityId, caseId),
        ConsistentRead: true,
        ProjectionExpression: 'digest',
      }),
    );
    return out.Item?.digest === undefined ? undefined : str(out.Item.digest, 'digest');
  }

  /**
   * Reserves one attempt on the scope's counter: true when it may be made, false when `limit`
   * attempts were made in the current window (locked until it ends). The record must exist.
   */
  async reserveAttempt(scope: AttemptScope, now: Date, limit: number, windowMs: number): Promise<boolean> {
    const Key = scope.kind === 'LINK' ? linkKey(scope.code) : checkKey(scope.cityId, scope.caseId);
    const nowMs = now.getTime();
    try {
      // A new window, when none is running.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET attempts = :one, windowEnds = :end',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(windowEnds) OR windowEnds <= :now)',
          ExpressionAttributeValues: { ':one': 1, ':end': nowMs + windowMs, ':now': nowMs },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'attribute_exists(PK) AND windowEnds > :now AND attempts < :limit',
          ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':limit': limit },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** After a passed check: the attempts are forgotten. */
  async clearAttempts(scope: AttemptScope): Promise<void> {
    const Key = scope.kind === 'LINK' ? linkKey(scope.code) : checkKey(scope.cityId, scope.caseId);
    await this.doc.send(
      new UpdateCommand({ TableName: this.tableName, Key, UpdateExpression: 'REMOVE attempts, windowEnds' }),
    );
  }

  async recordAccess(cityId: string, caseId: string, entry: AccessEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: casePk(cityId, caseId), SK: `ACCESS#${entry.at}#${entry.requestId}`, ...entry },
      }),
    );
  }

  /** Every access to a case's page, oldest first. */
  async accessLog(cityId: string, caseId: string): Promise<AccessEntry[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :access)',
      ExpressionAttributeValues: { ':pk': casePk(cityId, caseId), ':access': 'ACCESS#' },
      ConsistentRead: true,
    });
    return items.map(accessEntry);
  }

  /**
   * One page of a case's page accesses, newest first (officers and auditors read it). The cursor
   * is the last entry's position; one that is not a position in this case's log is refused.
   */
  async accessPage(
    cityId: string,
    caseId: string,
    options: { cursor?: string; limit: number },
  ): Promise<{ items: AccessEntry[]; cursor?: string }> {
    const PK = casePk(cityId, caseId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :access)',
        ExpressionAttributeValues: { ':pk': PK, ':access': 'ACCESS#' },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.cursor ? { ExclusiveStartKey: { PK, SK: accessPosition(options.cursor) } } : {}),
      }),
    );
    const last = out.LastEvaluatedKey?.SK as string | undefined;
    return {
      items: (out.Items ?? []).map(accessEntry),
      ...(last ? { cursor: Buffer.from(last, 'utf8').toString('base64url') } : {}),
    };
  }

  /**
   * Counts one request of a client (an opaque tag of its address) in the current fixed window:
   * the count so far, and when the window ends. The record expires with its window.
   */
  async countRequest(client: string, now: Date, windowSeconds: number): Promise<{ count: number; windowEnds: Date }> {
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: `SELFSERVICE#RATE#${safeId('client', client)}#${start}`, SK: 'RATE' },
        UpdateExpression: 'ADD requests :one SET expiresAt = :ttl',
        ExpressionAttributeValues: { ':one': 1, ':ttl': Math.floor((start + 2 * windowMs) / 1000) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { count: int(out.Attributes?.requests, 'requests'), windowEnds: new Date(start + windowMs) };
  }
}
