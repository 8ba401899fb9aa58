/**
 * The sale workflow's records in the cases table, in the case's partition:
 *
 *   SALE#<saleId>       one per sale attempt: status, the arrival decision (prices and plan), the
 *                       last quote per market, the recent prices the circuit breaker looks back on,
 *                       pauses, the approval asked for, the slice counter and the order in flight,
 *                       dust, why it stopped, and the sale-quality figures once settled.
 *   ORDER#<identifier>  one per slice: the limit IOC order as planned (market, volume, price), its
 *                       placement status, and its fills once the exchange reports it final.
 *
 * Every write is conditional: the sale record carries a revision (`rev`) and is written only over
 * the revision it was read at; an order is created only if absent, and its fills are written only
 * while it is not yet DONE, so a retried step can never record a fill twice (the sale's proceeds are
 * always summed from DONE orders, never accumulated). Planning a slice writes the order and the sale's
 * counter in one transaction, so an identifier is never issued twice.
 *
 * Money, prices and quantities are decimal strings; the only Numbers are counters.
 */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyConflictError } from '#domain/case-store';
import type { CaseStatus } from '#domain/case';
import { Decimal, sum, ZERO } from '#domain/money';
import { batchGetAll, documentClient, queryAll } from './client';
import { casePk, inDoubtSk, ORDERS_IN_DOUBT_PK, SK } from './keys';
import { CorruptItemError, dec, int, str, type Item } from './marshal';

// ---------------------------------------------------------------- types

export type SaleStatus =
  | 'RUNNING'
  | 'AWAITING_APPROVAL'
  /** The market guards paused it too often: an officer is told, the sale stops and settles what it sold. */
  | 'ESCALATED'
  /** Settlement figures written; the case transaction is next (a re-run finishes it). */
  | 'SETTLING'
  | 'SETTLED'
  | 'FAILED';

/** Who asked for the sale. */
export type SaleRequester = 'DEADLINE' | 'TAXPAYER';

/** A market as the sale last saw it. */
export interface MarketSnapshot {
  market: string;
  /** The oldest of the exchange's timestamps for this quote. */
  quotedAt: string;
  tradePrice: Decimal;
  bestBid: Decimal;
  bestAsk: Decimal;
  mid: Decimal;
  /** Bid side, best first (what the slice is sized against). */
  bids: { price: Decimal; size: Decimal }[];
  tickSize: Decimal;
  askFee: Decimal;
  minOrderKrw: Decimal;
  accTradeVolume24h: Decimal;
  accTradeValue24h: Decimal;
}

export interface PricePoint {
  at: string;
  price: Decimal;
}

export interface ArrivalLeg {
  market: string;
  quantity: Decimal;
}

/** The decision the sale's quality is measured against (the first slice's plan). */
export interface Arrival {
  decidedAt: string;
  needKrw: Decimal;
  legs: ArrivalLeg[];
  /** Mid at the decision, per market; a market first sold later gets its mid when first sliced. */
  mids: Record<string, Decimal>;
  plannedValueKrw: Decimal;
}

export interface Pause {
  at: string;
  market: string;
  /** A guard reason (STALE_PRICE, VOLATILE, ...) or a slice wait (NO_BIDS_IN_BAND, ...). */
  reason: string;
  action: 'PAUSE' | 'ESCALATE' | 'WAIT';
}

export interface ApprovalRequest {
  requestedAt: string;
  plannedValueKrw: Decimal;
  approvedBy?: string;
  approvedAt?: string;
}

