/**
 * The cases table, described once for both the CDK stack (TableV2 props: partitionKey, sortKey,
 * globalSecondaryIndexes, timeToLiveAttribute map one to one; 'S' is AttributeType.STRING and the
 * projection names are ProjectionType's values) and DynamoDB Local (createTableInput).
 *
 * Single table, one partition per case (`CITY#<cityId>#CASE#<caseId>`):
 *   CASE                       the aggregate: state, version, bills, holdings, holds (one item, so a
 *                              payment that brings every bill forward is one write, not one per bill)
 *   AUDIT#<at>#<version>       append-only audit event
 *   LEDGER#<version>           the ledger entries of one transition (one item, however many lines)
 *   NOTICE#<noticeId>          notice outbox record
 *   RELEASE#<version>#<n>      coin release: destination, approvals, withdrawal (release-store.ts)
 *   PAYMENT#<paymentId>        a payment, written once (attribute_not_exists)
 *   SALE#<saleId>, ORDER#<id>  the sale workflow's records (written by the sale issue)
 * and per request `CITY#<cityId>#IDEMPOTENCY#<hash>` / `IDEMPOTENCY`, expiring by TTL; per city
 * `CITY#<cityId>#CASEREF#<ref>` / `CLAIM` (the open case holding the city's reference) and
 * `CITY#<cityId>#PAYMENT#<paymentId>` / `CLAIM` (the case a payment was booked on).
 *
 * Indexes:
 *   byDeadline (GSI1, sparse): only cases waiting on a date (NOTICE_SENT: the deadline; DUE: the date
 *     it became due). Partition `DEADLINE#<shard>` with a fixed number of shards spread by a hash of
 *     city and case, sort key `<date>#<cityId>#<caseId>`: "date < today" for every city is
 *     DEADLINE_SHARDS small queries, and a nationwide batch of notices spreads its writes.
 *   byStatus (GSI2): `CITY#<cityId>#STATUS#<status>`, sort key `<createdAt>#<caseId>`; lists a city's
 *     cases by status in registration order and feeds the summary report from a small projection.
 *   outbox (GSI3, sparse): notice records still PENDING, sharded like byDeadline (`OUTBOX#<shard>`), for
 *     the sweeper that re-sends what a crash left behind; and, under `CITY#<cityId>#RELEASES`, a
 *     city's releases not yet DONE, for the release function and officers (never read by the sweeper).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface KeyAttribute {
  name: string;
  type: 'S';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes?: string[];
}

/** Changing a shard count needs a backfill of the index: keep them fixed once deployed. */
export const DEADLINE_SHARDS = 8;
export const OUTBOX_SHARDS = 8;

export const INDEX = {
  byDeadline: 'byDeadline',
  byStatus: 'byStatus',
  outbox: 'outbox',
} as const;

const byDeadline: IndexDefinition = {
  indexName: INDEX.byDeadline,
  partitionKey: { name: 'GSI1PK', type: 'S' },
  sortKey: { name: 'GSI1SK', type: 'S' },
  projectionType: 'INCLUDE',
  nonKeyAttributes: ['cityId', 'caseId', 'status', 'waitDate'],
};

const byStatus: IndexDefinition = {
  indexName: INDEX.byStatus,
  partitionKey: { name: 'GSI2PK', type: 'S' },
  sortKey: { name: 'GSI2SK', type: 'S' },
  projectionType: 'INCLUDE',
  nonKeyAttributes: [
    'cityId',
    'caseId',
    'status',
    'createdAt',
    'updatedAt',
    'arrearsKrw',
    'recoveredKrw',
    'refundPayableKrw',
    'available',
    'deadline',
  ],
};

const outbox: IndexDefinition = {
  indexName: INDEX.outbox,
  partitionKey: { name: 'GSI3PK', type: 'S' },
  sortKey: { name: 'GSI3SK', type: 'S' },
  projectionType: 'INCLUDE',
  nonKeyAttributes: ['cityId', 'caseId', 'recordType', 'createdAt'],
};

export const CASES_TABLE = {
  partitionKey: { name: 'PK', type: 'S' } satisfies KeyAttribute,
  sortKey: { name: 'SK', type: 'S' } satisfies KeyAttribute,
  /** Epoch seconds (a Number attribute, as TTL requires); only idempotency records carry it. */
  timeToLiveAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST' as const,
  globalSecondaryIndexes: [byDeadline, byStatus, outbox] as readonly IndexDefinition[],
} as const;

/** CreateTable input for DynamoDB Local and tests (TTL is a separate UpdateTimeToLive call). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyAttributes = [
    CASES_TABLE.partitionKey,
    CASES_TABLE.sortKey,
    ...CASES_TABLE.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const unique = [...new Map(keyAttributes.map((a) => [a.name, a])).values()];
  return {
    TableName: tableName,
    BillingMode: CASES_TABLE.billingMode,
    AttributeDefinitions: unique.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: CASES_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: CASES_TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: CASES_TABLE.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: {
        ProjectionType: i.projectionType,
        ...(i.nonKeyAttributes ? { NonKeyAttributes: i.nonKeyAttributes } : {}),
      },
    })),
  };
}
