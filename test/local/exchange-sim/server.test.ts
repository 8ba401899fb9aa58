/**
 * The simulator speaks the protocol the way the exchange does: checked here with raw HTTP requests
 * signed by an independent implementation (node:crypto), not through the adapter.
 */
import { startExchangeSimulator, type ExchangeSimulator, type SimulatorOptions } from '../../../local/exchange-sim';
import { token } from '../../adapters/exchange/independent-signer';

const KEY = { accessKey: 'ak-sim', secretKey: 'sk-sim' };
let sim: ExchangeSimulator;

async function start(options: Partial<SimulatorOptions> = {}) {
  sim = await startExchangeSimulator({ seed: 3, keys: [KEY], dataDir: '/nonexistent', clock: '2024-01-02T06:00:00Z', ...options });
  sim.accounts.credit('XRP', '100000');
}

afterEach(() => sim.close());

async function call(method: string, path: string, options: { query?: string; body?: Record<string, string>; auth?: string | null } = {}) {
  const url = `${sim.url}${path}${options.query ? `?${options.query}` : ''}`;
  const hashed = options.body ? Object.entries(options.body).map(([k, v]) => `${k}=${v}`).join('&') : options.query ? decodeURIComponent(options.query) : undefined;
  const auth = options.auth === undefined ? token({ ...KEY, query: hashed }) : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(url, { method, headers, body: options.body ? JSON.stringify(options.body) : undefined });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> & { error?: { name: string; message: string } }, remaining: res.headers.get('remaining-req') };
}

function sellBody(identifier: string, price: string, volume = '100'): Record<string, string> {
  return { market: 'KRW-XRP', side: 'ask', volume, price, ord_type: 'limit', time_in_force: 'ioc', identifier };
}

async function bestBid(): Promise<string> {
  const r = await call('GET', '/v1/orderbook', { query: 'markets=KRW-XRP', auth: null });
  return /"bid_price":(\d+(?:\.\d+)?)/.exec(r.text)![1]!;
}

describe('exchange simulator: authentication', () => {
  beforeEach(() => start());

  it('accepts a correctly signed request and rejects every kind of bad token', async () => {
    expect((await call('GET', '/v1/accounts')).status).toBe(200);
    expect((await call('GET', '/v1/accounts', { auth: null })).json.error?.name).toBe('jwt_verification');
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, secretKey: 'wrong' }) })).json.error?.name).toBe('jwt_verification');
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS256' }) })).status).toBe(200);
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS256', digest: 'sha512' }) })).json.error?.name).toBe('jwt_verification');
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS384' }) })).json.error?.name).toBe('jwt_verification');
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, accessKey: 'stranger' }) })).json.error?.name).toBe('invalid_access_key');
    const reused = token({ ...KEY, nonce: 'same-nonce' });
    expect((await call('GET', '/v1/accounts', { auth: reused })).status).toBe(200);
    const again = await call('GET', '/v1/accounts', { auth: reused });
    expect([again.status, again.json.error?.name]).toEqual([401, 'nonce_used']);
  });

  it('checks query_hash against the query string and the body as received', async () => {
    const ok = await call('GET', '/v1/orders/chance', { query: 'market=KRW-XRP' });
    expect(ok.status).toBe(200);
    const forged = await call('GET', '/v1/orders/chance', { query: 'market=KRW-XRP', auth: token({ ...KEY, query: 'market=KRW-BTC' }) });
    expect([forged.status, forged.json.error?.name]).toEqual([401, 'invalid_query_payload']);
    const missing = await call('GET', '/v1/orders/chance', { query: 'market=KRW-XRP', auth: token(KEY) });
    expect(missing.json.error?.name).toBe('invalid_query_payload');
    const body = sellBody('auth-1', await bestBid());
    const tampered = await call('POST', '/v1/orders', { body: { ...body, volume: '99999' }, auth: token({ ...KEY, query: Object.entries(body).map(([k, v]) => `${k}=${v}`).join('&') }) });
    expect([tampered.status, tampered.json.error?.name]).toEqual([401, 'invalid_query_payload']);
    expect(sim.orders.all()).toHaveLength(0);
    expect((await call('POST', '/v1/orders', { body })).status).toBe(201);
  });
});