export interface SaleRecord {
  cityId: string;
  caseId: string;
  saleId: string;
  /** Revision: every write is made over the revision read. */
  rev: number;
  status: SaleStatus;
  requestedBy: SaleRequester;
  executionName?: string;
  /** When the current execution started (a long sale continues in a new execution each day). */
  executionStartedAt?: string;
  /** Executions the sale continued in, after its first. */
  continuations?: number;
  startedAt: string;
  /** Arrears minus nothing yet: what the sale set out to raise. */
  needAtStartKrw: Decimal;
  /** The taxpayer's floor prices, by market (their own sale request). */
  limitPrices: Record<string, Decimal>;
  arrival?: Arrival;
  lastQuotes: Record<string, MarketSnapshot>;
  /** Trade prices seen, per market, within the circuit breaker's window. */
  priceHistory: Record<string, PricePoint[]>;
  consecutivePauses: number;
  /** The latest pauses and waits (at most MAX_PAUSES kept; `pauseCount` counts them all). */
  pauses: Pause[];
  pauseCount: number;
  approval?: ApprovalRequest;
  sliceCount: number;
  /** The order planned or sent and not yet reconciled. */
  openOrder?: string;
  /** Remainders below the exchange minimum, to release. */
  dust: Record<string, Decimal>;
  stopReason?: string;
  escalation?: { at: string; market: string; reason: string };
  error?: { error: string; cause: string };
  /** Sale-quality figures (flat strings, as in the settlement's audit details). */
  quality?: Record<string, string>;
  endedAt?: string;
  /** The case status the settlement left. */
  outcome?: CaseStatus;
  /** The market's desk this sale sells through now (docs/SALE-DESK.md): what it offered, since when. */
  desk?: { deskId: string; market: string; day: string; offered: Decimal; joinedAt: string };
}

export type OrderStatus =
  /** Planned, never sent: safe to drop. */
  | 'PLANNED'
  /** Being sent (or sent without a reliable answer): look it up by identifier before anything else. */
  | 'SENDING'
  | 'PLACED'
  /**
   * Sent, no reliable answer, and not found (yet) by identifier: it may still execute (a request
   * that timed out can be processed late). Its coins are neither sold nor free: looked up again
   * before the next slice, before settlement, before a failure is recorded and by the scheduled
   * sweep; a fill found after settlement is booked as a post-settlement adjustment.
   */
  | 'IN_DOUBT'
  /** Final on the exchange; fills recorded. */
  | 'DONE'
  /** Provably never placed (never sent, or refused by the exchange); the identifier is spent. */
  | 'ABSENT';

export interface OrderRecord {
  identifier: string;
  cityId: string;
  caseId: string;
  saleId: string;
  slice: number;
  market: string;
  volume: Decimal;
  limitPrice: Decimal;
  /** What sized the slice (execution policy binding) and the price it was banded against. */
  binding: string;
  referencePrice: Decimal;
  status: OrderStatus;
  plannedAt: string;
  sendAttempts: number;
  sentAt?: string;
  exchangeUuid?: string;
  /** The exchange's order state when last seen. */
  exchangeState?: string;
  executedVolume?: Decimal;
  /** Sum of the trades' funds (gross proceeds), won. */
  grossKrw?: Decimal;
  feeKrw?: Decimal;
  tradeCount?: number;
  /** First trade's time: the day the sale first sold. */
  firstTradeAt?: string;
  reconciledAt?: string;
  resolvedByLookup?: boolean;
  absentReason?: string;
  /** When the order was first found missing after a doubtful send; lookups since then. */
  inDoubtSince?: string;
  lookups?: number;
  lastLookupAt?: string;
  /** Found final after its sale had settled: booked on the case as a post-settlement adjustment. */
  lateFill?: boolean;
  /**
   * A case's share of a sale desk's order (docs/SALE-DESK.md): the desk order's identifier (the one
   * the exchange knows) and the desk. Never sent by itself: resolved from the desk order.
   */
  deskOrder?: string;
  deskId?: string;
  /** The trades of a desk share: its part of each of the desk order's trades, with their prices. */
  trades?: { price: Decimal; quantity: Decimal }[];
}

/** An order in doubt somewhere in the account (the sweep's work list). */
export interface InDoubtMarker {
  cityId: string;
  caseId: string;
  identifier: string;
  since: string;
}

/** Orders of a case that the exchange knows by their own identifier (not a desk's shares). */
export const ownOrders = (orders: readonly OrderRecord[]): OrderRecord[] => orders.filter((o) => !o.deskOrder);

export const MAX_PAUSES = 50;

export class SaleNotFoundError extends Error {
  override readonly name = 'SaleNotFoundError';
}

