/**
 * The city money journal (keys.ts `journalPk`) and the account's custody reconciliations.
 *
 *   CITY#<cityId>#JOURNAL / KRW#<day>#…      KRW left at the exchange by a settlement (+) or moved to the treasury (−)
 *   CITY#<cityId>#JOURNAL / REFUND#<day>#…   a refund made payable (`instructionId` once instructed)
 *   CITY#<cityId>#JOURNAL / INSTRUCTION#<id> a refund instruction (`RF-<YYYYMMDD>-<caseId>`), once
 *   CITY#<cityId>#JOURNAL / INSTRUCTED#<day> the day's refund instruction file, written: the day is sealed
 *   CITY#<cityId>#JOURNAL / PAID#<id>        the city's confirmation that a refund was paid, once
 *                                            (written with the case's REFUND_PAID transition: case-store.ts)
 *   CUSTODY#RECONCILIATION / LATEST and <at>  the last and every reconciliation, with its figures
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalDate } from '#domain/dates';
import { Decimal, sum } from '#domain/money';
import type { Reconciliation } from '#domain/reconciliation';
import type { KrwLine, RefundInstruction, RefundLine } from '#domain/refunds';
import { documentClient, queryAll } from './client';
import { instructionSk, journalPk, journalSk, PAID_PREFIX, INSTRUCTION_PREFIX } from './keys';
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

const instructionItem = (i: RefundInstruction): Item => ({
  instructionId: i.instructionId,
  cityId: i.cityId,
  caseId: i.caseId,
  day: i.day,
  amount: i.amount.toFixed(0),
  cityCaseRef: i.cityCaseRef,
  taxpayerRef: i.taxpayerRef,
  lineIds: i.lineIds,
  fileKey: i.fileKey,
});

const instructionOf = (item: Item, paid: Item | undefined): RefundInstruction => ({
  instructionId: str(item.instructionId, 'instructionId'),
  cityId: str(item.cityId, 'cityId'),
  caseId: str(item.caseId, 'caseId'),
  day: str(item.day, 'day'),
  amount: new Decimal(str(item.amount, 'amount')),
  cityCaseRef: str(item.cityCaseRef, 'cityCaseRef'),
  taxpayerRef: str(item.taxpayerRef, 'taxpayerRef'),
  lineIds: (item.lineIds as string[]).map(String),
  fileKey: str(item.fileKey, 'fileKey'),
  ...(paid
    ? {
        paid: {
          on: str(paid.paidOn, 'paidOn'),
          reference: str(paid.reference, 'reference'),
          by: str(paid.by, 'by'),
          at: str(paid.at, 'at'),
        },
      }
    : {}),
});

/** The PAID marker of a refund, written once with the case's REFUND_PAID transition (case-store.ts). */
export function refundPaidItem(i: RefundInstruction): Item {
  if (!i.paid) throw new Error(`refund ${i.instructionId} is not paid`);
  return {
    PK: journalPk(i.cityId),
    SK: `${PAID_PREFIX}${i.instructionId}`,
    recordType: 'REFUND_PAID',
    cityId: i.cityId,
    caseId: i.caseId,
    instructionId: i.instructionId,
    amount: i.amount.toFixed(0),
    paidOn: i.paid.on,
    reference: i.paid.reference,
    by: i.paid.by,
    at: i.paid.at,
  };
}

