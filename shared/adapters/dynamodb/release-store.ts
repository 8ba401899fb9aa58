/**
 * Releases on DynamoDB: the `RELEASE#<version>#<n>` item the case store wrote when the case released
 * coins, carried on by officers (destination, approvals) and the release function (withdrawal).
 * Every change is written over the revision it was read at, so two officers approving at once, or
 * an officer and the release function, never overwrite each other. A DONE release leaves the
 * city's open-release partition of the outbox index.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { IdempotencyKeyTakenError, type IdempotencyRecord } from '#domain/case-store';
import { idempotencyPut } from './case-store';
import type { Case, NoticeIntent } from '#domain/case';
import type { Approval } from '#domain/four-eyes';
import type { Destination, ReleaseStatus, ReleaseWork, WithdrawalAttempt } from '#domain/release';
import { Decimal } from '#domain/money';
import { batchGetAll, documentClient, queryAll } from './client';
import { casePk, pad, releasesPk } from './keys';
import { dec, int, noticeToItem, str, type Item } from './marshal';
import { INDEX } from './table-definition';

export interface ReleaseRef {
  cityId: string;
  caseId: string;
  releaseId: string;
}

export class ReleaseNotFoundError extends Error {
  override readonly name = 'ReleaseNotFoundError';
  constructor(readonly ref: ReleaseRef) {
    super(`no release ${ref.releaseId} in case ${ref.caseId}`);
  }
}

/** Someone changed the release since it was read: reload and decide again. */
export class ReleaseConflictError extends Error {
  override readonly name = 'ReleaseConflictError';
  readonly retryable = true;
  constructor(readonly releaseId: string) {
    super(`release ${releaseId} changed meanwhile`);
  }
}

const RELEASE_ID = /^(.+)\.v(\d+)\.r(\d+)$/;

/** The item key of a release, from its id (`<caseId>.v<version>.r<n>`). */
function keyOf(ref: ReleaseRef): { PK: string; SK: string } {
  const m = RELEASE_ID.exec(ref.releaseId);
  if (!m || m[1] !== ref.caseId) throw new ReleaseNotFoundError(ref);
  return { PK: casePk(ref.cityId, ref.caseId), SK: `RELEASE#${pad(Number(m[2]))}#${m[3]}` };
}

const opt = (item: Item, name: string): string | undefined =>
  item[name] === undefined || item[name] === null ? undefined : str(item[name], name);

function attemptIn(v: unknown): WithdrawalAttempt | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Item;
  return {
    sendingAt: str(m.sendingAt, 'withdrawal.sendingAt'),
    amount: dec(m.amount, 'withdrawal.amount'),
    fee: dec(m.fee, 'withdrawal.fee'),
    transactionType: str(m.transactionType, 'withdrawal.transactionType') as WithdrawalAttempt['transactionType'],
    ...(opt(m, 'uuid') ? { uuid: opt(m, 'uuid') } : {}),
    ...(opt(m, 'txid') ? { txid: opt(m, 'txid') } : {}),
    ...(opt(m, 'state') ? { state: opt(m, 'state') } : {}),
    ...(opt(m, 'doneAt') ? { doneAt: opt(m, 'doneAt') } : {}),
  };
}

const attemptOut = (w: WithdrawalAttempt): Item => ({ ...w, amount: w.amount.toFixed(), fee: w.fee.toFixed() });

export function itemToReleaseWork(item: Item): ReleaseWork {
  const destination = item.destination as Destination | undefined;
  const withdrawal = attemptIn(item.withdrawal);
  const failure = opt(item, 'failure');
  return {
    cityId: str(item.cityId, 'cityId'),
    caseId: str(item.caseId, 'caseId'),
    releaseId: str(item.releaseId, 'releaseId'),
    market: str(item.market, 'market'),
    quantity: new Decimal(str(item.quantity, 'quantity')),
    reason: str(item.reason, 'reason') as ReleaseWork['reason'],
    createdAt: str(item.createdAt, 'createdAt'),
    status: str(item.releaseStatus, 'releaseStatus') as ReleaseStatus,
    revision: item.revision === undefined ? 0 : int(item.revision, 'revision'),
    ...(destination ? { destination } : {}),
    approvals: ((item.approvals as Approval[] | undefined) ?? []).map((a) => ({ by: a.by, at: a.at })),
    ...(withdrawal ? { withdrawal } : {}),
    history: (item.history as string[] | undefined) ?? [],
    ...(failure ? { failure } : {}),
    updatedAt: opt(item, 'updatedAt') ?? str(item.createdAt, 'createdAt'),
  };
}