export class OrderConflictError extends Error {
  override readonly name = 'OrderConflictError';
}

// ---------------------------------------------------------------- marshalling

const decs = (m: Record<string, Decimal>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toFixed()]));
const record = (v: unknown, name: string): Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CorruptItemError(`${name} is not a map`);
  return v as Record<string, unknown>;
};
const list = (v: unknown, name: string): unknown[] => {
  if (!Array.isArray(v)) throw new CorruptItemError(`${name} is not a list`);
  return v;
};
const decMap = (v: unknown, name: string): Record<string, Decimal> =>
  Object.fromEntries(Object.entries(record(v ?? {}, name)).map(([k, x]) => [k, dec(x, `${name}.${k}`)]));
const optStr = (v: unknown, name: string): string | undefined => (v === undefined ? undefined : str(v, name));
const strMap = (v: unknown, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(record(v, name)).map(([k, x]) => [k, str(x, `${name}.${k}`)]));

export function snapshotOut(s: MarketSnapshot): Item {
  return {
    market: s.market,
    quotedAt: s.quotedAt,
    tradePrice: s.tradePrice.toFixed(),
    bestBid: s.bestBid.toFixed(),
    bestAsk: s.bestAsk.toFixed(),
    mid: s.mid.toFixed(),
    bids: s.bids.map((l) => [l.price.toFixed(), l.size.toFixed()]),
    tickSize: s.tickSize.toFixed(),
    askFee: s.askFee.toFixed(),
    minOrderKrw: s.minOrderKrw.toFixed(),
    accTradeVolume24h: s.accTradeVolume24h.toFixed(),
    accTradeValue24h: s.accTradeValue24h.toFixed(),
  };
}

export function snapshotIn(v: unknown): MarketSnapshot {
  const m = record(v, 'snapshot');
  return {
    market: str(m.market, 'snapshot.market'),
    quotedAt: str(m.quotedAt, 'snapshot.quotedAt'),
    tradePrice: dec(m.tradePrice, 'tradePrice'),
    bestBid: dec(m.bestBid, 'bestBid'),
    bestAsk: dec(m.bestAsk, 'bestAsk'),
    mid: dec(m.mid, 'mid'),
    bids: list(m.bids, 'bids').map((l) => {
      const [p, s] = list(l, 'bid level');
      return { price: dec(p, 'bid price'), size: dec(s, 'bid size') };
    }),
    tickSize: dec(m.tickSize, 'tickSize'),
    askFee: dec(m.askFee, 'askFee'),
    minOrderKrw: dec(m.minOrderKrw, 'minOrderKrw'),
    accTradeVolume24h: dec(m.accTradeVolume24h, 'accTradeVolume24h'),
    accTradeValue24h: dec(m.accTradeValue24h, 'accTradeValue24h'),
  };
}