const decimals = (m: Record<string, Decimal>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toFixed()]));
const fromDecimals = (m: unknown) =>
  Object.fromEntries(Object.entries((m ?? {}) as Record<string, string>).map(([k, v]) => [k, new Decimal(v)]));

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
      ExpressionAttributeValues: {
        ':pk': journalPk(cityId),
        ':from': `${kind}#${from ?? ''}`,
        ':to': `${kind}#${through ?? '9999-12-31'}#~`,
      },
      ConsistentRead: true,
    });
    return items.map(lineOf);
  }

  /** The city's refunds made payable, each with the instruction that carries it (if any). */
  async refundLines(cityId: string): Promise<RefundLine[]> {
    const items = await this.query(cityId, 'REFUND#');
    return items.map((i) => {
      const l = lineOf(i);
      return {
        lineId: l.lineId,
        caseId: l.caseId ?? '',
        day: l.day,
        amount: l.amount,
        ...(i.instructionId ? { instructionId: str(i.instructionId, 'instructionId') } : {}),
      };
    });
  }

  /** The city's KRW lines: settlements in, confirmed transfers to the treasury out. */
  async krwLines(cityId: string): Promise<KrwLine[]> {
    return (await this.query(cityId, 'KRW#')).map((i) => ({
      day: str(i.day, 'day'),
      amount: new Decimal(str(i.amount, 'amount')),
      transfer: i.transfer === true,
    }));
  }

  /** Refund instructions (of one file day, or all), each with its payment once confirmed. */
  async instructions(cityId: string, day?: LocalDate): Promise<RefundInstruction[]> {
    const [items, paid] = await Promise.all([
      this.query(cityId, `${INSTRUCTION_PREFIX}${day ? `RF-${day.replaceAll('-', '')}-` : ''}`),
      this.query(cityId, PAID_PREFIX),
    ]);
    const payments = new Map(paid.map((p) => [str(p.instructionId, 'instructionId'), p]));
    return items.map((i) => instructionOf(i, payments.get(str(i.instructionId, 'instructionId'))));
  }

  async instruction(cityId: string, instructionId: string): Promise<RefundInstruction | undefined> {
    const [item, paid] = await Promise.all([
      this.get(cityId, instructionSk(instructionId)),
      this.get(cityId, `${PAID_PREFIX}${instructionId}`),
    ]);
    return item ? instructionOf(item, paid) : undefined;
  }

  /**
   * An instruction and the lines it carries, in one transaction: false when the instruction exists
   * or a line was instructed meanwhile (another run got there first; nothing is written).
   */
  async recordInstruction(i: RefundInstruction, at: string): Promise<boolean> {
    const pk = journalPk(i.cityId);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  PK: pk,
                  SK: instructionSk(i.instructionId),
                  recordType: 'REFUND_INSTRUCTION',
                  ...instructionItem(i),
                  createdAt: at,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            ...i.lineIds.map((lineId) => ({
              Update: {
                TableName: this.tableName,
                Key: { PK: pk, SK: lineId },
                UpdateExpression: 'SET instructionId = :id',
                ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(instructionId)',
                ExpressionAttributeValues: { ':id': i.instructionId },
              },
            })),
          ],
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof Error && e.name === 'TransactionCanceledException') return false;
      throw e;
    }
  }

  /** The day's file is written: the day takes no more instructions (a rerun rewrites the same file). */
  async sealDay(
    cityId: string,
    day: LocalDate,
    file: { key: string; count: number; total: Decimal; at: string },
  ): Promise<void> {
    await this.addOnce({
      PK: journalPk(cityId),
      SK: `INSTRUCTED#${day}`,
      recordType: 'REFUND_FILE',
      cityId,
      day,
      fileKey: file.key,
      count: file.count,
      totalKrw: file.total.toFixed(0),
      at: file.at,
    });
  }

  async daySealed(cityId: string, day: LocalDate): Promise<boolean> {
    return (await this.get(cityId, `INSTRUCTED#${day}`)) !== undefined;
  }

  /** The confirmed transfer of a day, if any. */
  async transfer(
    cityId: string,
    day: LocalDate,
  ): Promise<{ amount: Decimal; reference: string; by: string; at: string } | undefined> {
    const item = await this.get(cityId, journalSk('KRW', day, 'TRANSFER', day));
    if (!item) return undefined;
    return {
      amount: new Decimal(str(item.amount, 'amount')).neg(),
      reference: str(item.reference, 'reference'),
      by: str(item.confirmedBy, 'confirmedBy'),
      at: str(item.at, 'at'),
    };
  }

  private query(cityId: string, prefix: string): Promise<Item[]> {
    return queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': journalPk(cityId), ':prefix': prefix },
      ConsistentRead: true,
    });
  }

  /** KRW the city's proceeds hold at the exchange: settlements in, confirmed transfers out. */
  async krwAtExchange(cityId: string): Promise<Decimal> {
    return sum((await this.lines(cityId, 'KRW')).map((l) => l.amount));
  }

  /** Writes a line once (false when that line exists: a repeated confirmation). */
  async addOnce(item: Item): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** An officer's confirmation that the day's KRW moved to the treasury: a negative KRW line, once per city and day. */
  recordTransfer(
    cityId: string,
    day: LocalDate,
    amount: Decimal,
    confirmation: { by: string; at: string; reference: string },
  ): Promise<boolean> {
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
      reference: confirmation.reference,
      transfer: true,
      confirmedBy: confirmation.by,
    });
  }

  async get(cityId: string, sk: string): Promise<Item | undefined> {
    return (
      await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { PK: journalPk(cityId), SK: sk }, ConsistentRead: true }),
      )
    ).Item;
  }

  async recordReconciliation(r: Reconciliation): Promise<void> {
    const item = {
      recordType: 'RECONCILIATION',
      at: r.at,
      exchange: decimals(r.exchange),
      ledger: decimals(r.ledger),
      differences: r.differences.map((d) => ({
        currency: d.currency,
        exchange: d.exchange.toFixed(),
        ledger: d.ledger.toFixed(),
        difference: d.difference.toFixed(),
      })),
      salesRunning: r.salesRunning,
    };
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { PK: RECONCILIATION_PK, SK: r.at, ...item } }),
    );
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { PK: RECONCILIATION_PK, SK: 'LATEST', ...item } }),
    );
  }

  async latestReconciliation(): Promise<Reconciliation | undefined> {
    const item = (
      await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: RECONCILIATION_PK, SK: 'LATEST' } }))
    ).Item;
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
