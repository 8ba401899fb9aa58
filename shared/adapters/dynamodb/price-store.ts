/**
 * Prices and coverage in the cases table (the price poller writes them; the sale engine and the API
 * read them). Item layout (keys.ts):
 *
 *   PRICE#<market> / LATEST                   the latest price with its flags (overwritten each poll,
 *                                             never by an older poll; expires when nobody polls it)
 *   PRICE#<market>#<yyyy-mm-dd> / <minute>    one point per market per minute, the UTC day as the
 *                                             partition (a day is 1,440 small items), expiring by TTL
 *   CITY#<cityId>#COVERAGE / PART#<nnnn>      the city's coverage sheet: every open case's coverage,
 *                                             `casesPerPart` cases per item (JSON text, decimals as
 *                                             strings), rewritten each poll
 *
 * Why a sheet per city rather than an item per case: the summary report reads a city's coverage in
 * one query of a few items, and a poll writes a few items per city instead of one per open case
 * (writes are paid per item and per KB: 50,000 open cases nationally would be 50,000 writes a minute
 * one by one, about 10,000 write units as sheets). The case item is never touched, so optimistic
 * locking on the case aggregate is unaffected.
 *
 * Open cases (for the markets to poll and for coverage) come from the byStatus index: one query per
 * open status and city, reading its small projection (holdings available, recorded arrears,
 * updatedAt), never a scan. Full case items are read only for cases whose projected arrears are not
 * in the previous sheet for the same day and the same case update.
 *
 * Money, prices and quantities are decimal strings; the only Numbers are ageMs, part counters and TTL.
 */
import { BatchWriteCommand, DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Case, CaseStatus } from '#domain/case';
import { OPEN_STATUSES } from '#domain/case';
import type { CoverageState } from '#domain/coverage';
import type { LocalDate } from '#domain/dates';
import { Decimal } from '#domain/money';
import { batchGetAll, documentClient, queryAll } from './client';
import { casePk, coveragePk, PRICE_SK, pricePk, priceSeriesPk, SK, statusPk } from './keys';
import { availableOf, CorruptItemError, dec, int, itemToCase, str, type Item } from './marshal';
import { CASES_TABLE, INDEX } from './table-definition';

// ---------------------------------------------------------------- types

/** Why a stored price should not be trusted as is (the sale engine's guards re-check at decision time). */
export type PriceFlag =
  /** Older than the execution policy's `maxPriceAgeMs` when polled. */
  | 'STALE_PRICE'
  /** Last trade and order-book mid further apart than the policy's `maxSourceGapBps`. */
  | 'SOURCES_DISAGREE'
  /** No order book, or one side of it empty: no bid, no mid. */
  | 'NO_BOOK';

export interface PriceSnapshot {
  market: string;
  /** When the poller read it (its own clock). */
  polledAt: Date;
  tradePrice: Decimal;
  bestBid?: Decimal;
  bestAsk?: Decimal;
  /** (best bid + best ask) / 2. */
  mid?: Decimal;
  /** |trade - mid| / mid in basis points, to 2 places. */
  gapBps?: Decimal;
  tradeAt: Date;
  tickerAt: Date;
  bookAt?: Date;
  /** The oldest of the exchange's timestamps: how old the price really is. */
  quotedAt: Date;
  /** polledAt - quotedAt. */
  ageMs: number;
  flags: PriceFlag[];
  accTradeVolume24h: Decimal;
  accTradeValue24h: Decimal;
}

/** A point of the minute series (what the circuit breaker looks back on). */
export interface PricePoint {
  at: Date;
  price: Decimal;
  bestBid?: Decimal;
  flags: PriceFlag[];
}

/** An open case as the byStatus index holds it. */
export interface OpenCase {
  cityId: string;
  caseId: string;
  status: CaseStatus;
  updatedAt: string;
  /** Outstanding as last recorded (not projected). */
  recordedArrears: Decimal;
  /** Coins held for the case, by market (in custody, not sold, not released). */
  available: Record<string, Decimal>;
}