export function saleToItem(s: SaleRecord): Item {
  return {
    PK: casePk(s.cityId, s.caseId),
    SK: SK.sale(s.saleId),
    recordType: 'SALE',
    cityId: s.cityId,
    caseId: s.caseId,
    saleId: s.saleId,
    rev: s.rev,
    status: s.status,
    requestedBy: s.requestedBy,
    ...(s.executionName ? { executionName: s.executionName } : {}),
    ...(s.executionStartedAt ? { executionStartedAt: s.executionStartedAt } : {}),
    ...(s.continuations ? { continuations: s.continuations } : {}),
    startedAt: s.startedAt,
    needAtStartKrw: s.needAtStartKrw.toFixed(),
    limitPrices: decs(s.limitPrices),
    ...(s.arrival
      ? {
          arrival: {
            decidedAt: s.arrival.decidedAt,
            needKrw: s.arrival.needKrw.toFixed(),
            legs: s.arrival.legs.map((l) => ({ market: l.market, quantity: l.quantity.toFixed() })),
            mids: decs(s.arrival.mids),
            plannedValueKrw: s.arrival.plannedValueKrw.toFixed(),
          },
        }
      : {}),
    lastQuotes: Object.fromEntries(Object.entries(s.lastQuotes).map(([k, v]) => [k, snapshotOut(v)])),
    priceHistory: Object.fromEntries(
      Object.entries(s.priceHistory).map(([k, pts]) => [k, pts.map((p) => [p.at, p.price.toFixed()])]),
    ),
    consecutivePauses: s.consecutivePauses,
    pauses: s.pauses.slice(-MAX_PAUSES).map((p) => ({ ...p })),
    pauseCount: s.pauseCount,
    ...(s.approval
      ? {
          approval: {
            requestedAt: s.approval.requestedAt,
            plannedValueKrw: s.approval.plannedValueKrw.toFixed(),
            ...(s.approval.approvedBy ? { approvedBy: s.approval.approvedBy } : {}),
            ...(s.approval.approvedAt ? { approvedAt: s.approval.approvedAt } : {}),
          },
        }
      : {}),
    sliceCount: s.sliceCount,
    ...(s.openOrder ? { openOrder: s.openOrder } : {}),
    dust: decs(s.dust),
    ...(s.stopReason ? { stopReason: s.stopReason } : {}),
    ...(s.escalation ? { escalation: { ...s.escalation } } : {}),
    ...(s.error ? { error: { ...s.error } } : {}),
    ...(s.quality ? { quality: { ...s.quality } } : {}),
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    ...(s.outcome ? { outcome: s.outcome } : {}),
    ...(s.desk ? { desk: { ...s.desk, offered: s.desk.offered.toFixed() } } : {}),
  };
}

export function itemToSale(item: Item): SaleRecord {
  const s: SaleRecord = {
    cityId: str(item.cityId, 'cityId'),
    caseId: str(item.caseId, 'caseId'),
    saleId: str(item.saleId, 'saleId'),
    rev: int(item.rev, 'rev'),
    status: str(item.status, 'status') as SaleStatus,
    requestedBy: str(item.requestedBy, 'requestedBy') as SaleRequester,
    startedAt: str(item.startedAt, 'startedAt'),
    needAtStartKrw: dec(item.needAtStartKrw, 'needAtStartKrw'),
    limitPrices: decMap(item.limitPrices, 'limitPrices'),
    lastQuotes: Object.fromEntries(
      Object.entries(record(item.lastQuotes ?? {}, 'lastQuotes')).map(([k, v]) => [k, snapshotIn(v)]),
    ),
    priceHistory: Object.fromEntries(
      Object.entries(record(item.priceHistory ?? {}, 'priceHistory')).map(([k, pts]) => [
        k,
        list(pts, 'priceHistory').map((p) => {
          const [at, price] = list(p, 'price point');
          return { at: str(at, 'point.at'), price: dec(price, 'point.price') };
        }),
      ]),
    ),
    consecutivePauses: int(item.consecutivePauses, 'consecutivePauses'),
    pauses: list(item.pauses ?? [], 'pauses').map((p) => {
      const m = strMap(p, 'pause');
      return {
        at: m.at ?? '',
        market: m.market ?? '',
        reason: m.reason ?? '',
        action: (m.action ?? 'PAUSE') as Pause['action'],
      };
    }),
    pauseCount: int(item.pauseCount, 'pauseCount'),
    sliceCount: int(item.sliceCount, 'sliceCount'),
    dust: decMap(item.dust, 'dust'),
  };
  const executionName = optStr(item.executionName, 'executionName');
  if (executionName) s.executionName = executionName;
  const executionStartedAt = optStr(item.executionStartedAt, 'executionStartedAt');
  if (executionStartedAt) s.executionStartedAt = executionStartedAt;
  if (item.continuations !== undefined) s.continuations = int(item.continuations, 'continuations');
  if (item.arrival !== undefined) {
    const a = record(item.arrival, 'arrival');
    s.arrival = {
      decidedAt: str(a.decidedAt, 'arrival.decidedAt'),
      needKrw: dec(a.needKrw, 'arrival.needKrw'),
      legs: list(a.legs, 'arrival.legs').map((l) => {
        const m = record(l, 'leg');
        return { market: str(m.market, 'leg.market'), quantity: dec(m.quantity, 'leg.quantity') };
      }),
      mids: decMap(a.mids, 'arrival.mids'),
      plannedValueKrw: dec(a.plannedValueKrw, 'arrival.plannedValueKrw'),
    };
  }
  if (item.approval !== undefined) {
    const a = record(item.approval, 'approval');
    s.approval = {
      requestedAt: str(a.requestedAt, 'approval.requestedAt'),
      plannedValueKrw: dec(a.plannedValueKrw, 'approval.plannedValueKrw'),
      ...(a.approvedBy !== undefined ? { approvedBy: str(a.approvedBy, 'approval.approvedBy') } : {}),
      ...(a.approvedAt !== undefined ? { approvedAt: str(a.approvedAt, 'approval.approvedAt') } : {}),
    };
  }
  const openOrder = optStr(item.openOrder, 'openOrder');
  if (openOrder) s.openOrder = openOrder;
  const stopReason = optStr(item.stopReason, 'stopReason');
  if (stopReason) s.stopReason = stopReason;
  if (item.escalation !== undefined) {
    const e = strMap(item.escalation, 'escalation');
    s.escalation = { at: e.at ?? '', market: e.market ?? '', reason: e.reason ?? '' };
  }
  if (item.error !== undefined) {
    const e = strMap(item.error, 'error');
    s.error = { error: e.error ?? '', cause: e.cause ?? '' };
  }
  if (item.quality !== undefined) s.quality = strMap(item.quality, 'quality');
  const endedAt = optStr(item.endedAt, 'endedAt');
  if (endedAt) s.endedAt = endedAt;
  const outcome = optStr(item.outcome, 'outcome');
  if (outcome) s.outcome = outcome as CaseStatus;
  if (item.desk !== undefined) {
    const d = strMap(item.desk, 'desk');
    s.desk = {
      deskId: d.deskId ?? '',
      market: d.market ?? '',
      day: d.day ?? '',
      offered: dec(d.offered, 'desk.offered'),
      joinedAt: d.joinedAt ?? '',
    };
  }
  return s;
}

