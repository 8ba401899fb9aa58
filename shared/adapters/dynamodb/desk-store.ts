/**
 * The sale desk's records (docs/SALE-DESK.md), one partition per desk, `CITY#<city>#DESK#<deskId>`,
 * with deskId `desk.<market>.<yyyymmdd>` (the Korean day):
 *
 *   DESK                 the desk: running or ended, its run (a desk reopened the same day runs again
 *                        under a new execution name), the slice counter, the orders not yet final,
 *                        its last quote and recent prices, its figures.
 *   MEMBER#<caseId>      a case taking part: its sale, what it offers in all, its floor, ACTIVE until
 *                        it withdraws (hold, payment, stop, need covered) or the desk has sold its
 *                        offer (DONE); what each desk order sold of it (`sold`, by order).
 *   ORDER#<identifier>   the desk's limit IOC order (an OrderRecord: the exchange knows it by this
 *                        identifier), the split it was placed with (offers), and once final the
 *                        allocation of its trades to the cases.
 *
 * The DESK item is also in the byStatus index under `CITY#<city>#DESKS`, sorted by `<day>#<market>`:
 * the officers' read of a city's desks of a day (GET /sale-desks) is one query, no scan.
 *
 * Each case's share of an order is an OrderRecord in the case's own partition (`deskOrder` names the
 * desk order), so everything the case's sale reads (sold, held in doubt, proceeds, settlement) reads
 * its shares as it reads its own orders. Shares are written PLANNED in the transaction that plans the
 * desk order (with a condition that every member is still ACTIVE), and DONE (with the case's trades,
 * gross and fee) or IN_DOUBT (holding the offer, with the account-wide marker the sweep reads) in
 * the transaction that closes it. A fill found late is allocated by the stored split; each case
 * turns its own share DONE from it (or the sweep, once its sale has ended).
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyConflictError } from '#domain/case-store';
import type { CaseFill, Offer } from '#domain/desk-allocation';
import { Decimal, sum, ZERO } from '#domain/money';
import { batchGetAll, documentClient, queryAll } from './client';
import { casePk, inDoubtSk, ORDERS_IN_DOUBT_PK, safeId, SK } from './keys';
import { INDEX } from './table-definition';
import { CorruptItemError, dec, int, str, type Item } from './marshal';
import {
  isConditionFailure,
  isTransactionCancelled,
  itemToOrder,
  OrderConflictError,
  orderToItem,
  snapshotIn,
  snapshotOut,
  type MarketSnapshot,
  type OrderRecord,
  type OrderStatus,
  type PricePoint,
} from './sale-store';

/**
 * The market's latest full quote (ticker, book and the exchange's rules), one item per market for the
 * deployment (one exchange account: the same book and rules for every city), written by whoever read
 * it from the exchange (a desk's turn, a case's own quote) and read by a case's quote before it joins
 * its desk, so that a crowd of cases starting at once reads the exchange once per market.
 */
export const marketQuotePk = (market: string): string => `QUOTE#${safeId('market', market)}`;
const MARKET_QUOTE_SK = 'LATEST';

/** A quote as shared: the snapshot, when it was read (on the reader's clock) and when its rules were. */
export interface SharedQuote {
  snapshot: MarketSnapshot;
  readAt: string;
  rulesReadAt: string;
}

/** The desk of a market on a Korean day (yyyy-mm-dd). */
export const deskIdOf = (market: string, day: string): string => `desk.${market}.${day.replaceAll('-', '')}`;
export const deskPk = (cityId: string, deskId: string): string =>
  `CITY#${safeId('cityId', cityId)}#DESK#${safeId('deskId', deskId)}`;
/** A city's desks in the byStatus index (GSI2), sorted by `<day>#<market>` (a partition of their own, beside the case statuses). */
export const desksPk = (cityId: string): string => `CITY#${safeId('cityId', cityId)}#DESKS`;
/** The desk order of a slice: `<city>.<deskId>.s<n>`, n from 1 to the desk's slice counter. */
export const deskOrderIdentifier = (cityId: string, deskId: string, slice: number): string =>
  `${cityId}.${deskId}.s${slice}`;
/** A case's share of a desk order: its own record, in its partition. */
export const shareIdentifier = (deskOrder: string, caseId: string): string => `${deskOrder}.${caseId}`;
/** The desk's orders stand where a case would be (`caseId`), so the order helpers serve them too. */
export const DESK_CASE = 'desk';

export type DeskStatus = 'RUNNING' | 'ENDED';

export interface DeskFigures {
  orders: number;
  soldQuantity: Decimal;
  grossKrw: Decimal;
  /** Exchange fees on the fills. */
  feeKrw: Decimal;
  /**
   * Σ arrival mid × quantity over the fills, each case's coins at the mid of its own sale's decision
   * (its arrival price, as its sale's implementation shortfall counts them): the desk's shortfall is
   * then the execution cost and fees of the per-sale figures, over the same fills.
   */
  arrivalValueKrw: Decimal;
  /** The largest share of the market's traded volume per minute one desk order took (estimated). */
  maxParticipation: Decimal;
}

