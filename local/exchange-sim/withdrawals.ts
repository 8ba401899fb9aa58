/**
 * Coin withdrawals as Upbit runs them: only to addresses registered (allow-listed) on the account,
 * amount plus fee locked at once, then WAITING -> PROCESSING (a txid appears) -> DONE as simulated
 * time passes, or FAILED (funds unlocked) when the `failWithdrawal` fault is armed. States move when
 * the exchange is asked anything, like resting orders. Upbit takes no client key for a withdrawal:
 * a client whose answer was lost finds it again by listing recent withdrawals of the currency.
 */
import { Decimal, ZERO } from '#domain/money';
import { err, intParam, isReply, orderByParam, sortByCreation, type Engine, type Reply } from './engine';
import type { SimClock } from './clock';
import { hashInts } from './random';
import { kstIso } from './times';

export interface AllowedAddress {
  currency: string;
  /** Network, e.g. `BTC`, `ETH`, `XRP`. */
  netType: string;
  address: string;
  /** Memo / destination tag, for coins that need one. */
  secondaryAddress?: string;
  networkName?: string;
}

export type WithdrawalState = 'WAITING' | 'PROCESSING' | 'DONE' | 'FAILED' | 'CANCELLED' | 'REJECTED';

/** The exchange's record of a withdrawal (what tests assert on). */
export interface SimWithdrawal {
  uuid: string;
  accessKey: string;
  currency: string;
  netType: string;
  address: string;
  secondaryAddress?: string;
  amount: Decimal;
  fee: Decimal;
  transactionType: 'default' | 'internal';
  state: WithdrawalState;
  createdAt: Date;
  doneAt?: Date;
  txid?: string;
  /** Set by the `failWithdrawal` fault: ends FAILED instead of DONE. */
  fails: boolean;
}

export interface WithdrawalOptions {
  /** Fee per currency (a fixed coin amount, as on Upbit); absent: 0. */
  fees: Record<string, Decimal>;
  /** WAITING for this long, then PROCESSING. */
  processingAfterMs: number;
  /** DONE (or FAILED) this long after the request. Internal (Upbit-to-Upbit) transfers are DONE at `processingAfterMs` and free. */
  doneAfterMs: number;
}

export const DEFAULT_WITHDRAWAL_FEES: Record<string, string> = { BTC: '0.0005', ETH: '0.01', XRP: '1' };

const AMOUNT = /^\d+(\.\d{1,8})?$/;
const STATES: readonly string[] = ['WAITING', 'PROCESSING', 'DONE', 'FAILED', 'CANCELLED', 'REJECTED'];

export class Withdrawals {
  readonly all: SimWithdrawal[] = [];
  private readonly allowed = new Map<string, AllowedAddress[]>();

  constructor(
    private readonly engine: Engine,
    private readonly clock: SimClock,
    private readonly seed: number,
    private readonly o: WithdrawalOptions,
  ) {}

  /** Registers an address the account may withdraw to (done on Upbit's website, never by API). */
  allow(accessKey: string, a: AllowedAddress): void {
    const list = this.allowed.get(accessKey) ?? [];
    list.push(a);
    this.allowed.set(accessKey, list);
  }

  /** GET /v1/withdraws/coin_addresses */
  addresses(accessKey: string): Reply {
    return {
      status: 200,
      body: (this.allowed.get(accessKey) ?? []).map((a) => ({
        currency: a.currency,
        net_type: a.netType,
        network_name: a.networkName ?? a.netType,
        withdraw_address: a.address,
        secondary_address: a.secondaryAddress ?? null,
      })),
    };
  }

  /** POST /v1/withdraws/coin. `fails`: the fault, decided when the request is taken. */
  withdraw(accessKey: string, body: Record<string, unknown>, fails: boolean): Reply {
    const str = (k: string) =>
      body[k] === undefined || body[k] === null
        ? undefined
        : typeof body[k] === 'string'
          ? body[k]
          : JSON.stringify(body[k]);
    const currency = str('currency');
    const netType = str('net_type');
    const amountText = str('amount');
    const address = str('address');
    const secondary = str('secondary_address');
    const transactionType = str('transaction_type') ?? 'default';
    if (!currency || !netType || !amountText || !address)
      return err(400, 'validation_error', 'currency, net_type, amount and address are required');
    if (transactionType !== 'default' && transactionType !== 'internal')
      return err(400, 'validation_error', 'transaction_type is default or internal');
    if (!AMOUNT.test(amountText) || new Decimal(amountText).lte(0))
      return err(400, 'validation_error', 'amount must be positive with at most 8 decimals');
    const registered = (this.allowed.get(accessKey) ?? []).some(
      (a) =>
        a.currency === currency &&
        a.netType === netType &&
        a.address === address &&
        (a.secondaryAddress ?? undefined) === secondary,
    );
    if (!registered)
      return err(400, 'withdraw_address', 'the address is not registered for withdrawals of this currency and network');
    const amount = new Decimal(amountText);
    const fee = transactionType === 'internal' ? ZERO : (this.o.fees[currency] ?? ZERO);
    if (!this.engine.lock(accessKey, currency, amount.add(fee)))
      return err(400, 'insufficient_funds_withdraw', 'amount plus fee exceeds the available balance');
    const w: SimWithdrawal = {
      uuid: this.engine.uuid(),
      accessKey,
      currency,
      netType,
      address,
      secondaryAddress: secondary,
      amount,
      fee,
      transactionType,
      state: 'WAITING',
      createdAt: this.clock.now(),
      fails,
    };
    this.all.push(w);
    return { status: 201, body: json(w) };
  }

