/**
 * A city's totals over its cases (counts by status, arrears outstanding, recovered, refunds payable,
 * coins held in open cases), read from the status index's projections. Apart from the case store
 * (whose `cityTotals` is this) so that a function that reads only them, the custody reconciliation,
 * does not carry the store's transitions, listings and record marshalling in its bundle.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isClosed } from '#domain/case';
import { CASE_STATUSES } from '#domain/case-status';
import type { CaseStore, CityTotals } from '#domain/case-store';
import { Decimal, ZERO } from '#domain/money';
import { documentClient, queryAll } from './client';
import { statusPk } from './keys';
import { availableOf, str } from './marshal';
import { INDEX } from './table-definition';

export async function cityTotals(doc: DynamoDBDocumentClient, tableName: string, cityId: string): Promise<CityTotals> {
  const totals: CityTotals = {
    cityId,
    byStatus: {},
    arrearsOutstanding: ZERO,
    recoveredToDate: ZERO,
    refundPayable: ZERO,
    available: {},
  };
  for (const status of CASE_STATUSES) {
    const items = await queryAll(doc, {
      TableName: tableName,
      IndexName: INDEX.byStatus,
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': statusPk(cityId, status) },
      ProjectionExpression: 'arrearsKrw, recoveredKrw, refundPayableKrw, available',
    });
    if (items.length === 0) continue;
    totals.byStatus[status] = items.length;
    for (const item of items) {
      totals.recoveredToDate = totals.recoveredToDate.add(new Decimal(str(item.recoveredKrw, 'recoveredKrw')));
      totals.refundPayable = totals.refundPayable.add(new Decimal(str(item.refundPayableKrw, 'refundPayableKrw')));
      if (isClosed(status)) continue;
      totals.arrearsOutstanding = totals.arrearsOutstanding.add(new Decimal(str(item.arrearsKrw, 'arrearsKrw')));
      for (const [market, quantity] of Object.entries(availableOf(item))) {
        if (quantity.gt(0)) totals.available[market] = (totals.available[market] ?? ZERO).add(quantity);
      }
    }
  }
  return totals;
}

/** The totals alone, for a function that needs nothing else of the case store. */
export class DynamoDbCityTotals implements Pick<CaseStore, 'cityTotals'> {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  cityTotals(cityId: string): Promise<CityTotals> {
    return cityTotals(this.doc, this.tableName, cityId);
  }
}