export class DynamoDbReleaseStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  async get(ref: ReleaseRef): Promise<ReleaseWork | undefined> {
    // An id that is not one of this case's releases names no release (not an error of the store).
    const m = RELEASE_ID.exec(ref.releaseId);
    if (!m || m[1] !== ref.caseId) return undefined;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(ref), ConsistentRead: true }),
    );
    return out.Item?.recordType === 'RELEASE' ? itemToReleaseWork(out.Item) : undefined;
  }

  /**
   * A city's releases not yet DONE, oldest first (from the sparse index, then read consistently in
   * one BatchGetItem: the local stack's timeline asks after every step, the release run every few minutes).
   */
  async open(cityId: string): Promise<ReleaseWork[]> {
    const keys = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: INDEX.outbox,
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': releasesPk(cityId) },
    });
    const refs = keys
      .map((k) => ({
        cityId,
        caseId: str(k.caseId, 'caseId'),
        releaseId: str(String(k.GSI3SK).split('#').pop(), 'releaseId'),
      }))
      // An id that is not one of this case's releases names no release (as `get`).
      .filter((ref) => RELEASE_ID.exec(ref.releaseId)?.[1] === ref.caseId);
    if (refs.length === 0) return [];
    const items = await batchGetAll(this.doc, this.tableName, refs.map(keyOf));
    const byKey = new Map(items.map((item) => [`${str(item.PK, 'PK')}|${str(item.SK, 'SK')}`, item]));
    const releases: ReleaseWork[] = [];
    for (const ref of refs) {
      const k = keyOf(ref);
      const item = byKey.get(`${k.PK}|${k.SK}`);
      if (item?.recordType !== 'RELEASE') continue;
      const r = itemToReleaseWork(item);
      if (r.status !== 'DONE') releases.push(r);
    }
    return releases;
  }

  /**
   * Writes the release over the revision it was read at; a DONE release leaves the open index. With
   * an idempotency record (an officer's request), both are written in one transaction.
   */
  async save(r: ReleaseWork, previousRevision: number, idempotency?: IdempotencyRecord): Promise<void> {
    const values: Record<string, unknown> = {
      ':prev': previousRevision,
      ':status': r.status,
      ':revision': r.revision,
      ':approvals': r.approvals,
      ':history': r.history,
      ':updatedAt': r.updatedAt,
    };
    const set = [
      'releaseStatus = :status',
      'revision = :revision',
      'approvals = :approvals',
      'history = :history',
      'updatedAt = :updatedAt',
    ];
    const remove: string[] = [];
    const optional = (name: 'destination' | 'withdrawal' | 'failure', value: unknown) => {
      if (value === undefined) remove.push(name);
      else {
        set.push(`${name} = :${name}`);
        values[`:${name}`] = value;
      }
    };
    optional('destination', r.destination);
    optional('withdrawal', r.withdrawal && attemptOut(r.withdrawal));
    optional('failure', r.failure);
    if (r.status === 'DONE') remove.push('GSI3PK', 'GSI3SK');
    const update = {
      TableName: this.tableName,
      Key: keyOf(r),
      ConditionExpression:
        'attribute_exists(PK) AND ' +
        (previousRevision === 0 ? '(revision = :prev OR attribute_not_exists(revision))' : 'revision = :prev'),
      UpdateExpression: `SET ${set.join(', ')}` + (remove.length ? ` REMOVE ${remove.join(', ')}` : ''),
      ExpressionAttributeValues: values,
    };
    try {
      if (!idempotency) {
        await this.doc.send(new UpdateCommand(update));
        return;
      }
      const idem = idempotencyPut(idempotency, r.caseId);
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Put: {
                TableName: this.tableName,
                Item: idem.item,
                ConditionExpression: idem.condition,
                ExpressionAttributeValues: idem.values,
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new ReleaseConflictError(r.releaseId);
      if (e instanceof Error && e.name === 'TransactionCanceledException') {
        const reasons = (e as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new IdempotencyKeyTakenError(idempotency?.key ?? '');
        throw new ReleaseConflictError(r.releaseId);
      }
      throw e;
    }
  }

  /** A notice caused outside a case transition (a release done), written once into the notice outbox. */
  async addNotice(c: Case, notice: NoticeIntent, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: noticeToItem(c, at, notice),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}