export function orderToItem(o: OrderRecord): Item {
  return {
    PK: casePk(o.cityId, o.caseId),
    SK: SK.order(o.identifier),
    recordType: 'ORDER',
    identifier: o.identifier,
    cityId: o.cityId,
    caseId: o.caseId,
    saleId: o.saleId,
    slice: o.slice,
    market: o.market,
    volume: o.volume.toFixed(),
    limitPrice: o.limitPrice.toFixed(),
    binding: o.binding,
    referencePrice: o.referencePrice.toFixed(),
    status: o.status,
    plannedAt: o.plannedAt,
    sendAttempts: o.sendAttempts,
    ...(o.sentAt ? { sentAt: o.sentAt } : {}),
    ...(o.exchangeUuid ? { exchangeUuid: o.exchangeUuid } : {}),
    ...(o.exchangeState ? { exchangeState: o.exchangeState } : {}),
    ...(o.executedVolume ? { executedVolume: o.executedVolume.toFixed() } : {}),
    ...(o.grossKrw ? { grossKrw: o.grossKrw.toFixed() } : {}),
    ...(o.feeKrw ? { feeKrw: o.feeKrw.toFixed() } : {}),
    ...(o.tradeCount !== undefined ? { tradeCount: o.tradeCount } : {}),
    ...(o.firstTradeAt ? { firstTradeAt: o.firstTradeAt } : {}),
    ...(o.reconciledAt ? { reconciledAt: o.reconciledAt } : {}),
    ...(o.resolvedByLookup !== undefined ? { resolvedByLookup: o.resolvedByLookup } : {}),
    ...(o.absentReason ? { absentReason: o.absentReason } : {}),
    ...(o.inDoubtSince ? { inDoubtSince: o.inDoubtSince } : {}),
    ...(o.lookups !== undefined ? { lookups: o.lookups } : {}),
    ...(o.lastLookupAt ? { lastLookupAt: o.lastLookupAt } : {}),
    ...(o.lateFill ? { lateFill: true } : {}),
    ...(o.deskOrder ? { deskOrder: o.deskOrder } : {}),
    ...(o.deskId ? { deskId: o.deskId } : {}),
    ...(o.trades ? { trades: o.trades.map((t) => [t.price.toFixed(), t.quantity.toFixed()]) } : {}),
  };
}