export interface DeskRecord {
  cityId: string;
  deskId: string;
  market: string;
  day: string;
  rev: number;
  status: DeskStatus;
  /** Runs of the desk this day (its executions: `<city>_desk_<market>_<yyyymmdd>`, then `_r<n>`). */
  run: number;
  sliceCount: number;
  /** Orders not yet final (planned, sent, placed or in doubt). */
  openOrders: string[];
  lastQuote?: MarketSnapshot;
  /** The market's rules as last read from the exchange (kept for a bounded time: `rulesMaxAgeMs`). */
  rules?: DeskRules;
  priceHistory: PricePoint[];
  consecutivePauses: number;
  /** The mid when the desk first sold this day (its arrival price). */
  arrivalMid?: Decimal;
  figures: DeskFigures;
  startedAt: string;
  endedAt?: string;
  lastDecision?: { at: string; action: string; reason?: string };
}

/** What an order on the market must respect, read from the exchange (instruments and chance) at `readAt`. */
export interface DeskRules {
  tickSize: Decimal;
  askFee: Decimal;
  minOrderKrw: Decimal;
  readAt: string;
}

export type MemberStatus = 'ACTIVE' | 'WITHDRAWN' | 'DONE';

export interface DeskMember {
  cityId: string;
  deskId: string;
  caseId: string;
  saleId: string;
  /** Coins the case offers the desk in all (its plan's leg on this market when it joined). */
  offered: Decimal;
  floorPrice?: Decimal;
  /** The mid of its sale's decision on this market (its arrival price), for the desk's shortfall. */
  arrivalMid?: Decimal;
  status: MemberStatus;
  reason?: string;
  joinedAt: string;
  /** The desk's slice counter when it joined: its offers are in the orders after it (exact: the join is over the desk's revision). */
  joinedAtSlice: number;
  /** Coins each final desk order sold of this case, by order identifier. */
  sold: Record<string, Decimal>;
}

export interface DeskOrder extends OrderRecord {
  /** The split the order was placed with. */
  offers: Offer[];
  /** What each case received once the order was final (allocateOrder). */
  allocation?: CaseFill[];
  /** The market's estimated volume per minute when it was planned (participation figure). */
  volumePerMinute?: Decimal;
  /** Each offering case's arrival mid (its member's), by case id: its fills are valued at it. */
  arrivalMids?: Record<string, Decimal>;
  /** When the rules it was priced and sized on were read (before `plannedAt`: kept from an earlier turn). */
  rulesReadAt?: string;
}

export const emptyFigures = (): DeskFigures => ({
  orders: 0,
  soldQuantity: ZERO,
  grossKrw: ZERO,
  feeKrw: ZERO,
  arrivalValueKrw: ZERO,
  maxParticipation: ZERO,
});

/**
 * The desk a case joins (`DeskStore.join`): the running one as it is, or opened, an ended one reopened
 * under its next run (its slice counter, orders still open, prices and figures of the day kept).
 */
export function openDesk(
  current: DeskRecord | undefined,
  desk: Pick<DeskRecord, 'cityId' | 'deskId' | 'market' | 'day'>,
  now: Date,
): DeskRecord {
  if (current && current.status === 'RUNNING') return { ...current, rev: current.rev + 1 };
  return {
    ...desk,
    rev: (current?.rev ?? 0) + 1,
    status: 'RUNNING',
    run: (current?.run ?? 0) + 1,
    sliceCount: current?.sliceCount ?? 0,
    openOrders: current?.openOrders ?? [],
    priceHistory: current?.priceHistory ?? [],
    consecutivePauses: 0,
    ...(current?.arrivalMid ? { arrivalMid: current.arrivalMid } : {}),
    figures: current?.figures ?? emptyFigures(),
    startedAt: now.toISOString(),
  };
}

/**
 * What a member still has to sell through the desk: its offer less what sold and what open orders
 * planned since it joined hold (an order in doubt from before it joined is already out of its offer:
 * the case counted its share as held when it planned).
 */
export function memberLeft(member: DeskMember, open: readonly DeskOrder[]): Decimal {
  const held = sum(
    open
      .filter((o) => o.slice > member.joinedAtSlice)
      .flatMap((o) => o.offers.filter((x) => x.caseId === member.caseId).map((x) => x.quantity)),
  );
  return member.offered.sub(sum(Object.values(member.sold))).sub(held);
}

/**
 * What an order's fills were worth at their cases' arrival mids (`arrivalMids`; a case without one,
 * or an order planned before they were recorded, at the desk's first mid of the day).
 */
export function arrivalValue(order: DeskOrder, deskArrival: Decimal): Decimal {
  const fills = order.allocation ?? [];
  if (fills.length === 0) return deskArrival.mul(order.executedVolume ?? ZERO);
  return sum(fills.map((f) => (order.arrivalMids?.[f.caseId] ?? deskArrival).mul(f.quantity)));
}

/** The desk's implementation shortfall in bps (its fills against their cases' arrival mids, fees included). */
export function deskShortfallBps(f: DeskFigures): Decimal | undefined {
  if (!f.arrivalValueKrw.gt(0)) return undefined;
  return f.arrivalValueKrw.sub(f.grossKrw.sub(f.feeKrw)).div(f.arrivalValueKrw).mul(10_000);
}

