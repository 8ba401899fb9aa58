/**
 * A local exchange speaking the Upbit Open API v1 protocol over HTTP (node:http), for tests and the
 * local stack. Market data: real candles read at run time from the market data folder (option
 * `dataDir`, else env `MARKET_DATA_DIR`, else `<repo>/../shared/data/market/`), or, per market where
 * a file is absent, a seeded synthetic path. `source` says which one each market runs on.
 *
 *   const sim = await startExchangeSimulator({ seed: 7, keys: [{ accessKey, secretKey }] });
 *   sim.accounts.credit('BTC', '0.5');
 *   sim.clock.set('2024-08-05T00:00:00Z');
 *   ... new UpbitExchange({ baseUrl: sim.url, accessKey, secretKey }) ...
 *   await sim.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Decimal, decimal } from '#domain/money';
import { parseLossless, stringifyWithNumbers } from '#adapters/exchange/lossless-json';
import { Authenticator, claimedAccessKey } from './auth';
import { CandleSeries, SERIES, seriesAvailable } from './candles';
import { SimClock } from './clock';
import { Engine, err, publicErr, type Rejection, type Reply, type SimOrder } from './engine';
import { Faults } from './faults';
import { DEFAULT_LIMITS, QUOTATION_GROUPS, RateLimiter, type Group } from './limits';
import { DEFAULT_IMPACT, SimMarket, type ImpactParams } from './market';
import { MINUTE_UNITS, Quotation } from './quotation';
import type { PriceSource } from './source';
import { SyntheticSeries, type SyntheticParams } from './synthetic';
import { DEFAULT_WITHDRAWAL_FEES, Withdrawals, type AllowedAddress, type SimWithdrawal } from './withdrawals';

export { SimClock } from './clock';
export type { SimOrder, Rejection } from './engine';
export { ORDERS, WITHDRAWALS } from './faults';
export type { LateMode } from './faults';
export type { AllowedAddress, SimWithdrawal, WithdrawalState } from './withdrawals';
export type { ImpactParams } from './market';
export type { SyntheticParams } from './synthetic';

export interface MarketSpec {
  code: string;
  /** Real series id (see candles.ts SERIES); absent or unavailable: synthetic. */
  data?: string;
  synthetic: SyntheticParams;
}

/**
 * Default markets. Synthetic parameters are rough 2024 levels: BTC ~50% and ETH ~65% annualised
 * volatility, XRP and a thin small coin higher, with crash-biased jumps; daily volumes of Upbit's
 * order of magnitude, the thin coin's ~₩1.5 billion a day.
 */
export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    code: 'KRW-BTC',
    data: 'binanceus:BTCUSDT_1m',
    synthetic: {
      s0: '85000000',
      annualVol: 0.5,
      jumpsPerDay: 0.05,
      jumpMean: -0.02,
      jumpStd: 0.03,
      dailyVolume: '3000',
      volumeNoise: 0.35,
    },
  },
  {
    code: 'KRW-ETH',
    data: 'upbit:KRW-ETH_15min',
    synthetic: {
      s0: '3500000',
      annualVol: 0.65,
      jumpsPerDay: 0.05,
      jumpMean: -0.025,
      jumpStd: 0.035,
      dailyVolume: '20000',
      volumeNoise: 0.35,
    },
  },
  {
    code: 'KRW-XRP',
    synthetic: {
      s0: '800',
      annualVol: 0.8,
      jumpsPerDay: 0.08,
      jumpMean: -0.03,
      jumpStd: 0.05,
      dailyVolume: '300000000',
      volumeNoise: 0.4,
    },
  },
  {
    code: 'KRW-THIN',
    synthetic: {
      s0: '250',
      annualVol: 1.2,
      jumpsPerDay: 0.2,
      jumpMean: -0.03,
      jumpStd: 0.08,
      dailyVolume: '6000000',
      volumeNoise: 0.6,
    },
  },
];