describe('exchange simulator: orders', () => {
  beforeEach(() => start());

  it('answers quotation with JSON numbers and orders with decimal strings', async () => {
    const ticker = await call('GET', '/v1/ticker', { query: 'markets=KRW-XRP', auth: null });
    expect(ticker.text).toMatch(/"trade_price":\d+[,}]/);
    expect(ticker.remaining).toMatch(/^group=ticker; min=\d+; sec=\d+$/);
    const placed = await call('POST', '/v1/orders', { body: sellBody('fmt-1', await bestBid()) });
    expect(placed.status).toBe(201);
    expect(placed.json).toMatchObject({ state: 'wait', volume: '100', executed_volume: '0', identifier: 'fmt-1', market: 'KRW-XRP' });
    expect(placed.remaining).toMatch(/^group=order; /);
    const got = await call('GET', '/v1/order', { query: 'identifier=fmt-1' });
    expect(got.json).toMatchObject({ state: 'done', executed_volume: '100' });
    expect(typeof got.json.paid_fee).toBe('string');
  });

  it('enforces tick, minimum, balance and identifier uniqueness forever', async () => {
    const bid = await bestBid();
    const refuse = async (body: Record<string, string>) => (await call('POST', '/v1/orders', { body })).json.error?.name;
    expect(await refuse(sellBody('r-tick', `${bid}.5`))).toBe('invalid_price_ask');
    expect(await refuse(sellBody('r-min', bid, '1'))).toBe('under_min_total_ask');
    expect(await refuse(sellBody('r-funds', bid, '100001'))).toBe('insufficient_funds_ask');
    expect(await refuse(sellBody('r-vol', bid, '1.123456789'))).toBe('invalid_volume_ask');
    // Each of those identifiers is spent although its order failed.
    for (const id of ['r-tick', 'r-min', 'r-funds']) expect(await refuse(sellBody(id, bid))).toBe('duplicated_identifier');
    expect(sim.orders.rejections().map((r) => r.name)).toContain('duplicated_identifier');
    expect(sim.orders.all()).toHaveLength(0);
  });

  it('refuses a market sell larger than the bid side of the top 30 levels', async () => {
    sim.accounts.credit('THIN', '100000000');
    const book = await call('GET', '/v1/orderbook', { query: 'markets=KRW-THIN', auth: null });
    const total = /"total_bid_size":(\d+(?:\.\d+)?)/.exec(book.text)![1]!;
    const over = (BigInt(total.split('.')[0]!) + 1n).toString();
    const r = await call('POST', '/v1/orders', { body: { market: 'KRW-THIN', side: 'ask', volume: over, ord_type: 'market', identifier: 'mkt-big' } });
    expect([r.status, r.json.error?.name]).toEqual([400, 'exceeds_orderbook_depth_ask']);
    expect(sim.accounts.balance('THIN').balance.toFixed()).toBe('100000000');
  });
});

describe('exchange simulator: rate limits', () => {
  it('counts per group, answers 429 over the limit and 418 to a client that keeps going', async () => {
    await start({ rateLimits: { ticker: 2 }, banAfter429s: 3, banSeconds: 5, rateWindowMs: 60_000 });
    const statuses = [];
    const remaining = [];
    for (let i = 0; i < 6; i++) {
      const r = await call('GET', '/v1/ticker', { query: 'markets=KRW-BTC', auth: null });
      statuses.push(r.status);
      remaining.push(r.remaining);
    }
    expect(statuses).toEqual([200, 200, 429, 429, 418, 418]);
    expect(remaining.slice(0, 3)).toEqual(['group=ticker; min=1800; sec=1', 'group=ticker; min=1800; sec=0', 'group=ticker; min=1800; sec=0']);
    // Other groups and accounts are counted apart.
    expect((await call('GET', '/v1/accounts')).status).toBe(200);
  });
});
