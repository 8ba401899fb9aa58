/**
 * The rate budget's buckets in the cases table, one item per (scope, limit group):
 * `RATE#<scope>#<group>` / `BUCKET` with `tat`, the end of the bucket's schedule in epoch ms (the
 * arithmetic is #adapters/exchange/rate-budget). Every caller of the exchange with the city's keys
 * (any container, any function, the local stack) reserves its requests here, so the whole
 * deployment keeps one budget per account and per egress IP.
 *
 * A reservation is one conditional write, never a read-modify-write race: while the schedule runs
 * (`tat >= now`) the write adds the caller's intervals to it atomically (`SET tat = tat + :inc`),
 * so concurrent callers queue up one after another without conflicts; an idle bucket is restarted
 * at now (`tat < now` or absent). Only when the schedule runs further ahead than `horizonMs` does a
 * caller wait without reserving (then reads it), so a crowd never books slots far into the future.
 * A caller that reaches its slot late (a slow write) leaves it unused and reserves again: the bound
 * holds for the times requests are really sent, not only for the schedule.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RateLimited } from '#adapters/exchange/exchange';
import {
  bucketFor,
  bucketScope,
  sendAtFor,
  UPBIT_RATE_LIMITS,
  type BucketParams,
  type RateBudget,
} from '#adapters/exchange/rate-budget';
import { documentClient } from './client';
import { int } from './marshal';
import * as z from 'zod/mini';
import { ENV, optional, parseEnv, rateLimitsVar, required } from '#adapters/env';

export const RATE_BUCKET_SK = 'BUCKET';
export const rateBucketPk = (scope: string, group: string): string => `RATE#${scope}#${group}`;

export interface DynamoDbRateBudgetOptions {
  /** The exchange account (exchange calls are counted per account) and the egress IP (quotations per IP). */
  scopes: { account: string; egress: string };
  /** Requests per second per group (default Upbit's: UPBIT_RATE_LIMITS); a group not named uses `default`'s. */
  limits?: Readonly<Record<string, number>>;
  /** A schedule further ahead than this is waited for before reserving (default 2 s). */
  horizonMs?: number;
  /** A reserved slot reached later than this (ms) is left unused and another reserved (default 50; under the budget's margin). */
  lateSlackMs?: number;
  /** Longest a caller waits in all; then RateLimited (transient: the step is retried). Default 20 s. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoDbRateBudget implements RateBudget {
  private readonly doc: DynamoDBDocumentClient;
  private readonly params = new Map<string, BucketParams>();
  private readonly limits: Readonly<Record<string, number>>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** How far ahead of now to reserve: twice the recent write latency (a moving average). */
  private lead = 20;
  /** Each bucket's schedule end as this caller last wrote or read it: which write to try first. */
  private readonly lastTat = new Map<string, number>();

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDbRateBudgetOptions,
  ) {
    this.doc = documentClient(client);
    this.limits = { ...UPBIT_RATE_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The bucket of a group (its limit as configured, else the `default` group's). */
  bucket(group: string): BucketParams {
    let p = this.params.get(group);
    if (!p)
      this.params.set(group, (p = bucketFor(this.limits[group] ?? this.limits.default ?? UPBIT_RATE_LIMITS.default!)));
    return p;
  }

  async acquire(group: string, n = 1): Promise<void> {
    const params = this.bucket(group);
    const Key = { PK: rateBucketPk(bucketScope(group, this.options.scopes), group), SK: RATE_BUCKET_SK };
    const horizonMs = this.options.horizonMs ?? 2000;
    const giveUpAt = this.now() + (this.options.maxWaitMs ?? 20_000);
    const inc = n * params.intervalMs;
    const lateSlackMs = this.options.lateSlackMs ?? 50;
    for (;;) {
      // Reserve for when the write will be back (the write's recent latency, doubled), not for now:
      // a slot the caller reaches late could crowd the next window.
      const asked = this.now();
      const now = asked + Math.ceil(Math.min(this.lead, horizonMs / 2));
      // The schedule runs: queue behind it (atomic, so concurrent callers never collide).
      const queue = async (): Promise<number | undefined> => {
        try {
          const out = await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: 'SET tat = tat + :inc',
              ConditionExpression: 'tat BETWEEN :now AND :horizon',
              ExpressionAttributeValues: { ':inc': inc, ':now': now, ':horizon': now + horizonMs },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          return int(out.Attributes?.tat, 'tat');
        } catch (e) {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
          return undefined;
        }
      };
      // Idle (or never used): the schedule starts now.
      const restart = async (): Promise<number | undefined> => {
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: 'SET tat = :tat',
              ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
              ExpressionAttributeValues: { ':tat': now + inc, ':now': now },
            }),
          );
          return now + inc;
        } catch (e) {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
          return undefined;
        }
      };
      // Try first the write that is likely to succeed: a bucket whose schedule this caller last saw
      // ended before now is probably idle (most requests come after a quiet spell), so one write
      // instead of a failed one and a second. Both are conditional: a wrong guess costs the second
      // write, as it always did, never a grant beyond the bucket.
      const seen = this.lastTat.get(Key.PK);
      const idleFirst = seen === undefined || seen < now;
      let tat = idleFirst ? await restart() : await queue();
      if (tat === undefined) tat = idleFirst ? await queue() : await restart();
      if (tat !== undefined) this.lastTat.set(Key.PK, tat);
      this.lead = 0.8 * this.lead + 0.2 * 2 * (this.now() - asked);
      if (tat !== undefined) {
        const sendAt = sendAtFor(tat, now, params);
        if (sendAt > this.now()) await this.sleep(sendAt - this.now());
        // A slot reached late anyway (a slower write, a busy event loop) is left unused (that is
        // always safe) and another reserved.
        if (this.now() - sendAt <= lateSlackMs) return;
        if (this.now() > giveUpAt) throw new RateLimited(`rate budget of ${group}: every slot came too late`);
        continue;
      }
      // Neither: another caller restarted it meanwhile (try again), or it runs beyond the horizon.
      const current = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true, ProjectionExpression: 'tat' }),
      );
      const currentTat = current.Item ? int(current.Item.tat, 'tat') : undefined;
      if (currentTat !== undefined) this.lastTat.set(Key.PK, currentTat);
      const ahead = currentTat !== undefined ? currentTat - (this.now() + horizonMs) : 0;
      if (ahead > 0) {
        if (this.now() + ahead > giveUpAt)
          throw new RateLimited(`rate budget of ${group} exhausted: the schedule runs ${ahead + horizonMs} ms ahead`);
        await this.sleep(ahead);
      }
    }
  }
}

const BudgetEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.exchangeId]: optional(),
  [ENV.exchangeRateLimits]: rateLimitsVar(),
});

/**
 * The deployment's budget, as every function that calls the exchange builds it: buckets in the
 * cases table (TABLE_NAME), Upbit's limits unless EXCHANGE_RATE_LIMITS says otherwise. A
 * deployment is one exchange account (its keys) behind one egress IP (the NAT's): the account
 * scope is the exchange id, the IP scope the egress.
 */
export function rateBudgetFromEnv(client: DynamoDBClient, env: NodeJS.ProcessEnv = process.env): DynamoDbRateBudget {
  const e = parseEnv(BudgetEnv, env);
  const exchangeId = e[ENV.exchangeId] ?? 'upbit';
  return new DynamoDbRateBudget(client, e[ENV.tableName], {
    scopes: { account: exchangeId, egress: `${exchangeId}-egress` },
    limits: e[ENV.exchangeRateLimits],
  });
}