// ---------------------------------------------------------------- marshalling

const rec = (v: unknown, name: string): Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CorruptItemError(`${name} is not a map`);
  return v as Record<string, unknown>;
};
const arr = (v: unknown, name: string): unknown[] => {
  if (!Array.isArray(v)) throw new CorruptItemError(`${name} is not a list`);
  return v;
};

function deskToItem(d: DeskRecord): Item {
  return {
    PK: deskPk(d.cityId, d.deskId),
    SK: 'DESK',
    GSI2PK: desksPk(d.cityId),
    GSI2SK: `${d.day}#${d.market}`,
    recordType: 'DESK',
    cityId: d.cityId,
    deskId: d.deskId,
    market: d.market,
    day: d.day,
    rev: d.rev,
    status: d.status,
    run: d.run,
    sliceCount: d.sliceCount,
    openOrders: d.openOrders,
    ...(d.lastQuote ? { lastQuote: snapshotOut(d.lastQuote) } : {}),
    ...(d.rules
      ? {
          rules: {
            tickSize: d.rules.tickSize.toFixed(),
            askFee: d.rules.askFee.toFixed(),
            minOrderKrw: d.rules.minOrderKrw.toFixed(),
            readAt: d.rules.readAt,
          },
        }
      : {}),
    priceHistory: d.priceHistory.map((p) => [p.at, p.price.toFixed()]),
    consecutivePauses: d.consecutivePauses,
    ...(d.arrivalMid ? { arrivalMid: d.arrivalMid.toFixed() } : {}),
    figures: {
      orders: d.figures.orders,
      soldQuantity: d.figures.soldQuantity.toFixed(),
      grossKrw: d.figures.grossKrw.toFixed(),
      feeKrw: d.figures.feeKrw.toFixed(),
      arrivalValueKrw: d.figures.arrivalValueKrw.toFixed(),
      maxParticipation: d.figures.maxParticipation.toFixed(),
    },
    startedAt: d.startedAt,
    ...(d.endedAt ? { endedAt: d.endedAt } : {}),
    ...(d.lastDecision ? { lastDecision: { ...d.lastDecision } } : {}),
  };
}

export function itemToDesk(item: Item): DeskRecord {
  const f = rec(item.figures, 'figures');
  const d: DeskRecord = {
    cityId: str(item.cityId, 'cityId'),
    deskId: str(item.deskId, 'deskId'),
    market: str(item.market, 'market'),
    day: str(item.day, 'day'),
    rev: int(item.rev, 'rev'),
    status: str(item.status, 'status') as DeskStatus,
    run: int(item.run, 'run'),
    sliceCount: int(item.sliceCount, 'sliceCount'),
    openOrders: arr(item.openOrders ?? [], 'openOrders').map((x) => str(x, 'openOrders[]')),
    priceHistory: arr(item.priceHistory ?? [], 'priceHistory').map((p) => {
      const [at, price] = arr(p, 'price point');
      return { at: str(at, 'at'), price: dec(price, 'price') };
    }),
    consecutivePauses: int(item.consecutivePauses ?? 0, 'consecutivePauses'),
    figures: {
      orders: int(f.orders, 'figures.orders'),
      soldQuantity: dec(f.soldQuantity, 'figures.soldQuantity'),
      grossKrw: dec(f.grossKrw, 'figures.grossKrw'),
      feeKrw: f.feeKrw === undefined ? ZERO : dec(f.feeKrw, 'figures.feeKrw'),
      arrivalValueKrw: dec(f.arrivalValueKrw, 'figures.arrivalValueKrw'),
      maxParticipation: dec(f.maxParticipation, 'figures.maxParticipation'),
    },
    startedAt: str(item.startedAt, 'startedAt'),
  };
  if (item.lastQuote !== undefined) d.lastQuote = snapshotIn(item.lastQuote);
  if (item.rules !== undefined) {
    const r = rec(item.rules, 'rules');
    d.rules = {
      tickSize: dec(r.tickSize, 'rules.tickSize'),
      askFee: dec(r.askFee, 'rules.askFee'),
      minOrderKrw: dec(r.minOrderKrw, 'rules.minOrderKrw'),
      readAt: str(r.readAt, 'rules.readAt'),
    };
  }
  if (item.arrivalMid !== undefined) d.arrivalMid = dec(item.arrivalMid, 'arrivalMid');
  if (item.endedAt !== undefined) d.endedAt = str(item.endedAt, 'endedAt');
  if (item.lastDecision !== undefined) {
    const l = rec(item.lastDecision, 'lastDecision');
    d.lastDecision = {
      at: str(l.at, 'lastDecision.at'),
      action: str(l.action, 'lastDecision.action'),
      ...(l.reason !== undefined ? { reason: str(l.reason, 'lastDecision.reason') } : {}),
    };
  }
  return d;
}