/** One case's line of the coverage sheet, as stored (won and ratios as decimal strings). */
export interface CoverageEntry {
  caseId: string;
  status: CaseStatus;
  /** The case update the projected arrears were computed from (with recordedArrearsKrw and asOf). */
  updatedAt: string;
  recordedArrearsKrw: string;
  /** The Korean date the arrears are projected to. */
  asOf: LocalDate;
  arrearsKrw: string;
  valueKrw: string;
  ratio: string | null;
  state: CoverageState;
  shortfallKrw: string;
  surplusKrw: string;
  unpriced: string[];
  flagged: string[];
}

export interface CoverageSheet {
  cityId: string;
  computedAt: string;
  asOf: LocalDate;
  entries: CoverageEntry[];
}

/** A sheet as read back, with how many part items it is stored in. */
export interface StoredCoverageSheet extends CoverageSheet {
  storedParts: number;
}

export interface PriceStoreOptions {
  /** Lifetime of series points and of a LATEST item nobody polls any more. Default 7 days. */
  historyDays?: number;
  /** Most cases per coverage item (each line ≈ 300 bytes; an item also stops at 300 KB). Default 1,000. */
  casesPerPart?: number;
}

// ---------------------------------------------------------------- store

const BATCH_WRITE = 25;
const PARALLEL_WRITES = 16;
const MAX_BATCH_ROUNDS = 8;
const DAY_MS = 86_400_000;
/** Coverage JSON per item, well under DynamoDB's 400 KB item limit. */
const MAX_PART_BYTES = 300_000;

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Each market's latest price read alone: what the pre-sale notices and the APIs value coins at,
 * without the poller's store around it (its coverage sheets, series and writes stay out of their
 * bundles). `DynamoDbPriceStore` reads the latest prices through it too.
 */
export class DynamoDbLatestPrices {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
    /** Pause between retries of unprocessed batch items (injected by tests). */
    private readonly sleep: (ms: number) => Promise<void> = pause,
  ) {
    this.doc = documentClient(client);
  }

  async latest(markets: readonly string[]): Promise<Record<string, PriceSnapshot>> {
    const unique = [...new Set(markets)];
    const keys = unique.map((m) => ({ PK: pricePk(m), SK: PRICE_SK.latest }));
    const items = await batchGetAll(this.doc, this.tableName, keys, this.sleep, false);
    return Object.fromEntries(items.map((item) => [str(item.market, 'market'), itemToSnapshot(item)]));
  }

  /** The API's seam (functions/api/views.ts LatestPrices): the latest best bid per market. */
  async latestBids(markets: string[]): Promise<Record<string, { bid: Decimal; at: string; flags: PriceFlag[] }>> {
    const latest = await this.latest(markets);
    const out: Record<string, { bid: Decimal; at: string; flags: PriceFlag[] }> = {};
    for (const [market, s] of Object.entries(latest)) {
      if (s.bestBid) out[market] = { bid: s.bestBid, at: (s.bookAt ?? s.quotedAt).toISOString(), flags: s.flags };
    }
    return out;
  }
}

