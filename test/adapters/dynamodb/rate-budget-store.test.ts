/**
 * The rate budget's buckets on DynamoDB Local: many callers at once (as many Lambda containers
 * would be) never get more than the limit in any second, wherever the second starts; groups and
 * scopes are counted apart; a crowd waits instead of booking far ahead.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client';
import { DynamoDbRateBudget, RATE_BUCKET_SK, rateBucketPk } from '#adapters/dynamodb/rate-budget-store';
import { RateLimited } from '#adapters/exchange/exchange';
import { UPBIT_RATE_WINDOW_MS } from '#adapters/exchange/rate-budget';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();

function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= UPBIT_RATE_WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** `callers` budgets (each its own client object, like separate containers) acquiring `each` times at once. */
async function crowd(
  scopes: { account: string; egress: string },
  group: string,
  callers: number,
  each: number,
  limits?: Record<string, number>,
): Promise<number[]> {
  const sent: number[] = [];
  await Promise.all(
    Array.from({ length: callers }, async () => {
      const budget = new DynamoDbRateBudget(table.client, table.tableName, {
        scopes,
        ...(limits ? { limits } : {}),
        horizonMs: 1000,
        maxWaitMs: 60_000,
      });
      for (let k = 0; k < each; k++) {
        await budget.acquire(group);
        sent.push(Date.now());
      }
    }),
  );
  return sent;
}

describe('DynamoDB rate budget', () => {
  it('30 concurrent callers placing orders never exceed 12 in any second', async () => {
    const sent = await crowd({ account: 'acct-a', egress: 'ip-a' }, 'order', 30, 2);
    expect(sent).toHaveLength(60);
    expect(busiestSecond(sent)).toBeLessThanOrEqual(12);
  });

  it('counts each group and each scope apart: two accounts and a quotation group run side by side', async () => {
    const [a, b, ticker] = await Promise.all([
      crowd({ account: 'acct-b', egress: 'ip-b' }, 'default', 10, 4),
      crowd({ account: 'acct-c', egress: 'ip-b' }, 'default', 10, 4),
      crowd({ account: 'acct-b', egress: 'ip-b' }, 'ticker', 10, 2),
    ]);
    for (const times of [a, b]) expect(busiestSecond(times)).toBeLessThanOrEqual(30);
    expect(busiestSecond(ticker)).toBeLessThanOrEqual(10);
    const doc = documentClient(table.client);
    const item = await doc.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { PK: rateBucketPk('ip:ip-b', 'ticker'), SK: RATE_BUCKET_SK },
      }),
    );
    expect(item.Item?.tat).toBeDefined();
  });

  it('follows a configured limit (8 orders a second, as before 2026-08-21)', async () => {
    const sent = await crowd({ account: 'acct-d', egress: 'ip-d' }, 'order', 20, 2, { order: 8 });
    expect(busiestSecond(sent)).toBeLessThanOrEqual(8);
  });

  it('gives up with RateLimited (transient) when the wait would pass its bound, booking nothing', async () => {
    let now = 1_000_000;
    const budget = new DynamoDbRateBudget(table.client, table.tableName, {
      scopes: { account: 'acct-e', egress: 'ip-e' },
      horizonMs: 500,
      maxWaitMs: 1000,
      now: () => now,
      sleep: async (ms) => void (now += ms),
    });
    // Someone booked the order bucket 10 s ahead.
    for (let i = 0; i < 100; i++) await budget.acquire('order').catch(() => undefined);
    const doc = documentClient(table.client);
    const key = { PK: rateBucketPk('account:acct-e', 'order'), SK: RATE_BUCKET_SK };
    const before = (await doc.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item?.tat as {
      value: string;
    };
    const late = new DynamoDbRateBudget(table.client, table.tableName, {
      scopes: { account: 'acct-e', egress: 'ip-e' },
      horizonMs: 500,
      maxWaitMs: 1000,
      now: () => Number(before.value) - 5000,
      sleep: async () => undefined,
    });
    await expect(late.acquire('order')).rejects.toBeInstanceOf(RateLimited);
    const after = (await doc.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item?.tat as {
      value: string;
    };
    expect(after.value).toBe(before.value);
  });

  it('books a request after a quiet spell with one conditional write, and one a request queued behind a running schedule', async () => {
    let now = 5_000_000;
    const budget = new DynamoDbRateBudget(table.client, table.tableName, {
      scopes: { account: 'acct-f', egress: 'ip-f' },
      now: () => now,
      sleep: async (ms) => void (now += ms),
    });
    // Every request the budget sends to the table, counted on the client's middleware stack.
    let writes = 0;
    table.client.middlewareStack.add((next) => (args) => ((writes += 1), next(args)), {
      step: 'initialize',
      name: 'countBudgetWrites',
    });
    try {
      // Quiet spells between requests (the demo's and most deployments' pattern): one write each.
      for (let i = 0; i < 5; i++) {
        now += 10_000;
        await budget.acquire('orderbook');
      }
      expect(writes).toBe(5);
      // Requests in a row: the first restarts the schedule, the next ones queue behind it, one write each.
      writes = 0;
      now += 10_000;
      for (let i = 0; i < 5; i++) await budget.acquire('orderbook');
      expect(writes).toBe(5);
    } finally {
      table.client.middlewareStack.remove('countBudgetWrites');
    }
  });
});