export interface SimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  seed?: number;
  /** Market codes (taken from DEFAULT_MARKETS, unknown codes get XRP-like synthetic parameters) or full specs. */
  markets?: ReadonlyArray<string | MarketSpec>;
  dataDir?: string;
  /** A clock to share (the local stack), or the start instant. */
  clock?: SimClock | Date | string;
  keys: ReadonlyArray<{ accessKey: string; secretKey: string }>;
  /** Fixed rate for USD series, stated in `source`. */
  usdKrw?: string;
  askFee?: string;
  minOrderTotal?: string;
  maxOrderTotal?: string;
  impact?: Partial<ImpactParams>;
  /** Requests per second per group (default Upbit's own, DEFAULT_LIMITS); always counted in wall-clock seconds. */
  rateLimits?: Partial<Record<Group, number>>;
  /** 429s within 10 s that earn a 418 (default 10). */
  banAfter429s?: number;
  banSeconds?: number;
  /** Instant at which synthetic paths stand at their s0 (default: 00:00 UTC of the clock's first day). */
  syntheticOrigin?: string;
  /** Withdrawal fee per currency, in coins (default DEFAULT_WITHDRAWAL_FEES; others free). */
  withdrawalFees?: Record<string, string>;
  /** A withdrawal is WAITING for this long, then PROCESSING (default 60 s of simulated time). */
  withdrawalProcessingAfterMs?: number;
  /** ... and DONE (or FAILED) this long after it was asked for (default 10 min). */
  withdrawalDoneAfterMs?: number;
  /** Addresses registered for withdrawals on the first key's account. */
  withdrawalAddresses?: readonly AllowedAddress[];
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  at: Date;
}

export interface ExchangeSimulator {
  url: string;
  clock: SimClock;
  faults: Faults;
  /** Per market: which data it runs on. */
  source: Record<string, string>;
  describeSource(): string;
  accounts: {
    /** Credits coins (or KRW) to an account; the first key's account by default. */
    credit(currency: string, amount: string, accessKey?: string): void;
    /**
     * Takes money out as a person does on the exchange's website (a KRW withdrawal to the city's
     * bank account needs the holder's second factor, so the API never does it); refused beyond the free balance.
     */
    debit(currency: string, amount: string, accessKey?: string): void;
    balance(currency: string, accessKey?: string): { balance: Decimal; locked: Decimal };
  };
  /** Withdrawal addresses (registered on Upbit's website, never by API) and the exchange's record of withdrawals. */
  withdrawals: {
    allow(address: AllowedAddress, accessKey?: string): void;
    all(): readonly SimWithdrawal[];
  };
  /** API keys: a new pair for an account, the old one revoked at once (a rotation). */
  keys: {
    rotate(accessKey: string, next: { accessKey: string; secretKey: string }): void;
  };
  /** The exchange's record of every order, and of every refusal. */
  orders: {
    all(): readonly SimOrder[];
    byIdentifier(identifier: string): SimOrder[];
    /** Orders taken under the late-processing fault and not processed yet. */
    pendingLate(): number;
    rejections(): readonly Rejection[];
  };
  /** Every request answered (or hung), oldest first. */
  requests: RequestRecord[];
  market(code: string): SimMarket;
  close(): Promise<void>;
}

export function defaultDataDir(): string {
  return process.env.MARKET_DATA_DIR ?? resolve(__dirname, '../../../shared/data/market');
}

interface Route {
  group: Group;
  /** Public routes never read a token. */
  public: boolean;
  answer(q: URLSearchParams, accessKey: string, body: Record<string, unknown>, method: string, path: string): Reply;
}