export function itemToOrder(item: Item): OrderRecord {
  const o: OrderRecord = {
    identifier: str(item.identifier, 'identifier'),
    cityId: str(item.cityId, 'cityId'),
    caseId: str(item.caseId, 'caseId'),
    saleId: str(item.saleId, 'saleId'),
    slice: int(item.slice, 'slice'),
    market: str(item.market, 'market'),
    volume: dec(item.volume, 'volume'),
    limitPrice: dec(item.limitPrice, 'limitPrice'),
    binding: str(item.binding, 'binding'),
    referencePrice: dec(item.referencePrice, 'referencePrice'),
    status: str(item.status, 'status') as OrderStatus,
    plannedAt: str(item.plannedAt, 'plannedAt'),
    sendAttempts: int(item.sendAttempts, 'sendAttempts'),
  };
  const opt = (k: keyof Item) => optStr(item[k], k);
  if (opt('sentAt')) o.sentAt = opt('sentAt');
  if (opt('exchangeUuid')) o.exchangeUuid = opt('exchangeUuid');
  if (opt('exchangeState')) o.exchangeState = opt('exchangeState');
  if (item.executedVolume !== undefined) o.executedVolume = dec(item.executedVolume, 'executedVolume');
  if (item.grossKrw !== undefined) o.grossKrw = dec(item.grossKrw, 'grossKrw');
  if (item.feeKrw !== undefined) o.feeKrw = dec(item.feeKrw, 'feeKrw');
  if (item.tradeCount !== undefined) o.tradeCount = int(item.tradeCount, 'tradeCount');
  if (opt('firstTradeAt')) o.firstTradeAt = opt('firstTradeAt');
  if (opt('reconciledAt')) o.reconciledAt = opt('reconciledAt');
  if (item.resolvedByLookup !== undefined) o.resolvedByLookup = item.resolvedByLookup === true;
  if (opt('absentReason')) o.absentReason = opt('absentReason');
  if (opt('inDoubtSince')) o.inDoubtSince = opt('inDoubtSince');
  if (item.lookups !== undefined) o.lookups = int(item.lookups, 'lookups');
  if (opt('lastLookupAt')) o.lastLookupAt = opt('lastLookupAt');
  if (item.lateFill === true) o.lateFill = true;
  if (opt('deskOrder')) o.deskOrder = opt('deskOrder');
  if (opt('deskId')) o.deskId = opt('deskId');
  if (item.trades !== undefined)
    o.trades = list(item.trades, 'trades').map((t) => {
      const [price, quantity] = list(t, 'trade');
      return { price: dec(price, 'trade.price'), quantity: dec(quantity, 'trade.quantity') };
    });
  return o;
}

/** The order identifier of a slice: derived from city, case (in the sale id), sale and slice, never reused. */
export const orderIdentifier = (cityId: string, saleId: string, slice: number): string =>
  `${cityId}.${saleId}.s${slice}`;

/** What the DONE orders of a sale sold, per order (the settlement's fills). */
export function executed(orders: readonly OrderRecord[]): OrderRecord[] {
  return orders.filter((o) => o.status === 'DONE' && (o.executedVolume ?? ZERO).gt(0));
}

/** Net proceeds so far (gross − fees, cut to the won as settlement applies them). */
export function netProceeds(orders: readonly OrderRecord[]): Decimal {
  const done = executed(orders);
  const gross = sum(done.map((o) => o.grossKrw ?? ZERO));
  const fee = sum(done.map((o) => o.feeKrw ?? ZERO));
  return gross.sub(fee).toDecimalPlaces(0, Decimal.ROUND_DOWN);
}

export function soldOf(orders: readonly OrderRecord[], market: string): Decimal {
  return sum(
    executed(orders)
      .filter((o) => o.market === market)
      .map((o) => o.executedVolume ?? ZERO),
  );
}

/** Orders whose outcome is unknown: their whole volume may still be sold. */
export const inDoubt = (orders: readonly OrderRecord[]): OrderRecord[] => orders.filter((o) => o.status === 'IN_DOUBT');

