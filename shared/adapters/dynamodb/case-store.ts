/**
 * The case store on DynamoDB (the CaseStore port). Every transition is one TransactWriteItems:
 * the case item over the version it was read at, and records that may only ever be written once
 * (audit, ledger, notices, releases, payments, the idempotency record), each conditioned on
 * `attribute_not_exists`; and the city-wide claims that keep a city's case reference (among open
 * cases) and its payment references unique, claimed and released in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Case, CaseStatus, Transition } from '#domain/case';
import { isClosed } from '#domain/case';
import {
  CaseExistsError,
  CaseRefTakenError,
  ConcurrencyConflictError,
  DuplicateRecordError,
  IdempotencyKeyTakenError,
  InvalidCursorError,
  StoreLimitError,
  type CaseStore,
  type CaseSummary,
  type CityTotals,
  type CommitOptions,
  type DeadlineEntry,
  type IdempotencyRecord,
  type ListOptions,
  type Page,
  type StatementData,
} from '#domain/case-store';
import type { LocalDate } from '#domain/dates';
import { batchGetAll, documentClient, queryAll } from './client';
import { cityTotals } from './city-totals';
import { CASE_STATUSES } from '#domain/case-status';
import { refundPaidItem } from './journal-store';
import {
  caseRefPk,
  casePk,
  cityPaymentPk,
  CLAIM_SK,
  DEADLINE_PARTITIONS,
  idempotencyPk,
  PRE_SALE_PARTITIONS,
  SK,
  statusPk,
} from './keys';
import {
  auditToItem,
  caseToItem,
  int,
  itemToAudit,
  itemToCase,
  itemToDeadline,
  itemToLedger,
  itemToNotice,
  itemToPayment,
  itemToRelease,
  journalLines,
  itemToSummary,
  ledgerToItem,
  noticeToItem,
  paymentToItem,
  releaseToItem,
  str,
  type Item,
} from './marshal';
import { INDEX } from './table-definition';

/** DynamoDB's limits, with headroom: an item is at most 400 KB, a transaction at most 100 items. */
const MAX_ITEM_BYTES = 350_000;
const MAX_TRANSACTION_ITEMS = 100;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

type PutKind =
  | 'CASE'
  | 'AUDIT'
  | 'LEDGER'
  | 'NOTICE'
  | 'RELEASE'
  | 'PAYMENT'
  | 'PAYMENT_CLAIM'
  | 'CASE_REF_CLAIM'
  | 'JOURNAL'
  | 'REFUND_PAID'
  | 'IDEMPOTENCY';
interface Put {
  kind: PutKind;
  id: string;
  /** The item, or for `remove` its key. */
  item: Item;
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** Delete the item instead (a claim released). */
  remove?: boolean;
  /** Report the item found when the condition fails (who holds a claim, the case's version). */
  returnOld?: boolean;
}

interface CursorState {
  p: number;
  k?: Record<string, string>;
}

const notExists = 'attribute_not_exists(PK)';

/** A transaction item's outcome, the item found in DynamoDB's own attribute format. */
interface CancellationReason {
  Code?: string;
  Item?: Record<string, { N?: string; S?: string }>;
}
/** The case holding a claim whose condition failed. */
const heldBy = (reason: CancellationReason | undefined): string | undefined => reason?.Item?.caseId?.S;

/** A city-wide claim: which case holds the reference, since when. */
const claim = (pk: string, recordType: string, c: Case, at: string, what: Record<string, string>): Item => ({
  PK: pk,
  SK: CLAIM_SK,
  recordType,
  cityId: c.cityId,
  caseId: c.caseId,
  ...what,
  claimedAt: at,
});

/**
 * The idempotency record of a request, written in the transaction of the change it answers (also
 * by the release store). TTL deletes lazily, so an expired record still present counts as absent.
 */
export function idempotencyPut(
  idem: IdempotencyRecord,
  caseId: string,
): { item: Item; condition: string; values: Record<string, unknown> } {
  return {
    item: {
      PK: idempotencyPk(idem.cityId, idem.key),
      SK: SK.idempotency,
      recordType: 'IDEMPOTENCY',
      cityId: idem.cityId,
      caseId,
      fingerprint: idem.fingerprint,
      response: idem.response,
      createdAt: idem.createdAt,
      expiresAt: idem.expiresAt,
    },
    condition: `${notExists} OR expiresAt < :now`,
    values: { ':now': Math.floor(Date.parse(idem.createdAt) / 1000) },
  };
}

/** A rough upper bound of an item's stored size (JSON is a little larger than DynamoDB's encoding). */
const approximateSize = (item: Item): number => Buffer.byteLength(JSON.stringify(item), 'utf8');