export async function startExchangeSimulator(options: SimulatorOptions): Promise<ExchangeSimulator> {
  if (options.keys.length === 0) throw new Error('at least one API key is needed');
  const seed = options.seed ?? 1;
  const clock = options.clock instanceof SimClock ? options.clock : new SimClock(options.clock);
  const dataDir = options.dataDir ?? defaultDataDir();
  const haveData = existsSync(dataDir);
  const usdKrw = decimal(options.usdKrw ?? '1300');
  const impact: ImpactParams = { ...DEFAULT_IMPACT, ...options.impact };
  // Synthetic paths start at their s0 on the day the clock starts, unless told otherwise.
  const origin = options.syntheticOrigin
    ? Date.parse(options.syntheticOrigin)
    : clock.nowMs() - (clock.nowMs() % 86_400_000);

  const markets = new Map<string, SimMarket>();
  const source: Record<string, string> = {};
  for (const entry of options.markets ?? DEFAULT_MARKETS) {
    const spec = typeof entry === 'string' ? specFor(entry) : entry;
    let src: PriceSource;
    if (haveData && spec.data && seriesAvailable(dataDir, spec.data))
      src = new CandleSeries(dataDir, SERIES[spec.data]!, usdKrw);
    else src = new SyntheticSeries(spec.synthetic, seed, spec.code, origin);
    markets.set(spec.code, new SimMarket(spec.code, src, seed, impact));
    source[spec.code] = src.description;
  }

  const secrets = new Map(options.keys.map((k) => [k.accessKey, k.secretKey]));
  const auth = new Authenticator(secrets);
  const engine = new Engine(markets, clock, {
    seed,
    askFee: decimal(options.askFee ?? '0.0005'),
    minOrderTotal: decimal(options.minOrderTotal ?? '5000'),
    maxOrderTotal: decimal(options.maxOrderTotal ?? '1000000000'),
  });
  const limiter = new RateLimiter({
    limits: { ...DEFAULT_LIMITS, ...options.rateLimits },
    banAfter429s: options.banAfter429s ?? 10,
    banWindowMs: 10_000,
    banMs: (options.banSeconds ?? 60) * 1000,
  });
  const faults = new Faults();
  const quotation = new Quotation(markets, clock);
  const fees = Object.fromEntries(
    Object.entries(options.withdrawalFees ?? DEFAULT_WITHDRAWAL_FEES).map(([c, f]) => [c, decimal(f)]),
  );
  const withdrawals = new Withdrawals(engine, clock, seed, {
    fees,
    processingAfterMs: options.withdrawalProcessingAfterMs ?? 60_000,
    doneAfterMs: options.withdrawalDoneAfterMs ?? 600_000,
  });
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const firstKey = options.keys[0]!.accessKey;
  for (const a of options.withdrawalAddresses ?? []) withdrawals.allow(firstKey, a);

  const pub = (group: Group, answer: (q: URLSearchParams) => Reply): Route => ({ group, public: true, answer });
  const own = (group: Group, answer: Route['answer']): Route => ({ group, public: false, answer });
  const candles = (kind: 'seconds' | 'days' | 'weeks' | 'months') =>
    pub('candle', (q) => quotation.candles({ kind }, q));
  const ROUTES: Record<string, Route> = {
    'GET /v1/market/all': pub('market', (q) => quotation.marketAll(q)),
    'GET /v1/ticker': pub('ticker', (q) => engine.ticker(q)),
    'GET /v1/ticker/all': pub('ticker', (q) => engine.tickerAll(q)),
    'GET /v1/orderbook': pub('orderbook', (q) => engine.orderbook(q)),
    'GET /v1/orderbook/instruments': pub('orderbook', (q) => engine.instruments(q)),
    'GET /v1/trades/ticks': pub('trade', (q) => quotation.tradeTicks(q)),
    'GET /v1/candles/seconds': candles('seconds'),
    'GET /v1/candles/days': candles('days'),
    'GET /v1/candles/weeks': candles('weeks'),
    'GET /v1/candles/months': candles('months'),
    ...Object.fromEntries(
      MINUTE_UNITS.map((unit) => [
        `GET /v1/candles/minutes/${unit}`,
        pub('candle', (q) => quotation.candles({ kind: 'minutes', unit }, q)),
      ]),
    ),
    'GET /v1/accounts': own('default', (_q, key) => engine.accounts(key)),
    'GET /v1/orders/chance': own('default', (q, key) => engine.chance(key, q)),
    'POST /v1/orders': own('order', (_q, key, body, m, p) =>
      engine.placeOrder(key, body, faults.partialFraction(m, p)),
    ),
    'GET /v1/order': own('default', (q, key) => engine.getOrder(key, q)),
    'DELETE /v1/order': own('default', (q, key) => engine.cancel(key, q)),
    'GET /v1/orders/open': own('default', (q, key) => engine.openOrders(key, q)),
    'GET /v1/orders/closed': own('default', (q, key) => engine.closedOrders(key, q)),
    'GET /v1/orders/uuids': own('default', (q, key) => engine.ordersByUuids(key, q)),
    'GET /v1/withdraws/coin_addresses': own('default', (_q, key) => withdrawals.addresses(key)),
    'POST /v1/withdraws/coin': own('default', (_q, key, body, m, p) =>
      withdrawals.withdraw(key, body, faults.withdrawalFails(m, p)),
    ),
    'GET /v1/withdraw': own('default', (q, key) => withdrawals.get(key, q)),
    'GET /v1/withdraws': own('default', (q, key) => withdrawals.list(key, q)),
  };
  /** Requests that create something: a lost-answer fault processes them and then drops the answer. */
  const CREATES = new Set(['POST /v1/orders', 'POST /v1/withdraws/coin']);
  /** Orders taken under the late-processing fault, processed once the clock reaches `dueAt`. */
  const late: { accessKey: string; body: Record<string, unknown>; partial?: string; dueAt: number }[] = [];
  const processLate = () => {
    const now = clock.nowMs();
    for (const p of late.filter((x) => x.dueAt <= now)) {
      late.splice(late.indexOf(p), 1);
      engine.placeOrder(p.accessKey, p.body, p.partial);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, err(500, 'server_error', String(e)), undefined);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const route = `${method} ${path}`;
    const rawBody = await readBody(req);
    const record = (status: number) =>
      requests.push({ method, path, query: url.search.slice(1), status, at: clock.now() });

    const routeDef = ROUTES[route];
    if (!routeDef) {
      // Upbit answers an unknown path (or method) with 404 and never asks for a token.
      record(404);
      return send(res, publicErr(404, 'Not Found'), undefined);
    }

    const delay = faults.delayFor(method, path);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const group = routeDef.group;
    const who = QUOTATION_GROUPS.has(group)
      ? (req.socket.remoteAddress ?? 'ip')
      : (claimedAccessKey(req.headers.authorization) ?? 'anonymous');
    const remainingHeader = (sec: number) => `group=${group}; min=1800; sec=${sec}`;

    const injected = faults.before(method, path);
    if (injected?.kind === 'hang') return void record(0);
    // A server error never reached the rate counter: it says nothing of what is left (a `sec=0`
    // would make a client that obeys the header wait out a whole window after each one).
    if (injected?.kind === 'status')
      return void (
        record(injected.status),
        send(res, err(injected.status, 'server_error', 'injected failure'), undefined)
      );
    if (injected?.kind === 'rateLimit')
      return void (record(429), send(res, err(429, 'too_many_requests', 'Too many API requests.'), remainingHeader(0)));
    if (injected?.kind === 'ban') {
      limiter.ban(who, Date.now(), injected.seconds * 1000);
    }

    const verdict = limiter.check(who, group, Date.now());
    if (verdict.status === 418) {
      record(418);
      return send(
        res,
        err(418, 'too_many_requests', `Blocked for ${verdict.seconds} seconds for ignoring 429.`),
        remainingHeader(0),
      );
    }
    if (verdict.status === 429)
      return void (record(429), send(res, err(429, 'too_many_requests', 'Too many API requests.'), remainingHeader(0)));

    processLate();
    engine.matchResting();
    withdrawals.advance();
    let reply: Reply;
    if (routeDef.public) {
      reply = routeDef.answer(url.searchParams, '', {}, method, path);
    } else {
      let body: Record<string, unknown> = {};
      let hashed: string;
      if (method === 'POST') {
        try {
          const parsed = rawBody ? parseLossless(rawBody) : {};
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('body must be a JSON object');
          body = parsed as Record<string, unknown>;
        } catch (e) {
          record(400);
          return send(
            res,
            err(400, 'validation_error', `invalid JSON body: ${(e as Error).message}`),
            remainingHeader(verdict.remaining),
          );
        }
        hashed = Object.entries(body)
          .filter(([, v]) => v !== null && v !== undefined)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join('&');
      } else {
        hashed = decodeURIComponent(url.search.slice(1));
      }
      const verified = auth.verify(req.headers.authorization, hashed);
      if (!verified.ok) {
        record(401);
        return send(res, err(401, verified.name, verified.message), remainingHeader(verdict.remaining));
      }
      const lateFault = route === 'POST /v1/orders' ? faults.late(method, path) : undefined;
      if (lateFault) {
        late.push({
          accessKey: verified.accessKey,
          body,
          partial: faults.partialFraction(method, path),
          dueAt: clock.nowMs() + lateFault.afterMs,
        });
        if (lateFault.mode === 'destroy') return void (record(-1), req.socket.destroy());
        return void record(0);
      }
      reply = routeDef.answer(url.searchParams, verified.accessKey, body, method, path);
      if (CREATES.has(route) && reply.status === 201) {
        const lose = faults.lostAnswer(method, path);
        if (lose === 'destroy') return void (record(-1), req.socket.destroy());
        if (lose === 'hang') return void record(0);
        if (lose === '500') reply = err(500, 'server_error', 'injected failure after the request was processed');
      }
    }
    record(reply.status);
    send(res, reply, remainingHeader(verdict.remaining));
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    clock,
    faults,
    source,
    describeSource: () =>
      Object.entries(source)
        .map(([m, s]) => `${m}: ${s}`)
        .join('; '),
    keys: { rotate: (accessKey, next) => auth.rotate(accessKey, next) },
    accounts: {
      credit: (currency, amount, accessKey = firstKey) => engine.credit(accessKey, currency, decimal(amount)),
      debit: (currency, amount, accessKey = firstKey) => {
        const { balance } = engine.balanceOf(accessKey, currency);
        if (decimal(amount).gt(balance))
          throw new Error(`the account holds ${balance.toFixed()} ${currency}, not ${amount}`);
        engine.credit(accessKey, currency, decimal(amount).neg());
      },
      balance: (currency, accessKey = firstKey) => {
        withdrawals.advance(); // the balance as the exchange would report it now
        return engine.balanceOf(accessKey, currency);
      },
    },
    withdrawals: {
      allow: (address, accessKey = firstKey) => withdrawals.allow(accessKey, address),
      all: () => {
        withdrawals.advance();
        return withdrawals.all;
      },
    },
    orders: {
      all: () => {
        processLate(); // the exchange's records as they stand now
        return engine.orders;
      },
      byIdentifier: (identifier) => {
        processLate();
        return engine.orders.filter((o) => o.identifier === identifier);
      },
      pendingLate: () => late.length,
      rejections: () => engine.rejections,
    },
    requests,
    market: (code) => {
      const m = markets.get(code);
      if (!m) throw new Error(`no market ${code}`);
      return m;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}

function specFor(code: string): MarketSpec {
  const known = DEFAULT_MARKETS.find((m) => m.code === code);
  if (known) return known;
  return { code, synthetic: DEFAULT_MARKETS.find((m) => m.code === 'KRW-XRP')!.synthetic };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, remaining: string | undefined): void {
  const text = stringifyWithNumbers(reply.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  };
  if (remaining) headers['remaining-req'] = remaining;
  res.writeHead(reply.status, headers);
  res.end(text);
}
