/**
 * Counts what a DynamoDB client does, without touching the store: a middleware on the client's
 * stack (which the document client shares) asks every request for `ReturnConsumedCapacity: TOTAL`
 * and adds up, per operation, the requests, the capacity units DynamoDB reports, and for Query and
 * Scan the items read (`ScannedCount`) and returned (`Count`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const CAPACITY_OPERATIONS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

export interface OperationCount {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Capacity units where DynamoDB does not split them into read and write (CapacityUnits only). */
  units: number;
  itemsRead: number;
  itemsReturned: number;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class DynamoMeter {
  readonly byOperation = new Map<string, OperationCount>();

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if (CAPACITY_OPERATIONS.has(context.commandName ?? '') && input.ReturnConsumedCapacity === undefined)
          input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        this.record(operation, result.output as unknown as Record<string, unknown>);
        return result;
      },
      { step: 'initialize', name: 'benchConsumedCapacity', override: true },
    );
    return this;
  }

  private record(operation: string, output: Record<string, unknown>): void {
    const count = this.byOperation.get(operation) ?? {
      requests: 0,
      readUnits: 0,
      writeUnits: 0,
      units: 0,
      itemsRead: 0,
      itemsReturned: 0,
    };
    count.requests += 1;
    const consumed = output.ConsumedCapacity as Capacity | Capacity[] | undefined;
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        count.readUnits += c.ReadCapacityUnits ?? 0;
        count.writeUnits += c.WriteCapacityUnits ?? 0;
      } else if (c.CapacityUnits !== undefined) {
        // Reads and writes report CapacityUnits only: attribute them by the operation's kind.
        if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(operation)) count.readUnits += c.CapacityUnits;
        else count.writeUnits += c.CapacityUnits;
      }
    }
    if (typeof output.ScannedCount === 'number') count.itemsRead += output.ScannedCount;
    if (typeof output.Count === 'number') count.itemsReturned += output.Count;
    if (operation === 'GetItem' && output.Item) {
      count.itemsRead += 1;
      count.itemsReturned += 1;
    }
    this.byOperation.set(operation, count);
  }

  reset(): void {
    this.byOperation.clear();
  }

  total(): OperationCount {
    const t: OperationCount = { requests: 0, readUnits: 0, writeUnits: 0, units: 0, itemsRead: 0, itemsReturned: 0 };
    for (const c of this.byOperation.values()) {
      t.requests += c.requests;
      t.readUnits += c.readUnits;
      t.writeUnits += c.writeUnits;
      t.units += c.units;
      t.itemsRead += c.itemsRead;
      t.itemsReturned += c.itemsReturned;
    }
    return t;
  }

  snapshot(): Record<string, OperationCount> {
    return Object.fromEntries([...this.byOperation.entries()].map(([k, v]) => [k, { ...v }]));
  }
}