/** Coins under orders in doubt, per market: held back (neither sold nor released). */
export function heldInDoubt(orders: readonly OrderRecord[], market: string): Decimal {
  return sum(
    inDoubt(orders)
      .filter((o) => o.market === market)
      .map((o) => o.volume),
  );
}

// ---------------------------------------------------------------- the store

export interface SaleStore {
  /** Creates the sale record unless it exists; returns the stored one either way. */
  create(sale: SaleRecord): Promise<SaleRecord>;
  get(cityId: string, caseId: string, saleId: string): Promise<SaleRecord | undefined>;
  /** One sale of each of several cases of a city at once (strongly consistent, as `get`), by case id; one not found is absent. */
  getMany(cityId: string, refs: readonly { caseId: string; saleId: string }[]): Promise<Map<string, SaleRecord>>;
  /** Writes `sale` (its rev one above the stored one) over the revision it was read at. */
  save(sale: SaleRecord): Promise<SaleRecord>;
  orders(cityId: string, caseId: string, saleId: string): Promise<OrderRecord[]>;
  /** Every order of the case, of every sale attempt. */
  caseOrders(cityId: string, caseId: string): Promise<OrderRecord[]>;
  /** Every order in doubt in the account (the sweep's work list), oldest first. */
  ordersInDoubt(): Promise<InDoubtMarker[]>;
  getOrder(cityId: string, caseId: string, identifier: string): Promise<OrderRecord | undefined>;
  /** Creates the slice's order and saves the sale (counter, open order) in one transaction. */
  planOrder(sale: SaleRecord, order: OrderRecord): Promise<SaleRecord>;
  /** Writes the order if its stored status is one of `from`; throws OrderConflictError otherwise. */
  updateOrder(order: OrderRecord, from: readonly OrderStatus[]): Promise<void>;
  /** Final state of an order (DONE or ABSENT) and the sale without it as open order, in one transaction. */
  closeOrder(order: OrderRecord, from: readonly OrderStatus[], sale: SaleRecord): Promise<SaleRecord>;
}