export class DynamoDbCaseStore implements CaseStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  // ---------------------------------------------------------------- writes

  async create(transition: Transition, options: CommitOptions = {}): Promise<void> {
    if (transition.case.version !== 1)
      throw new Error(`a new case starts at version 1, not ${transition.case.version}`);
    await this.write(null, transition, options);
  }

  async commit(previousVersion: number, transition: Transition, options: CommitOptions = {}): Promise<void> {
    if (transition.case.version !== previousVersion + 1) {
      throw new Error(`transition to version ${transition.case.version} does not follow version ${previousVersion}`);
    }
    await this.write(previousVersion, transition, options);
  }

  private async write(previousVersion: number | null, t: Transition, options: CommitOptions): Promise<void> {
    const puts = this.puts(previousVersion, t, options);
    if (puts.length > MAX_TRANSACTION_ITEMS)
      throw new StoreLimitError(
        `a transition of ${puts.length} items exceeds the ${MAX_TRANSACTION_ITEMS}-item transaction limit`,
      );
    for (const p of puts) {
      if (approximateSize(p.item) > MAX_ITEM_BYTES)
        throw new StoreLimitError(`the ${p.kind.toLowerCase()} item ${p.id} is too large for DynamoDB`);
    }
    try {
      await this.doc.send(
        new TransactWriteCommand({
          // The SDK resends the same token when it retries, so a retry after a lost response is not a conflict.
          ClientRequestToken: randomUUID(),
          TransactItems: puts.map((p) => {
            const common = {
              TableName: this.tableName,
              ConditionExpression: p.condition,
              ...(p.names ? { ExpressionAttributeNames: p.names } : {}),
              ...(p.values ? { ExpressionAttributeValues: p.values } : {}),
              ...(p.returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
            };
            return p.remove ? { Delete: { ...common, Key: p.item } } : { Put: { ...common, Item: p.item } };
          }),
        }),
      );
    } catch (error) {
      throw this.explain(error, puts, previousVersion, t.case);
    }
  }

  private puts(previousVersion: number | null, t: Transition, options: CommitOptions): Put[] {
    const c = t.case;
    const at = t.audit.at;
    const puts: Put[] = [
      previousVersion === null
        ? { kind: 'CASE', id: c.caseId, item: caseToItem(c), condition: notExists, returnOld: true }
        : {
            kind: 'CASE',
            id: c.caseId,
            item: caseToItem(c),
            condition: 'attribute_exists(PK) AND #version = :expected',
            names: { '#version': 'version' },
            values: { ':expected': previousVersion },
            returnOld: true,
          },
      { kind: 'AUDIT', id: `v${c.version}`, item: auditToItem(c, t.audit), condition: notExists },
    ];
    if (t.ledger.length > 0)
      puts.push({ kind: 'LEDGER', id: `v${c.version}`, item: ledgerToItem(c, at, t.ledger), condition: notExists });
    for (const n of t.notices)
      puts.push({ kind: 'NOTICE', id: n.noticeId, item: noticeToItem(c, at, n), condition: notExists });
    t.releases.forEach((r, i) =>
      puts.push({ kind: 'RELEASE', id: `v${c.version}.r${i}`, item: releaseToItem(c, at, r, i), condition: notExists }),
    );
    for (const e of t.ledger.filter((x) => x.kind === 'PAYMENT_IN')) {
      // Written once per payment id, whatever the case item says: a payment is never applied twice,
      // and its claim makes it once per city (the same bank transaction reported on two cases).
      puts.push({
        kind: 'PAYMENT',
        id: e.source,
        item: paymentToItem(c, at, e.source, e.amount, t.audit.details.receivedOn),
        condition: notExists,
      });
      puts.push({
        kind: 'PAYMENT_CLAIM',
        id: e.source,
        item: claim(cityPaymentPk(c.cityId, e.source), 'PAYMENT_CLAIM', c, at, { paymentId: e.source }),
        condition: notExists,
        returnOld: true,
      });
    }
    for (const line of journalLines(c, at, t.ledger))
      puts.push({ kind: 'JOURNAL', id: line.SK as string, item: line, condition: notExists });
    // A refund is confirmed paid once, whatever the case says.
    if (t.refundPaid)
      puts.push({
        kind: 'REFUND_PAID',
        id: t.refundPaid.instructionId,
        item: refundPaidItem(t.refundPaid),
        condition: notExists,
      });
    // The city's own reference names one open case: claimed at registration, released at closing.
    if (previousVersion === null) {
      puts.push({
        kind: 'CASE_REF_CLAIM',
        id: c.cityCaseRef,
        item: claim(caseRefPk(c.cityId, c.cityCaseRef), 'CASE_REF_CLAIM', c, at, { cityCaseRef: c.cityCaseRef }),
        condition: notExists,
        returnOld: true,
      });
    } else if (t.audit.before !== null && !isClosed(t.audit.before) && isClosed(c.status)) {
      puts.push({
        kind: 'CASE_REF_CLAIM',
        id: c.cityCaseRef,
        item: { PK: caseRefPk(c.cityId, c.cityCaseRef), SK: CLAIM_SK },
        remove: true,
        // Never another case's claim (absent: nothing to release).
        condition: `${notExists} OR caseId = :caseId`,
        values: { ':caseId': c.caseId },
      });
    }
    const idem = options.idempotency;
    if (idem) puts.push({ kind: 'IDEMPOTENCY', id: idem.key, ...idempotencyPut(idem, c.caseId) });
    return puts;
  }

  private explain(error: unknown, puts: Put[], previousVersion: number | null, c: Case): unknown {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return error;
    const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const failed = (kind: PutKind) =>
      puts.findIndex((p, i) => p.kind === kind && reasons[i]?.Code === 'ConditionalCheckFailed');
    // A repeat of a request that was saved first: the caller answers with the saved response.
    const idem = failed('IDEMPOTENCY');
    if (idem >= 0) return new IdempotencyKeyTakenError(puts[idem]?.id ?? '');
    const payment = failed('PAYMENT');
    if (payment >= 0) return new DuplicateRecordError('PAYMENT', puts[payment]?.id ?? '');
    const paymentClaim = failed('PAYMENT_CLAIM');
    if (paymentClaim >= 0)
      return new DuplicateRecordError('PAYMENT', puts[paymentClaim]?.id ?? '', heldBy(reasons[paymentClaim]));
    const caseFailed = failed('CASE');
    if (caseFailed >= 0) {
      if (previousVersion === null) return new CaseExistsError(c.caseId);
      const current = reasons[caseFailed]?.Item?.version?.N;
      return new ConcurrencyConflictError(
        c.cityId,
        c.caseId,
        previousVersion,
        current === undefined ? undefined : Number(current),
      );
    }
    // Checked after the case item: the same case created twice is CaseExistsError, not this.
    const caseRef = failed('CASE_REF_CLAIM');
    if (caseRef >= 0) return new CaseRefTakenError(c.cityId, c.cityCaseRef, heldBy(reasons[caseRef]));
    for (const kind of ['AUDIT', 'LEDGER', 'NOTICE', 'RELEASE', 'REFUND_PAID'] as const) {
      const i = failed(kind);
      if (i >= 0) return new DuplicateRecordError(kind, puts[i]?.id ?? '');
    }
    // TransactionConflict: another transaction was writing one of these items at the same moment.
    if (reasons.some((r) => r.Code === 'TransactionConflict'))
      return new ConcurrencyConflictError(c.cityId, c.caseId, previousVersion ?? 0);
    return error;
  }

  // ---------------------------------------------------------------- reads

  async get(cityId: string, caseId: string): Promise<Case | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: casePk(cityId, caseId), SK: SK.case },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToCase(out.Item) : undefined;
  }

  async getMany(cityId: string, caseIds: readonly string[]): Promise<Map<string, Case>> {
    const keys = [...new Set(caseIds)].map((caseId) => ({ PK: casePk(cityId, caseId), SK: SK.case }));
    const cases = (await batchGetAll(this.doc, this.tableName, keys)).map(itemToCase);
    return new Map(cases.map((c) => [c.caseId, c]));
  }

  async getIdempotency(cityId: string, key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: idempotencyPk(cityId, key), SK: SK.idempotency },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item) return undefined;
    const expiresAt = int(item.expiresAt, 'expiresAt');
    if (expiresAt * 1000 <= now.getTime()) return undefined;
    const response = item.response as { statusCode: unknown; headers: Record<string, string>; body: unknown };
    return {
      cityId,
      key,
      fingerprint: str(item.fingerprint, 'fingerprint'),
      response: {
        statusCode: int(response.statusCode, 'response.statusCode'),
        headers: response.headers,
        body: str(response.body, 'response.body'),
      },
      createdAt: str(item.createdAt, 'createdAt'),
      expiresAt,
    };
  }

  async listByStatus(
    cityId: string,
    status: CaseStatus | undefined,
    options: ListOptions = {},
  ): Promise<Page<CaseSummary>> {
    const partitions = (status ? [status] : CASE_STATUSES).map((s) => statusPk(cityId, s));
    const page = await this.queryPartitions(INDEX.byStatus, 'GSI2PK', partitions, undefined, options);
    return { items: page.items.map(itemToSummary), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async countByStatus(cityId: string, status: CaseStatus): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byStatus,
          KeyConditionExpression: 'GSI2PK = :pk',
          ExpressionAttributeValues: { ':pk': statusPk(cityId, status) },
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async dueByDeadline(before: LocalDate, options: ListOptions = {}): Promise<Page<DeadlineEntry>> {
    const page = await this.queryPartitions(
      INDEX.byDeadline,
      'GSI1PK',
      DEADLINE_PARTITIONS,
      { expression: 'GSI1SK < :before', values: { ':before': before } },
      options,
    );
    return { items: page.items.map(itemToDeadline), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async awaitingPreSaleNotice(through: LocalDate, options: ListOptions = {}): Promise<Page<DeadlineEntry>> {
    // Sort keys are `<date>#<cityId>#<caseId>`: '$' sorts right after '#', so this takes the whole day `through`.
    const page = await this.queryPartitions(
      INDEX.byDeadline,
      'GSI1PK',
      PRE_SALE_PARTITIONS,
      { expression: 'GSI1SK < :after', values: { ':after': `${through}$` } },
      options,
    );
    return { items: page.items.map(itemToDeadline), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async statement(cityId: string, caseId: string): Promise<StatementData | undefined> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': casePk(cityId, caseId) },
      ConsistentRead: true,
    });
    const caseItem = items.find((i) => i.SK === SK.case);
    if (!caseItem) return undefined;
    const of = (type: string) => items.filter((i) => i.recordType === type);
    const byVersion = <T extends { version: number }>(xs: T[]) => xs.sort((a, b) => a.version - b.version);
    return {
      case: itemToCase(caseItem),
      audit: byVersion(of('AUDIT').map(itemToAudit)),
      ledger: byVersion(of('LEDGER').map(itemToLedger)),
      payments: byVersion(of('PAYMENT').map(itemToPayment)),
      notices: byVersion(of('NOTICE').map(itemToNotice)),
      releases: byVersion(of('RELEASE').map(itemToRelease)),
    };
  }

  cityTotals(cityId: string): Promise<CityTotals> {
    return cityTotals(this.doc, this.tableName, cityId);
  }

  // ---------------------------------------------------------------- query helpers

  /**
   * One page over several index partitions read one after another (status partitions of a city,
   * deadline shards). The cursor names the partition and the position inside it.
   */
  private async queryPartitions(
    indexName: string,
    pkName: string,
    partitions: readonly string[],
    sortCondition: { expression: string; values: Record<string, string> } | undefined,
    options: ListOptions,
  ): Promise<Page<Item>> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
    let { p, k } = options.cursor
      ? decodeCursor(options.cursor, pkName, partitions)
      : { p: 0, k: undefined as CursorState['k'] };
    const items: Item[] = [];
    while (p < partitions.length && items.length < limit) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: `${pkName} = :pk` + (sortCondition ? ` AND ${sortCondition.expression}` : ''),
          ExpressionAttributeValues: { ':pk': partitions[p], ...(sortCondition?.values ?? {}) },
          Limit: limit - items.length,
          ...(k ? { ExclusiveStartKey: k } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      if (out.LastEvaluatedKey) {
        k = out.LastEvaluatedKey as Record<string, string>;
      } else {
        p += 1;
        k = undefined;
      }
    }
    return { items, ...(p < partitions.length ? { cursor: encodeCursor({ p, ...(k ? { k } : {}) }) } : {}) };
  }
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Refuses a cursor that is malformed or points into another listing (another city, another index). */
function decodeCursor(cursor: string, pkName: string, partitions: readonly string[]): CursorState {
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this listing gave out');
  }
  const s = state as Partial<CursorState> | null;
  // A position is exactly the index's key and the table's (DynamoDB refuses any other start key
  // with a ValidationException, which would otherwise reach the caller as a 500).
  const keyNames = ['PK', 'SK', pkName, pkName.replace(/PK$/, 'SK')].sort();
  const validKey = (k: unknown): boolean =>
    typeof k === 'object' &&
    k !== null &&
    !Array.isArray(k) &&
    JSON.stringify(Object.keys(k).sort()) === JSON.stringify(keyNames) &&
    Object.values(k).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024);
  const valid =
    s !== null &&
    typeof s === 'object' &&
    Number.isInteger(s.p) &&
    (s.p as number) >= 0 &&
    (s.p as number) < partitions.length &&
    (s.k === undefined || (validKey(s.k) && s.k[pkName] === partitions[s.p as number]));
  if (!valid) throw new InvalidCursorError('the cursor is not one this listing gave out');
  return s as CursorState;
}