export class DynamoDbPriceStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly latestPrices: DynamoDbLatestPrices;
  readonly historyDays: number;
  readonly casesPerPart: number;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
    options: PriceStoreOptions = {},
    /** Pause between retries of unprocessed batch items (injected by tests). */
    private readonly sleep: (ms: number) => Promise<void> = pause,
  ) {
    this.doc = documentClient(client);
    this.latestPrices = new DynamoDbLatestPrices(client, tableName, sleep);
    this.historyDays = options.historyDays ?? 7;
    this.casesPerPart = options.casesPerPart ?? 1000;
    if (!Number.isInteger(this.historyDays) || this.historyDays < 1)
      throw new RangeError('historyDays must be a whole number of days, at least 1');
    if (!Number.isInteger(this.casesPerPart) || this.casesPerPart < 1)
      throw new RangeError('casesPerPart must be a whole number, at least 1');
  }

  // ------------------------------------------------------------ open cases (byStatus index)

  /**
   * A city's open cases with their holdings, one index query per open status. The index is
   * eventually consistent: a case that just changed status may come back under its old status too,
   * and only its latest update is kept.
   */
  async openCases(cityId: string): Promise<OpenCase[]> {
    const perStatus = await Promise.all(
      OPEN_STATUSES.map((status) =>
        queryAll(this.doc, {
          TableName: this.tableName,
          IndexName: INDEX.byStatus,
          KeyConditionExpression: 'GSI2PK = :pk',
          ExpressionAttributeValues: { ':pk': statusPk(cityId, status) },
          ProjectionExpression: 'caseId, #status, updatedAt, arrearsKrw, available',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      ),
    );
    const latest = new Map<string, OpenCase>();
    for (const item of perStatus.flat()) {
      const open: OpenCase = {
        cityId,
        caseId: str(item.caseId, 'caseId'),
        status: str(item.status, 'status') as CaseStatus,
        updatedAt: str(item.updatedAt, 'updatedAt'),
        recordedArrears: dec(item.arrearsKrw, 'arrearsKrw'),
        available: availableOf(item),
      };
      const seen = latest.get(open.caseId);
      if (!seen || seen.updatedAt < open.updatedAt) latest.set(open.caseId, open);
    }
    return [...latest.values()];
  }

  /** Full case items (eventually consistent reads, 100 per call), each once; missing ones are left out. */
  async cases(keys: readonly { cityId: string; caseId: string }[]): Promise<Case[]> {
    const pks = [...new Set(keys.map((k) => casePk(k.cityId, k.caseId)))];
    const items = await this.batchGet(pks.map((PK) => ({ PK, SK: SK.case })));
    return items.map(itemToCase);
  }

  // ------------------------------------------------------------ prices

  /**
   * Writes each market's LATEST item (unless a later poll already wrote one) and its point for
   * `minute` (the scheduled minute: a retried poll rewrites the same point).
   */
  async putPrices(
    snapshots: readonly PriceSnapshot[],
    minute: Date,
  ): Promise<{ latestWritten: number; latestNewer: number }> {
    let latestWritten = 0;
    let latestNewer = 0;
    await forEachLimit(snapshots, PARALLEL_WRITES, async (s) => {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...this.priceItem(s, minute), PK: pricePk(s.market), SK: PRICE_SK.latest, recordType: 'PRICE' },
            ConditionExpression: 'attribute_not_exists(PK) OR polledAt <= :polledAt',
            ExpressionAttributeValues: { ':polledAt': s.polledAt.toISOString() },
          }),
        );
        latestWritten++;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        latestNewer++;
      }
    });
    const points = snapshots.map((s) => ({
      ...this.priceItem(s, minute),
      PK: priceSeriesPk(s.market, utcDay(minute)),
      SK: PRICE_SK.minute(minute),
      recordType: 'PRICE_POINT',
    }));
    await this.batchPut(points);
    return { latestWritten, latestNewer };
  }

  /** The LATEST price of each market found (absent markets are left out). */
  latest(markets: readonly string[]): Promise<Record<string, PriceSnapshot>> {
    return this.latestPrices.latest(markets);
  }

  /** The API's seam (functions/api/views.ts LatestPrices): the latest best bid per market. */
  latestBids(markets: string[]): Promise<Record<string, { bid: Decimal; at: string; flags: PriceFlag[] }>> {
    return this.latestPrices.latestBids(markets);
  }

  /** Minute points of a market in [from, to], oldest first (one query per UTC day spanned). */
  async series(market: string, from: Date, to: Date): Promise<PricePoint[]> {
    if (to.getTime() < from.getTime()) return [];
    const days: string[] = [];
    for (let ms = Date.parse(`${utcDay(from)}T00:00:00Z`); ms <= to.getTime(); ms += DAY_MS)
      days.push(utcDay(new Date(ms)));
    const out: PricePoint[] = [];
    for (const day of days) {
      const items = await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': priceSeriesPk(market, day),
          ':from': PRICE_SK.minute(from),
          ':to': PRICE_SK.minute(to),
        },
      });
      for (const item of items) {
        const s = itemToSnapshot(item);
        out.push({
          at: new Date(str(item.minute, 'minute')),
          price: s.tradePrice,
          ...(s.bestBid ? { bestBid: s.bestBid } : {}),
          flags: s.flags,
        });
      }
    }
    return out;
  }

  private priceItem(s: PriceSnapshot, minute: Date): Item {
    const opt = (name: string, value: Decimal | Date | undefined) =>
      value === undefined ? {} : { [name]: value instanceof Date ? value.toISOString() : value.toFixed() };
    return {
      market: s.market,
      minute: PRICE_SK.minute(minute),
      polledAt: s.polledAt.toISOString(),
      quotedAt: s.quotedAt.toISOString(),
      tradeAt: s.tradeAt.toISOString(),
      tickerAt: s.tickerAt.toISOString(),
      ...opt('bookAt', s.bookAt),
      tradePrice: s.tradePrice.toFixed(),
      ...opt('bestBid', s.bestBid),
      ...opt('bestAsk', s.bestAsk),
      ...opt('mid', s.mid),
      ...opt('gapBps', s.gapBps),
      ageMs: s.ageMs,
      flags: [...s.flags],
      accTradeVolume24h: s.accTradeVolume24h.toFixed(),
      accTradeValue24h: s.accTradeValue24h.toFixed(),
      [CASES_TABLE.timeToLiveAttribute]: Math.floor(s.polledAt.getTime() / 1000) + this.historyDays * 86_400,
    };
  }

  // ------------------------------------------------------------ coverage sheet

  /**
   * The city's last sheet; undefined before the first poll. When two polls' writes interleave
   * (parts are separate items), parts beyond the newest part's count are ignored and a case found
   * twice keeps its newer line.
   */
  async coverageSheet(cityId: string): Promise<StoredCoverageSheet | undefined> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': coveragePk(cityId) },
    });
    if (items.length === 0) return undefined;
    const parts = items
      .map((item) => ({
        part: int(item.part, 'part'),
        parts: int(item.parts, 'parts'),
        computedAt: str(item.computedAt, 'computedAt'),
        asOf: str(item.asOf, 'asOf'),
        entries: parseEntries(item.entries),
      }))
      .sort((a, b) => (a.computedAt < b.computedAt ? 1 : a.computedAt > b.computedAt ? -1 : a.part - b.part));
    const newest = parts[0]!;
    const byCase = new Map<string, CoverageEntry>();
    for (const p of parts.filter((x) => x.part < newest.parts)) {
      for (const e of p.entries) if (!byCase.has(e.caseId)) byCase.set(e.caseId, e);
    }
    const entries = [...byCase.values()].sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
    return { cityId, computedAt: newest.computedAt, asOf: newest.asOf, entries, storedParts: items.length };
  }

  /** Writes the sheet in parts (never over a later poll's part) and removes parts it no longer needs. */
  async putCoverageSheet(sheet: CoverageSheet, previousParts = 0): Promise<{ parts: number }> {
    const sorted = [...sheet.entries].sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
    // Greedy: up to casesPerPart lines and MAX_PART_BYTES of JSON per item (a case with many
    // markets has a longer line). An empty sheet is one empty part: "no open case", unlike no sheet.
    const parts: CoverageEntry[][] = [[]];
    let bytes = 0;
    for (const entry of sorted) {
      const size = Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
      const current = parts.at(-1)!;
      if (current.length > 0 && (current.length >= this.casesPerPart || bytes + size > MAX_PART_BYTES)) {
        parts.push([entry]);
        bytes = size;
      } else {
        current.push(entry);
        bytes += size;
      }
    }
    const notNewer = {
      ConditionExpression: 'attribute_not_exists(PK) OR computedAt <= :at',
      ExpressionAttributeValues: { ':at': sheet.computedAt },
    };
    const ignoreNewer = (error: unknown) => {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    };
    await forEachLimit(
      parts.map((entries, part) => ({ entries, part })),
      PARALLEL_WRITES,
      ({ entries, part }) =>
        this.doc
          .send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                PK: coveragePk(sheet.cityId),
                SK: PRICE_SK.coveragePart(part),
                recordType: 'COVERAGE',
                cityId: sheet.cityId,
                part,
                parts: parts.length,
                computedAt: sheet.computedAt,
                asOf: sheet.asOf,
                entries: JSON.stringify(entries),
              },
              ...notNewer,
            }),
          )
          .then(() => undefined, ignoreNewer),
    );
    const stale = Array.from({ length: Math.max(0, previousParts - parts.length) }, (_, i) => parts.length + i);
    await forEachLimit(stale, PARALLEL_WRITES, (part) =>
      this.doc
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { PK: coveragePk(sheet.cityId), SK: PRICE_SK.coveragePart(part) },
            ConditionExpression: 'computedAt < :at',
            ExpressionAttributeValues: { ':at': sheet.computedAt },
          }),
        )
        .then(() => undefined, ignoreNewer),
    );
    return { parts: parts.length };
  }

  // ------------------------------------------------------------ helpers

  private batchGet(keys: readonly Item[]): Promise<Item[]> {
    return batchGetAll(this.doc, this.tableName, keys, this.sleep, false);
  }

  private async batchPut(items: readonly Item[]): Promise<void> {
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE) batches.push(items.slice(i, i + BATCH_WRITE));
    await forEachLimit(batches, PARALLEL_WRITES / 4, async (batch) => {
      let pending = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS)
          throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${MAX_BATCH_ROUNDS} rounds`);
        if (round > 0) await this.sleep(Math.min(1000, 50 * 2 ** round));
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (res.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    });
  }
}

// ---------------------------------------------------------------- mapping

/** The UTC calendar day of an instant, YYYY-MM-DD (the series partition). */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

const PRICE_FLAGS: readonly PriceFlag[] = ['STALE_PRICE', 'SOURCES_DISAGREE', 'NO_BOOK'];

function itemToSnapshot(item: Item): PriceSnapshot {
  const optDec = (name: string) => (item[name] === undefined ? undefined : dec(item[name], name));
  const date = (name: string) => new Date(str(item[name], name));
  const flags = Array.isArray(item.flags) ? item.flags.map((f) => str(f, 'flag')) : [];
  if (flags.some((f) => !(PRICE_FLAGS as readonly string[]).includes(f)))
    throw new CorruptItemError('unknown price flag');
  const s: PriceSnapshot = {
    market: str(item.market, 'market'),
    polledAt: date('polledAt'),
    tradePrice: dec(item.tradePrice, 'tradePrice'),
    tradeAt: date('tradeAt'),
    tickerAt: date('tickerAt'),
    quotedAt: date('quotedAt'),
    ageMs: int(item.ageMs, 'ageMs'),
    flags: flags as PriceFlag[],
    accTradeVolume24h: dec(item.accTradeVolume24h, 'accTradeVolume24h'),
    accTradeValue24h: dec(item.accTradeValue24h, 'accTradeValue24h'),
  };
  const bestBid = optDec('bestBid');
  const bestAsk = optDec('bestAsk');
  const mid = optDec('mid');
  const gapBps = optDec('gapBps');
  if (bestBid) s.bestBid = bestBid;
  if (bestAsk) s.bestAsk = bestAsk;
  if (mid) s.mid = mid;
  if (gapBps) s.gapBps = gapBps;
  if (item.bookAt !== undefined) s.bookAt = date('bookAt');
  return s;
}

function parseEntries(value: unknown): CoverageEntry[] {
  const parsed = JSON.parse(str(value, 'entries')) as unknown;
  if (!Array.isArray(parsed)) throw new CorruptItemError('coverage entries are not a list');
  return parsed as CoverageEntry[];
}

/** Runs `fn` over `items`, at most `limit` at a time; the first failure is thrown after all settle. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