function memberToItem(m: DeskMember): Item {
  return {
    PK: deskPk(m.cityId, m.deskId),
    SK: `MEMBER#${safeId('caseId', m.caseId)}`,
    recordType: 'DESK_MEMBER',
    cityId: m.cityId,
    deskId: m.deskId,
    caseId: m.caseId,
    saleId: m.saleId,
    offered: m.offered.toFixed(),
    ...(m.floorPrice ? { floorPrice: m.floorPrice.toFixed() } : {}),
    ...(m.arrivalMid ? { arrivalMid: m.arrivalMid.toFixed() } : {}),
    status: m.status,
    ...(m.reason ? { reason: m.reason } : {}),
    joinedAt: m.joinedAt,
    joinedAtSlice: m.joinedAtSlice,
    sold: Object.fromEntries(Object.entries(m.sold).map(([k, v]) => [k, v.toFixed()])),
  };
}

export function itemToMember(item: Item): DeskMember {
  const m: DeskMember = {
    cityId: str(item.cityId, 'cityId'),
    deskId: str(item.deskId, 'deskId'),
    caseId: str(item.caseId, 'caseId'),
    saleId: str(item.saleId, 'saleId'),
    offered: dec(item.offered, 'offered'),
    status: str(item.status, 'status') as MemberStatus,
    joinedAt: str(item.joinedAt, 'joinedAt'),
    joinedAtSlice: int(item.joinedAtSlice ?? 0, 'joinedAtSlice'),
    sold: Object.fromEntries(Object.entries(rec(item.sold ?? {}, 'sold')).map(([k, v]) => [k, dec(v, `sold.${k}`)])),
  };
  if (item.floorPrice !== undefined) m.floorPrice = dec(item.floorPrice, 'floorPrice');
  if (item.arrivalMid !== undefined) m.arrivalMid = dec(item.arrivalMid, 'arrivalMid');
  if (item.reason !== undefined) m.reason = str(item.reason, 'reason');
  return m;
}

const fillOut = (f: CaseFill) => ({
  caseId: f.caseId,
  quantity: f.quantity.toFixed(),
  grossKrw: f.grossKrw.toFixed(),
  feeKrw: f.feeKrw.toFixed(),
  trades: f.trades.map((t) => [t.price.toFixed(), t.quantity.toFixed()]),
});
const fillIn = (v: unknown): CaseFill => {
  const m = rec(v, 'allocation');
  return {
    caseId: str(m.caseId, 'allocation.caseId'),
    quantity: dec(m.quantity, 'allocation.quantity'),
    grossKrw: dec(m.grossKrw, 'allocation.grossKrw'),
    feeKrw: dec(m.feeKrw, 'allocation.feeKrw'),
    trades: arr(m.trades, 'allocation.trades').map((t) => {
      const [price, quantity] = arr(t, 'trade');
      return { price: dec(price, 'trade.price'), quantity: dec(quantity, 'trade.quantity') };
    }),
  };
};

function deskOrderToItem(o: DeskOrder): Item {
  return {
    ...orderToItem(o),
    PK: deskPk(o.cityId, o.saleId),
    recordType: 'DESK_ORDER',
    offers: o.offers.map((x) => ({
      caseId: x.caseId,
      quantity: x.quantity.toFixed(),
      ...(x.floorPrice ? { floorPrice: x.floorPrice.toFixed() } : {}),
    })),
    ...(o.allocation ? { allocation: o.allocation.map(fillOut) } : {}),
    ...(o.volumePerMinute ? { volumePerMinute: o.volumePerMinute.toFixed() } : {}),
    ...(o.arrivalMids
      ? { arrivalMids: Object.fromEntries(Object.entries(o.arrivalMids).map(([k, v]) => [k, v.toFixed()])) }
      : {}),
    ...(o.rulesReadAt ? { rulesReadAt: o.rulesReadAt } : {}),
  };
}

export function itemToDeskOrder(item: Item): DeskOrder {
  const o: DeskOrder = {
    ...itemToOrder(item),
    offers: arr(item.offers, 'offers').map((v) => {
      const m = rec(v, 'offer');
      return {
        caseId: str(m.caseId, 'offer.caseId'),
        quantity: dec(m.quantity, 'offer.quantity'),
        ...(m.floorPrice !== undefined ? { floorPrice: dec(m.floorPrice, 'offer.floorPrice') } : {}),
      };
    }),
  };
  if (item.allocation !== undefined) o.allocation = arr(item.allocation, 'allocation').map(fillIn);
  if (item.volumePerMinute !== undefined) o.volumePerMinute = dec(item.volumePerMinute, 'volumePerMinute');
  if (item.arrivalMids !== undefined)
    o.arrivalMids = Object.fromEntries(
      Object.entries(rec(item.arrivalMids, 'arrivalMids')).map(([k, v]) => [k, dec(v, `arrivalMids.${k}`)]),
    );
  if (item.rulesReadAt !== undefined) o.rulesReadAt = str(item.rulesReadAt, 'rulesReadAt');
  return o;
}

// ---------------------------------------------------------------- the store

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** DynamoDB's limit on one transaction (TransactWriteItems): a desk order's shares must fit in it. */
export const MAX_TRANSACTION_ITEMS = 100;
/** Cases in one desk order: its plan and its close (share, marker and member per case) stay in one transaction. */
export const MAX_OFFERS_PER_ORDER = 40;

