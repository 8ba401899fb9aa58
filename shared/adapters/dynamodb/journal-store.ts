/**
 * The city money journal (keys.ts `journalPk`) and the account's custody reconciliations.
 *
 *   CITY#<cityId>#JOURNAL / KRW#<day>#…      KRW left at the exchange by a settlement (+) or moved to the treasury (−)
 *   CITY#<cityId>#JOURNAL / REFUND#<day>#…   a refund made payable
 *   CITY#<cityId>#JOURNAL / INSTRUCTED#<day> the day's refund instruction file, once
 *   CITY#<cityId>#JOURNAL / PAID#<refundLine> the city's confirmation that a refund was paid, once
 *   CUSTODY#RECONCILIATION / LATEST and <at>  the last and every reconciliation, with its figures
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalDate } from '#domain/dates';
import { Decimal, sum } from '#domain/money';
import type { Reconciliation } from '#domain/reconciliation';
import { documentClient, queryAll } from './client';
import { journalPk, journalSk } from './keys';
import { str, type Item } from './marshal';

export interface JournalLine {
  cityId: string;
  caseId?: string;
  kind: 'KRW' | 'REFUND';
  day: LocalDate;
  at: string;
  amount: Decimal;
  source: string;
  /** The sort key: names the line for confirmations. */
  lineId: string;
}

const RECONCILIATION_PK = 'CUSTODY#RECONCILIATION';

const lineOf = (item: Item): JournalLine => ({
  cityId: str(item.cityId, 'cityId'),
  ...(item.caseId ? { caseId: str(item.caseId, 'caseId') } : {}),
  kind: str(item.kind, 'kind') as JournalLine['kind'],
  day: str(item.day, 'day'),
  at: str(item.at, 'at'),
  amount: new Decimal(str(item.amount, 'amount')),
  source: str(item.source, 'source'),
  lineId: str(item.SK, 'SK'),
});

const decimals = (m: Record<string, Decimal>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toFixed()]));
const fromDecimals = (m: unknown) => Object.fromEntries(Object.entries((m ?? {}) as Record<string, string>).map(([k, v]) => [k, new Decimal(v)]));

export class DynamoDbJournalStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  /** A city's journal lines of a kind, up to and including a day (all when absent). */
  async lines(cityId: string, kind: 'KRW' | 'REFUND', through?: LocalDate, from?: LocalDate): Promise<JournalLine[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': journalPk(cityId), ':from': `${kind}#${from ?? ''}`, ':to': `${kind}#${through ?? '9999-12-31'}#~` },
      ConsistentRead: true,
    });
    return items.map(lineOf);
  }

  /** KRW the city's proceeds hold at the exchange: settlements in, confirmed transfers out. */
  async krwAtExchange(cityId: string): Promise<Decimal> {
    return sum((await this.lines(cityId, 'KRW')).map((l) => l.amount));
  }

  /** Writes a line once (false when that line exists: a repeated confirmation). */
  async addOnce(item: Item): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** An officer's confirmation that the day's KRW moved to the treasury: a negative KRW line, once per city and day. */
  recordTransfer(cityId: string, day: LocalDate, amount: Decimal, confirmation: { by: string; at: string; reference: string }): Promise<boolean> {
    return this.addOnce({
      PK: journalPk(cityId),
      SK: journalSk('KRW', day, 'TRANSFER', day),
      recordType: 'JOURNAL',
      kind: 'KRW',
      cityId,
      day,
      at: confirmation.at,
      amount: amount.neg().toFixed(),
      source: `treasury:${confirmation.reference}`,
      confirmedBy: confirmation.by,
    });
  }

  async get(cityId: string, sk: string): Promise<Item | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: journalPk(cityId), SK: sk }, ConsistentRead: true }))).Item;
  }

  async recordReconciliation(r: Reconciliation): Promise<void> {
    const item = {
      recordType: 'RECONCILIATION',
      at: r.at,
      exchange: decimals(r.exchange),
      ledger: decimals(r.ledger),
      differences: r.differences.map((d) => ({ currency: d.currency, exchange: d.exchange.toFixed(), ledger: d.ledger.toFixed(), difference: d.difference.toFixed() })),
      salesRunning: r.salesRunning,
    };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: RECONCILIATION_PK, SK: r.at, ...item } }));
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: RECONCILIATION_PK, SK: 'LATEST', ...item } }));
  }

  async latestReconciliation(): Promise<Reconciliation | undefined> {
    const item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: RECONCILIATION_PK, SK: 'LATEST' } }))).Item;
    if (!item) return undefined;
    return {
      at: str(item.at, 'at'),
      exchange: fromDecimals(item.exchange),
      ledger: fromDecimals(item.ledger),
      differences: ((item.differences ?? []) as Record<string, string>[]).map((d) => ({
        currency: String(d.currency),
        exchange: new Decimal(String(d.exchange)),
        ledger: new Decimal(String(d.ledger)),
        difference: new Decimal(String(d.difference)),
      })),
      salesRunning: item.salesRunning === true,
    };
  }
}