export class DynamoDbSaleStore implements SaleStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  async create(sale: SaleRecord): Promise<SaleRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: saleToItem({ ...sale, rev: 1 }),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return { ...sale, rev: 1 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(sale.cityId, sale.caseId, sale.saleId);
      if (!existing) throw error;
      return existing;
    }
  }

  async get(cityId: string, caseId: string, saleId: string): Promise<SaleRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: casePk(cityId, caseId), SK: SK.sale(saleId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToSale(out.Item) : undefined;
  }

  async getMany(cityId: string, refs: readonly { caseId: string; saleId: string }[]): Promise<Map<string, SaleRecord>> {
    const keys = refs.map((r) => ({ PK: casePk(cityId, r.caseId), SK: SK.sale(r.saleId) }));
    const sales = (await batchGetAll(this.doc, this.tableName, keys)).map(itemToSale);
    return new Map(sales.map((s) => [s.caseId, s]));
  }

  async save(sale: SaleRecord): Promise<SaleRecord> {
    const next = { ...sale, rev: sale.rev + 1 };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: saleToItem(next), ...this.overRev(sale.rev) }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrencyConflictError(sale.cityId, sale.caseId, sale.rev);
      throw error;
    }
    return next;
  }

  async orders(cityId: string, caseId: string, saleId: string): Promise<OrderRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': casePk(cityId, caseId), ':prefix': SK.order(`${cityId}.${saleId}.s`) },
      ConsistentRead: true,
    });
    return items.map(itemToOrder).sort((a, b) => a.slice - b.slice);
  }

  async caseOrders(cityId: string, caseId: string): Promise<OrderRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': casePk(cityId, caseId), ':prefix': SK.order('') },
      ConsistentRead: true,
    });
    return items.map(itemToOrder).sort((a, b) => a.plannedAt.localeCompare(b.plannedAt) || a.slice - b.slice);
  }

  async ordersInDoubt(): Promise<InDoubtMarker[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': ORDERS_IN_DOUBT_PK },
      ConsistentRead: true,
    });
    return items
      .map((i) => ({
        cityId: str(i.cityId, 'cityId'),
        caseId: str(i.caseId, 'caseId'),
        identifier: str(i.identifier, 'identifier'),
        since: str(i.since, 'since'),
      }))
      .sort((a, b) => a.since.localeCompare(b.since));
  }

  async getOrder(cityId: string, caseId: string, identifier: string): Promise<OrderRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: casePk(cityId, caseId), SK: SK.order(identifier) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToOrder(out.Item) : undefined;
  }

  async planOrder(sale: SaleRecord, order: OrderRecord): Promise<SaleRecord> {
    const next = { ...sale, rev: sale.rev + 1 };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: orderToItem(order),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            { Put: { TableName: this.tableName, Item: saleToItem(next), ...this.overRev(sale.rev) } },
          ],
        }),
      );
    } catch (error) {
      if (isTransactionCancelled(error)) throw new ConcurrencyConflictError(sale.cityId, sale.caseId, sale.rev);
      throw error;
    }
    return next;
  }

  async updateOrder(order: OrderRecord, from: readonly OrderStatus[]): Promise<void> {
    const marker = this.markerOps(order, from);
    try {
      if (marker.length === 0) {
        await this.doc.send(
          new PutCommand({ TableName: this.tableName, Item: orderToItem(order), ...this.fromStatus(from) }),
        );
        return;
      }
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: orderToItem(order), ...this.fromStatus(from) } },
            ...marker,
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error) || isTransactionCancelled(error))
        throw new OrderConflictError(`order ${order.identifier} is no longer ${from.join(' or ')}`);
      throw error;
    }
  }

  /** The account-wide marker of an order in doubt: put when it becomes IN_DOUBT, deleted when it leaves. */
  private markerOps(
    order: OrderRecord,
    from: readonly OrderStatus[],
  ): NonNullable<TransactWriteCommandInput['TransactItems']> {
    const Key = { PK: ORDERS_IN_DOUBT_PK, SK: inDoubtSk(order.cityId, order.caseId, order.identifier) };
    if (order.status === 'IN_DOUBT' && !from.includes('IN_DOUBT')) {
      const item = {
        ...Key,
        recordType: 'ORDER_IN_DOUBT',
        cityId: order.cityId,
        caseId: order.caseId,
        identifier: order.identifier,
        since: order.inDoubtSince ?? order.sentAt ?? order.plannedAt,
      };
      return [{ Put: { TableName: this.tableName, Item: item } }];
    }
    if (order.status !== 'IN_DOUBT' && from.includes('IN_DOUBT'))
      return [{ Delete: { TableName: this.tableName, Key } }];
    return [];
  }

  async closeOrder(order: OrderRecord, from: readonly OrderStatus[], sale: SaleRecord): Promise<SaleRecord> {
    const next: SaleRecord = { ...sale, rev: sale.rev + 1 };
    if (next.openOrder === order.identifier) delete next.openOrder;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: orderToItem(order), ...this.fromStatus(from) } },
            { Put: { TableName: this.tableName, Item: saleToItem(next), ...this.overRev(sale.rev) } },
            ...this.markerOps(order, from),
          ],
        }),
      );
    } catch (error) {
      if (isTransactionCancelled(error)) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed')
          throw new OrderConflictError(`order ${order.identifier} is no longer ${from.join(' or ')}`);
        throw new ConcurrencyConflictError(sale.cityId, sale.caseId, sale.rev);
      }
      throw error;
    }
    return next;
  }

  private overRev(rev: number) {
    return {
      ConditionExpression: 'attribute_exists(PK) AND #rev = :rev',
      ExpressionAttributeNames: { '#rev': 'rev' },
      ExpressionAttributeValues: { ':rev': rev },
    };
  }

  private fromStatus(from: readonly OrderStatus[]) {
    const values = Object.fromEntries(from.map((s, i) => [`:s${i}`, s]));
    return {
      ConditionExpression: `attribute_exists(PK) AND #status IN (${Object.keys(values).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    };
  }
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function isTransactionCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}