export class DeskStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  /** The markets' shared quotes (docs/SALE-DESK.md "Exchange calls"), strongly consistent, with any refresh lease. */
  async sharedQuotes(markets: readonly string[]): Promise<Map<string, SharedQuote & { leaseUntil?: string }>> {
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      [...new Set(markets)].map((m) => ({ PK: marketQuotePk(m), SK: MARKET_QUOTE_SK })),
    );
    const out = new Map<string, SharedQuote & { leaseUntil?: string }>();
    for (const item of items) {
      if (item.quote === undefined) {
        if (item.leaseUntil !== undefined) {
          // A lease with no quote yet: reported so that the reader waits for it.
          const market = str(item.market, 'market');
          out.set(market, { leaseUntil: str(item.leaseUntil, 'leaseUntil') } as SharedQuote & { leaseUntil: string });
        }
        continue;
      }
      const snapshot = snapshotIn(item.quote);
      out.set(snapshot.market, {
        snapshot,
        readAt: str(item.readAt, 'readAt'),
        rulesReadAt: str(item.rulesReadAt, 'rulesReadAt'),
        ...(item.leaseUntil !== undefined ? { leaseUntil: str(item.leaseUntil, 'leaseUntil') } : {}),
      });
    }
    return out;
  }

  /**
   * Takes the market's refresh lease until `until` (ISO) when nobody holds one past `now`: the one
   * caller that reads the exchange for it while the others wait for its quote. False: someone holds it.
   */
  async leaseQuote(market: string, now: string, until: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: marketQuotePk(market), SK: MARKET_QUOTE_SK },
          UpdateExpression: 'SET leaseUntil = :until, market = :market',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil <= :now',
          ExpressionAttributeValues: { ':until': until, ':now': now, ':market': market },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /**
   * Shares a quote read from the exchange and ends the refresh lease; an older read never replaces a
   * newer one (then only the lease ends).
   */
  async shareQuote(quote: SharedQuote): Promise<void> {
    const Key = { PK: marketQuotePk(quote.snapshot.market), SK: MARKET_QUOTE_SK };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression:
            'SET quote = :quote, readAt = :readAt, rulesReadAt = :rulesReadAt, market = :market REMOVE leaseUntil',
          ConditionExpression: 'attribute_not_exists(readAt) OR readAt <= :readAt',
          ExpressionAttributeValues: {
            ':quote': snapshotOut(quote.snapshot),
            ':readAt': quote.readAt,
            ':rulesReadAt': quote.rulesReadAt,
            ':market': quote.snapshot.market,
          },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      await this.endQuoteLease(quote.snapshot.market);
    }
  }

  /** Ends the market's refresh lease (its holder failed to read the exchange): the next caller reads. */
  async endQuoteLease(market: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: marketQuotePk(market), SK: MARKET_QUOTE_SK },
        UpdateExpression: 'REMOVE leaseUntil',
      }),
    );
  }

  async get(cityId: string, deskId: string): Promise<DeskRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: deskPk(cityId, deskId), SK: 'DESK' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToDesk(out.Item) : undefined;
  }

  /** The city's desks of a Korean day (yyyy-mm-dd), by market: one per market, however often it ran. */
  async ofDay(cityId: string, day: string): Promise<DeskRecord[]> {
    const keys = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: INDEX.byStatus,
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :day)',
      ExpressionAttributeValues: { ':pk': desksPk(cityId), ':day': `${day}#` },
    });
    // The index holds the keys (its projection is the cases'): each desk read from its item.
    const prefix = deskPk(cityId, 'x').slice(0, -1);
    const ids = keys.map((k) => str(k.PK, 'PK').slice(prefix.length));
    const desks = await Promise.all(ids.map((id) => this.get(cityId, id)));
    return desks.filter((d): d is DeskRecord => d !== undefined);
  }

  /** The query of a desk's members (`MEMBER#<caseId>`, by case id). */
  private memberKeys(cityId: string, deskId: string) {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :m)',
      ExpressionAttributeValues: { ':pk': deskPk(cityId, deskId), ':m': 'MEMBER#' },
    };
  }

  /** How many members the desk has, by status (each member read for its status only). */
  async memberCounts(cityId: string, deskId: string): Promise<Record<MemberStatus, number>> {
    const counts: Record<MemberStatus, number> = { ACTIVE: 0, WITHDRAWN: 0, DONE: 0 };
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          ...this.memberKeys(cityId, deskId),
          ExpressionAttributeNames: { '#s': 'status' },
          ProjectionExpression: '#s',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) counts[str(item.status, 'status') as MemberStatus]++;
      start = out.LastEvaluatedKey;
    } while (start);
    return counts;
  }

  /** The desk's orders of these slices (those planned: a slice past the counter has none). */
  async ordersOfSlices(cityId: string, deskId: string, slices: readonly number[]): Promise<DeskOrder[]> {
    const keys = slices.map((n) => ({
      PK: deskPk(cityId, deskId),
      SK: SK.order(deskOrderIdentifier(cityId, deskId, n)),
    }));
    return (await batchGetAll(this.doc, this.tableName, keys)).map(itemToDeskOrder).sort((a, b) => b.slice - a.slice);
  }

  async member(cityId: string, deskId: string, caseId: string): Promise<DeskMember | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: deskPk(cityId, deskId), SK: `MEMBER#${caseId}` },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToMember(out.Item) : undefined;
  }

  /** One page of the desk's members by case id, after the case `after`; `next` is the page's last case when more follow. */
  async memberPage(
    cityId: string,
    deskId: string,
    options: { after?: string; limit: number },
  ): Promise<{ members: DeskMember[]; next?: string }> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined = options.after
      ? { PK: deskPk(cityId, deskId), SK: `MEMBER#${options.after}` }
      : undefined;
    // One more than the page: whether another page follows.
    do {
      const out = await this.doc.send(
        new QueryCommand({
          ...this.memberKeys(cityId, deskId),
          ConsistentRead: true,
          Limit: options.limit + 1 - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length <= options.limit);
    const members = items.slice(0, options.limit).map(itemToMember);
    return items.length > options.limit ? { members, next: members.at(-1)!.caseId } : { members };
  }

  async members(cityId: string, deskId: string): Promise<DeskMember[]> {
    const items = await queryAll(this.doc, {
      ...this.memberKeys(cityId, deskId),
      ConsistentRead: true,
    });
    return items.map(itemToMember).sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  }

  /** These cases' memberships of the desk, read together (strongly consistent), by case id. */
  async membersOf(cityId: string, deskId: string, caseIds: readonly string[]): Promise<Map<string, DeskMember>> {
    const keys = [...new Set(caseIds)].map((caseId) => ({ PK: deskPk(cityId, deskId), SK: `MEMBER#${caseId}` }));
    const members = (await batchGetAll(this.doc, this.tableName, keys)).map(itemToMember);
    return new Map(members.map((m) => [m.caseId, m]));
  }

  /** Each offering case's share of a desk order, from the cases' partitions, read together (in offer order). */
  async shares(order: DeskOrder): Promise<OrderRecord[]> {
    const keys = order.offers.map((o) => ({
      PK: casePk(order.cityId, o.caseId),
      SK: SK.order(shareIdentifier(order.identifier, o.caseId)),
    }));
    const byCase = new Map(
      (await batchGetAll(this.doc, this.tableName, keys)).map(itemToOrder).map((s) => [s.caseId, s]),
    );
    return order.offers.flatMap((o) => byCase.get(o.caseId) ?? []);
  }

  async order(cityId: string, deskId: string, identifier: string): Promise<DeskOrder | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: deskPk(cityId, deskId), SK: SK.order(identifier) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToDeskOrder(out.Item) : undefined;
  }

  async orders(cityId: string, deskId: string): Promise<DeskOrder[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :o)',
      ExpressionAttributeValues: { ':pk': deskPk(cityId, deskId), ':o': SK.order('') },
      ConsistentRead: true,
    });
    return items.map(itemToDeskOrder).sort((a, b) => a.slice - b.slice);
  }

  /**
   * A case joins the desk: its membership (a case already ACTIVE in it for the same sale joins once)
   * and the desk RUNNING (opened, or reopened under its next run), in one transaction over the desk's
   * revision, so a desk that is ending sees the new member. Returns the desk as written.
   */
  async join(member: DeskMember, open: (desk: DeskRecord | undefined) => DeskRecord): Promise<DeskRecord> {
    const current = await this.get(member.cityId, member.deskId);
    const existing = await this.member(member.cityId, member.deskId, member.caseId);
    if (existing?.status === 'ACTIVE' && existing.saleId === member.saleId && current?.status === 'RUNNING')
      return current;
    const next = open(current);
    member = { ...member, joinedAtSlice: current?.sliceCount ?? 0 };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: memberToItem(member),
                ConditionExpression: 'attribute_not_exists(PK) OR #s <> :active OR saleId = :sale',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':active': 'ACTIVE', ':sale': member.saleId },
              },
            },
            this.putDesk(next, current?.rev),
          ],
        }),
      );
    } catch (error) {
      if (isTransactionCancelled(error)) throw new ConcurrencyConflictError(member.cityId, member.deskId, next.rev);
      throw error;
    }
    return next;
  }

  /**
   * The case's offer re-planned (`deskOffer`), on the membership it was computed for (still ACTIVE,
   * the same sale and join): false when that membership is gone, and then nothing is written.
   */
  async reoffer(member: DeskMember, offered: Decimal): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: deskPk(member.cityId, member.deskId), SK: `MEMBER#${member.caseId}` },
          UpdateExpression: 'SET offered = :o',
          ConditionExpression: '#s = :active AND saleId = :sale AND joinedAtSlice = :joined',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':o': offered.toFixed(),
            ':active': 'ACTIVE',
            ':sale': member.saleId,
            ':joined': member.joinedAtSlice,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The case leaves: it takes no part from the next order (an order already planned keeps its share). */
  async withdraw(cityId: string, deskId: string, caseId: string, reason: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: deskPk(cityId, deskId), SK: `MEMBER#${caseId}` },
          UpdateExpression: 'SET #s = :w, reason = :r',
          ConditionExpression: 'attribute_exists(PK) AND #s = :active',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':w': 'WITHDRAWN', ':r': reason, ':active': 'ACTIVE' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // not a member, or no longer active: nothing to do
    }
  }

  /**
   * Marks members DONE (the desk sold their offer, its day is over, it escalated or failed) with the
   * desk's next revision: as many transactions as the members need (each writes the desk too).
   */
  async finishMembers(desk: DeskRecord, members: readonly DeskMember[], reason: string): Promise<DeskRecord> {
    const per = MAX_TRANSACTION_ITEMS - 1;
    let current = desk;
    for (let i = 0; i === 0 || i < members.length; i += per)
      current = await this.finishSome(current, members.slice(i, i + per), reason);
    return current;
  }

  private async finishSome(desk: DeskRecord, members: readonly DeskMember[], reason: string): Promise<DeskRecord> {
    const next = { ...desk, rev: desk.rev + 1 };
    const items: TransactItems = members.map((m) => ({
      Update: {
        TableName: this.tableName,
        Key: { PK: deskPk(m.cityId, m.deskId), SK: `MEMBER#${m.caseId}` },
        UpdateExpression: 'SET #s = :done, reason = :r',
        ConditionExpression: '#s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':done': 'DONE', ':r': reason, ':active': 'ACTIVE' },
      },
    }));
    await this.transact([...items, this.putDesk(next, desk.rev)], desk);
    return next;
  }

  /** Writes the desk over the revision it was read at. */
  async save(desk: DeskRecord): Promise<DeskRecord> {
    const next = { ...desk, rev: desk.rev + 1 };
    await this.transact([this.putDesk(next, desk.rev)], desk);
    return next;
  }

  /**
   * Plans one desk order: the order, each case's share (PLANNED, in its partition), a check that
   * every case offering is still an ACTIVE member, and the desk (slice counter, open orders), in one
   * transaction. A case that withdrew meanwhile makes it fail: the desk plans again without it.
   */
  async planOrder(desk: DeskRecord, order: DeskOrder, shares: readonly OrderRecord[]): Promise<DeskRecord> {
    const next = { ...desk, rev: desk.rev + 1 };
    await this.transact(
      [
        this.putDesk(next, desk.rev),
        {
          Put: {
            TableName: this.tableName,
            Item: deskOrderToItem(order),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...shares.map((s) => ({
          Put: { TableName: this.tableName, Item: orderToItem(s), ConditionExpression: 'attribute_not_exists(PK)' },
        })),
        ...order.offers.map((o) => ({
          ConditionCheck: {
            TableName: this.tableName,
            Key: { PK: deskPk(order.cityId, order.saleId), SK: `MEMBER#${o.caseId}` },
            ConditionExpression: '#s = :active',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':active': 'ACTIVE' },
          },
        })),
      ],
      desk,
    );
    return next;
  }

  /** An order's status on the way (SENDING, PLACED), written only from the statuses given. */
  async updateOrder(order: DeskOrder, from: readonly OrderStatus[]): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: deskOrderToItem(order), ...fromStatus(from) }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new OrderConflictError(`desk order ${order.identifier} is no longer ${from.join(' or ')}`);
      throw error;
    }
  }

  /**
   * Closes a desk order, in one transaction with the desk (no longer open; its figures) and:
   *  - DONE from PLANNED/SENDING/PLACED: each case's share DONE with its fills, what it sold on its membership;
   *  - ABSENT: each share ABSENT (nothing sold, the coins free again);
   *  - IN_DOUBT: each share IN_DOUBT (its coins held back) with its marker for the sweep;
   *  - DONE from IN_DOUBT (found late): the allocation on the order and the members' sold; each case
   *    turns its own share DONE from it (or the sweep, once its sale has ended).
   */
  async closeOrder(
    order: DeskOrder,
    from: readonly OrderStatus[],
    shares: readonly OrderRecord[],
    desk: DeskRecord | undefined,
  ): Promise<DeskRecord | undefined> {
    const items: TransactItems = [
      { Put: { TableName: this.tableName, Item: deskOrderToItem(order), ...fromStatus(from) } },
    ];
    for (const share of shares) {
      const shareFrom: OrderStatus[] = from.includes('IN_DOUBT') ? ['IN_DOUBT'] : ['PLANNED'];
      items.push({ Put: { TableName: this.tableName, Item: orderToItem(share), ...fromStatus(shareFrom) } });
      const Key = { PK: ORDERS_IN_DOUBT_PK, SK: inDoubtSk(share.cityId, share.caseId, share.identifier) };
      if (share.status === 'IN_DOUBT')
        items.push({
          Put: {
            TableName: this.tableName,
            Item: {
              ...Key,
              recordType: 'ORDER_IN_DOUBT',
              cityId: share.cityId,
              caseId: share.caseId,
              identifier: share.identifier,
              deskOrder: order.identifier,
              since: share.inDoubtSince ?? share.plannedAt,
            },
          },
        });
    }
    if (order.status === 'DONE')
      for (const fill of order.allocation ?? [])
        items.push({
          Update: {
            TableName: this.tableName,
            Key: { PK: deskPk(order.cityId, order.saleId), SK: `MEMBER#${fill.caseId}` },
            UpdateExpression: 'SET sold.#o = :q',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#o': order.identifier },
            ExpressionAttributeValues: { ':q': fill.quantity.toFixed() },
          },
        });
    let next: DeskRecord | undefined;
    if (desk) {
      next = { ...desk, rev: desk.rev + 1, openOrders: desk.openOrders.filter((o) => o !== order.identifier) };
      if (order.status === 'IN_DOUBT') next.openOrders = [...next.openOrders, order.identifier];
      const counted = from.includes('IN_DOUBT') ? 0 : 1; // an order in doubt was counted when it went in doubt
      if (order.status === 'DONE' && (order.executedVolume ?? ZERO).gt(0)) {
        const f = next.figures;
        const arrival = next.arrivalMid ?? order.referencePrice;
        const executed = order.executedVolume ?? ZERO;
        next.arrivalMid = arrival;
        next.figures = {
          orders: f.orders + counted,
          soldQuantity: f.soldQuantity.add(executed),
          grossKrw: f.grossKrw.add(order.grossKrw ?? ZERO),
          feeKrw: f.feeKrw.add(order.feeKrw ?? ZERO),
          arrivalValueKrw: f.arrivalValueKrw.add(arrivalValue(order, arrival)),
          maxParticipation:
            order.volumePerMinute && order.volumePerMinute.gt(0)
              ? Decimal.max(f.maxParticipation, executed.div(order.volumePerMinute).toDecimalPlaces(6))
              : f.maxParticipation,
        };
      } else if (order.status === 'DONE' || order.status === 'IN_DOUBT') {
        next.figures = { ...next.figures, orders: next.figures.orders + counted };
      }
      items.push(this.putDesk(next, desk.rev));
    }
    if (items.length > MAX_TRANSACTION_ITEMS)
      throw new CorruptItemError(`desk order ${order.identifier}: ${items.length} writes do not fit one transaction`);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isTransactionCancelled(error)) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed')
          throw new OrderConflictError(`desk order ${order.identifier} is no longer ${from.join(' or ')}`);
        throw new ConcurrencyConflictError(order.cityId, order.saleId, desk?.rev ?? 0);
      }
      throw error;
    }
    return next;
  }

  /** A share in doubt turned DONE (or ABSENT) from its desk order, and its marker gone. */
  async resolveShare(share: OrderRecord): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: orderToItem(share), ...fromStatus(['IN_DOUBT']) } },
            {
              Delete: {
                TableName: this.tableName,
                Key: { PK: ORDERS_IN_DOUBT_PK, SK: inDoubtSk(share.cityId, share.caseId, share.identifier) },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isTransactionCancelled(error))
        throw new OrderConflictError(`share ${share.identifier} is no longer IN_DOUBT`);
      throw error;
    }
  }

  private putDesk(next: DeskRecord, rev: number | undefined): TransactItems[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: deskToItem(next),
        ...(rev === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: 'attribute_exists(PK) AND #rev = :rev',
              ExpressionAttributeNames: { '#rev': 'rev' },
              ExpressionAttributeValues: { ':rev': rev },
            }),
      },
    };
  }

  private async transact(items: TransactItems, desk: DeskRecord): Promise<void> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isTransactionCancelled(error) || isConditionFailure(error))
        throw new ConcurrencyConflictError(desk.cityId, desk.deskId, desk.rev);
      throw error;
    }
  }
}