  /** Moves every withdrawal along to where the clock says it is. */
  advance(): void {
    const now = this.clock.nowMs();
    for (const w of this.all) {
      if (w.state !== 'WAITING' && w.state !== 'PROCESSING') continue;
      const created = w.createdAt.getTime();
      const internal = w.transactionType === 'internal';
      const doneAt = created + (internal ? this.o.processingAfterMs : this.o.doneAfterMs);
      if (w.state === 'WAITING' && now >= created + this.o.processingAfterMs && !internal) {
        w.state = 'PROCESSING';
        w.txid = this.txid(w);
      }
      if (now < doneAt) continue;
      if (w.fails) {
        w.state = 'FAILED';
        this.engine.unlock(w.accessKey, w.currency, w.amount.add(w.fee));
      } else {
        w.state = 'DONE';
        w.txid ??= this.txid(w);
        w.doneAt = new Date(doneAt);
        this.engine.spendLocked(w.accessKey, w.currency, w.amount.add(w.fee));
      }
    }
  }

  private txid(w: SimWithdrawal): string {
    const n = this.all.indexOf(w);
    return Array.from({ length: 8 }, (_, i) => hashInts(this.seed, 7919, n, i).toString(16).padStart(8, '0')).join('');
  }

  /** GET /v1/withdraw: by `uuid` or `txid` (optionally narrowed by `currency`). */
  get(accessKey: string, q: URLSearchParams): Reply {
    const uuid = q.get('uuid');
    const txid = q.get('txid');
    const currency = q.get('currency');
    if (!uuid && !txid) return err(400, 'validation_error', 'uuid or txid required');
    const w = this.all.find(
      (x) =>
        x.accessKey === accessKey &&
        (uuid ? x.uuid === uuid : x.txid === txid) &&
        (!currency || x.currency === currency),
    );
    return w ? { status: 200, body: json(w) } : err(404, 'withdraw_not_found', 'withdrawal not found');
  }

  /** GET /v1/withdraws: `currency`, `state`, `uuids[]`, `txids[]`, `limit` (1..100, default 100), `page`, `order_by` (desc). */
  list(accessKey: string, q: URLSearchParams): Reply {
    const limit = intParam(q, 'limit', 100, 100);
    const page = intParam(q, 'page', 1, Number.MAX_SAFE_INTEGER);
    const orderBy = orderByParam(q);
    if (isReply(limit)) return limit;
    if (isReply(page)) return page;
    if (isReply(orderBy)) return orderBy;
    const state = q.get('state');
    if (state !== null && !STATES.includes(state))
      return err(400, 'validation_error', `state is one of ${STATES.join(', ')}`);
    const currency = q.get('currency');
    const uuids = q.getAll('uuids[]');
    const txids = q.getAll('txids[]');
    const found = this.all.filter(
      (w) =>
        w.accessKey === accessKey &&
        (!currency || w.currency === currency) &&
        (state === null || w.state === state) &&
        (uuids.length === 0 || uuids.includes(w.uuid)) &&
        (txids.length === 0 || (w.txid !== undefined && txids.includes(w.txid))),
    );
    const from = (page - 1) * limit;
    return {
      status: 200,
      body: sortByCreation(found, orderBy)
        .slice(from, from + limit)
        .map(json),
    };
  }
}

function json(w: SimWithdrawal): Record<string, unknown> {
  return {
    type: 'withdraw',
    uuid: w.uuid,
    currency: w.currency,
    net_type: w.netType,
    txid: w.txid ?? null,
    state: w.state,
    created_at: kstIso(w.createdAt),
    done_at: w.doneAt ? kstIso(w.doneAt) : null,
    amount: w.amount.toFixed(),
    fee: w.fee.toFixed(),
    transaction_type: w.transactionType,
    is_cancelable: w.state === 'WAITING',
  };
}
