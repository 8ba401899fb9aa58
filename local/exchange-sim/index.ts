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
import { Engine, err, type Rejection, type Reply, type SimOrder } from './engine';
import { Faults } from './faults';
import { DEFAULT_LIMITS, RateLimiter, type Group } from './limits';
import { DEFAULT_IMPACT, SimMarket, type ImpactParams } from './market';
import type { PriceSource } from './source';
import { SyntheticSeries, type SyntheticParams } from './synthetic';

export { SimClock } from './clock';
export type { SimOrder, Rejection } from './engine';
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
    synthetic: { s0: '85000000', annualVol: 0.5, jumpsPerDay: 0.05, jumpMean: -0.02, jumpStd: 0.03, dailyVolume: '3000', volumeNoise: 0.35 },
  },
  {
    code: 'KRW-ETH',
    data: 'upbit:KRW-ETH_15min',
    synthetic: { s0: '3500000', annualVol: 0.65, jumpsPerDay: 0.05, jumpMean: -0.025, jumpStd: 0.035, dailyVolume: '20000', volumeNoise: 0.35 },
  },
  {
    code: 'KRW-XRP',
    synthetic: { s0: '800', annualVol: 0.8, jumpsPerDay: 0.08, jumpMean: -0.03, jumpStd: 0.05, dailyVolume: '300000000', volumeNoise: 0.4 },
  },
  {
    code: 'KRW-THIN',
    synthetic: { s0: '250', annualVol: 1.2, jumpsPerDay: 0.2, jumpMean: -0.03, jumpStd: 0.08, dailyVolume: '6000000', volumeNoise: 0.6 },
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
  rateLimits?: Partial<Record<Group, number>>;
  rateWindowMs?: number;
  banAfter429s?: number;
  banSeconds?: number;
  /** Instant at which synthetic paths stand at their s0 (default: 00:00 UTC of the clock's first day). */
  syntheticOrigin?: string;
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
    balance(currency: string, accessKey?: string): { balance: Decimal; locked: Decimal };
  };
  /** The exchange's record of every order, and of every refusal. */
  orders: {
    all(): readonly SimOrder[];
    byIdentifier(identifier: string): SimOrder[];
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

const QUOTATION: Record<string, Group> = {
  'GET /v1/ticker': 'ticker',
  'GET /v1/orderbook': 'orderbook',
  'GET /v1/orderbook/instruments': 'orderbook',
};

export async function startExchangeSimulator(options: SimulatorOptions): Promise<ExchangeSimulator> {
  if (options.keys.length === 0) throw new Error('at least one API key is needed');
  const seed = options.seed ?? 1;
  const clock = options.clock instanceof SimClock ? options.clock : new SimClock(options.clock);
  const dataDir = options.dataDir ?? defaultDataDir();
  const haveData = existsSync(dataDir);
  const usdKrw = decimal(options.usdKrw ?? '1300');
  const impact: ImpactParams = { ...DEFAULT_IMPACT, ...options.impact };
  // Synthetic paths start at their s0 on the day the clock starts, unless told otherwise.
  const origin = options.syntheticOrigin ? Date.parse(options.syntheticOrigin) : clock.nowMs() - (clock.nowMs() % 86_400_000);

  const markets = new Map<string, SimMarket>();
  const source: Record<string, string> = {};
  for (const entry of options.markets ?? DEFAULT_MARKETS) {
    const spec = typeof entry === 'string' ? specFor(entry) : entry;
    let src: PriceSource;
    if (haveData && spec.data && seriesAvailable(dataDir, spec.data)) src = new CandleSeries(dataDir, SERIES[spec.data]!, usdKrw);
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
    windowMs: options.rateWindowMs ?? 1000,
    banAfter429s: options.banAfter429s ?? 10,
    banWindowMs: 10 * (options.rateWindowMs ?? 1000),
    banMs: (options.banSeconds ?? 60) * 1000,
  });
  const faults = new Faults();
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const firstKey = options.keys[0]!.accessKey;

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
    const record = (status: number) => requests.push({ method, path, query: url.search.slice(1), status, at: clock.now() });

    const delay = faults.delayFor(method, path);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const quotationGroup = QUOTATION[route];
    const group: Group = quotationGroup ?? (route === 'POST /v1/orders' ? 'order' : 'default');
    const who = quotationGroup ? (req.socket.remoteAddress ?? 'ip') : (claimedAccessKey(req.headers.authorization) ?? 'anonymous');
    const remainingHeader = (sec: number) => `group=${group}; min=1800; sec=${sec}`;

    const injected = faults.before(method, path);
    if (injected?.kind === 'hang') return void record(0);
    if (injected?.kind === 'status') return void (record(injected.status), send(res, err(injected.status, 'server_error', 'injected failure'), remainingHeader(0)));
    if (injected?.kind === 'rateLimit') return void (record(429), send(res, err(429, 'too_many_requests', 'Too many API requests.'), remainingHeader(0)));
    if (injected?.kind === 'ban') {
      limiter.ban(who, Date.now(), injected.seconds * 1000);
    }

    const verdict = limiter.check(who, group, Date.now());
    if (verdict.status === 418) {
      record(418);
      return send(res, err(418, 'too_many_requests', `Blocked for ${verdict.seconds} seconds for ignoring 429.`), remainingHeader(0));
    }
    if (verdict.status === 429) return void (record(429), send(res, err(429, 'too_many_requests', 'Too many API requests.'), remainingHeader(0)));

    engine.matchResting();
    let reply: Reply;
    if (quotationGroup) {
      reply = route === 'GET /v1/ticker' ? engine.ticker(url.searchParams) : route === 'GET /v1/orderbook' ? engine.orderbook(url.searchParams) : engine.instruments(url.searchParams);
    } else {
      let body: Record<string, unknown> = {};
      let hashed: string;
      if (method === 'POST') {
        try {
          const parsed = rawBody ? parseLossless(rawBody) : {};
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
          body = parsed as Record<string, unknown>;
        } catch (e) {
          record(400);
          return send(res, err(400, 'validation_error', `invalid JSON body: ${(e as Error).message}`), remainingHeader(verdict.remaining));
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
      reply = exchangeRoute(route, verified.accessKey, url.searchParams, body);
      if (route === 'POST /v1/orders' && reply.status === 201) {
        const lose = faults.lostAnswer(method, path);
        if (lose === 'destroy') return void (record(-1), req.socket.destroy());
        if (lose === 'hang') return void record(0);
        if (lose === '500') reply = err(500, 'server_error', 'injected failure after the order was accepted');
      }
    }
    record(reply.status);
    send(res, reply, remainingHeader(verdict.remaining));
  }

  function exchangeRoute(route: string, accessKey: string, q: URLSearchParams, body: Record<string, unknown>): Reply {
    switch (route) {
      case 'GET /v1/accounts':
        return engine.accounts(accessKey);
      case 'GET /v1/orders/chance':
        return engine.chance(accessKey, q);
      case 'POST /v1/orders':
        return engine.placeOrder(accessKey, body, faults.partialFraction('POST', '/v1/orders'));
      case 'GET /v1/order':
        return engine.getOrder(accessKey, q);
      case 'DELETE /v1/order':
        return engine.cancel(accessKey, q);
      default:
        return err(404, 'not_found', `no route ${route}`);
    }
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
    accounts: {
      credit: (currency, amount, accessKey = firstKey) => engine.credit(accessKey, currency, decimal(amount)),
      balance: (currency, accessKey = firstKey) => engine.balanceOf(accessKey, currency),
    },
    orders: {
      all: () => engine.orders,
      byIdentifier: (identifier) => engine.orders.filter((o) => o.identifier === identifier),
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
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) };
  if (remaining) headers['remaining-req'] = remaining;
  res.writeHead(reply.status, headers);
  res.end(text);
}