function fromStatus(from: readonly OrderStatus[]) {
  const values = Object.fromEntries(from.map((s, i) => [`:s${i}`, s]));
  return {
    ConditionExpression: `attribute_exists(PK) AND #status IN (${Object.keys(values).join(', ')})`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

/** A case's share of a desk order as the case reads it (its partition), with nothing sold yet. */
export function plannedShare(order: DeskOrder, offer: Offer, saleId: string): OrderRecord {
  return {
    identifier: shareIdentifier(order.identifier, offer.caseId),
    cityId: order.cityId,
    caseId: offer.caseId,
    saleId,
    slice: order.slice,
    market: order.market,
    volume: offer.quantity,
    limitPrice: order.limitPrice,
    binding: order.binding,
    referencePrice: order.referencePrice,
    status: 'PLANNED',
    plannedAt: order.plannedAt,
    sendAttempts: 0,
    deskOrder: order.identifier,
    deskId: order.saleId,
  };
}

/** A share as final: its part of the desk order's fills (nothing when the case received nothing). */
export function finalShare(share: OrderRecord, order: DeskOrder, now: Date): OrderRecord {
  const fill = order.allocation?.find((f) => f.caseId === share.caseId);
  return {
    ...share,
    status: order.status === 'ABSENT' ? 'ABSENT' : 'DONE',
    ...(order.absentReason ? { absentReason: order.absentReason } : {}),
    ...(order.exchangeUuid ? { exchangeUuid: order.exchangeUuid } : {}),
    ...(order.exchangeState ? { exchangeState: order.exchangeState } : {}),
    executedVolume: fill?.quantity ?? ZERO,
    grossKrw: fill?.grossKrw ?? ZERO,
    feeKrw: fill?.feeKrw ?? ZERO,
    tradeCount: fill?.trades.length ?? 0,
    trades: fill ? [...fill.trades] : [],
    ...(order.firstTradeAt && fill ? { firstTradeAt: order.firstTradeAt } : {}),
    reconciledAt: now.toISOString(),
  };
}
