/**
 * The simulator speaks the protocol the way the exchange does: checked here with raw HTTP requests
 * signed by an independent implementation (node:crypto), not through the adapter.
 */
import {
  WITHDRAWALS,
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimulatorOptions,
} from '../../../local/exchange-sim';
import { Decimal } from '#domain/money';
import { token } from '../../adapters/exchange/independent-signer';

const KEY = { accessKey: 'ak-sim', secretKey: 'sk-sim' };
let sim: ExchangeSimulator;

async function start(options: Partial<SimulatorOptions> = {}) {
  sim = await startExchangeSimulator({
    seed: 3,
    keys: [KEY],
    dataDir: '/nonexistent',
    clock: '2024-01-02T06:00:00Z',
    ...options,
  });
  sim.accounts.credit('XRP', '100000');
}

afterEach(() => sim.close());

async function call(
  method: string,
  path: string,
  options: { query?: string; body?: Record<string, string>; auth?: string | null } = {},
) {
  const url = `${sim.url}${path}${options.query ? `?${options.query}` : ''}`;
  const hashed = options.body
    ? Object.entries(options.body)
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : options.query
      ? decodeURIComponent(options.query)
      : undefined;
  const auth = options.auth === undefined ? token({ ...KEY, query: hashed }) : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(url, { method, headers, body: options.body ? JSON.stringify(options.body) : undefined });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: JSON.parse(text) as Record<string, unknown> & { error?: { name: string; message: string } },
    remaining: res.headers.get('remaining-req'),
  };
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
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, secretKey: 'wrong' }) })).json.error?.name).toBe(
      'jwt_verification',
    );
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS256' }) })).status).toBe(200);
    expect(
      (await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS256', digest: 'sha512' }) })).json.error?.name,
    ).toBe('jwt_verification');
    expect((await call('GET', '/v1/accounts', { auth: token({ ...KEY, alg: 'HS384' }) })).json.error?.name).toBe(
      'jwt_verification',
    );
    expect(
      (await call('GET', '/v1/accounts', { auth: token({ ...KEY, accessKey: 'stranger' }) })).json.error?.name,
    ).toBe('invalid_access_key');
    const reused = token({ ...KEY, nonce: 'same-nonce' });
    expect((await call('GET', '/v1/accounts', { auth: reused })).status).toBe(200);
    const again = await call('GET', '/v1/accounts', { auth: reused });
    expect([again.status, again.json.error?.name]).toEqual([401, 'nonce_used']);
  });

  it('checks query_hash against the query string and the body as received', async () => {
    const ok = await call('GET', '/v1/orders/chance', { query: 'market=KRW-XRP' });
    expect(ok.status).toBe(200);
    const forged = await call('GET', '/v1/orders/chance', {
      query: 'market=KRW-XRP',
      auth: token({ ...KEY, query: 'market=KRW-BTC' }),
    });
    expect([forged.status, forged.json.error?.name]).toEqual([401, 'invalid_query_payload']);
    const missing = await call('GET', '/v1/orders/chance', { query: 'market=KRW-XRP', auth: token(KEY) });
    expect(missing.json.error?.name).toBe('invalid_query_payload');
    const body = sellBody('auth-1', await bestBid());
    const tampered = await call('POST', '/v1/orders', {
      body: { ...body, volume: '99999' },
      auth: token({
        ...KEY,
        query: Object.entries(body)
          .map(([k, v]) => `${k}=${v}`)
          .join('&'),
      }),
    });
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
    expect(placed.json).toMatchObject({
      state: 'wait',
      volume: '100',
      executed_volume: '0',
      identifier: 'fmt-1',
      market: 'KRW-XRP',
    });
    expect(placed.remaining).toMatch(/^group=order; /);
    const got = await call('GET', '/v1/order', { query: 'identifier=fmt-1' });
    expect(got.json).toMatchObject({ state: 'done', executed_volume: '100' });
    expect(typeof got.json.paid_fee).toBe('string');
  });

  it('enforces tick, minimum, balance and identifier uniqueness forever', async () => {
    const bid = await bestBid();
    const refuse = async (body: Record<string, string>) =>
      (await call('POST', '/v1/orders', { body })).json.error?.name;
    expect(await refuse(sellBody('r-tick', `${bid}.5`))).toBe('invalid_price_ask');
    expect(await refuse(sellBody('r-min', bid, '1'))).toBe('under_min_total_ask');
    expect(await refuse(sellBody('r-funds', bid, '100001'))).toBe('insufficient_funds_ask');
    expect(await refuse(sellBody('r-vol', bid, '1.123456789'))).toBe('invalid_volume_ask');
    // Each of those identifiers is spent although its order failed.
    for (const id of ['r-tick', 'r-min', 'r-funds'])
      expect(await refuse(sellBody(id, bid))).toBe('duplicated_identifier');
    expect(sim.orders.rejections().map((r) => r.name)).toContain('duplicated_identifier');
    expect(sim.orders.all()).toHaveLength(0);
  });

  it('refuses a market sell larger than the bid side of the top 30 levels', async () => {
    sim.accounts.credit('THIN', '100000000');
    const book = await call('GET', '/v1/orderbook', { query: 'markets=KRW-THIN', auth: null });
    const total = /"total_bid_size":(\d+(?:\.\d+)?)/.exec(book.text)![1]!;
    const over = (BigInt(total.split('.')[0]!) + 1n).toString();
    const r = await call('POST', '/v1/orders', {
      body: { market: 'KRW-THIN', side: 'ask', volume: over, ord_type: 'market', identifier: 'mkt-big' },
    });
    expect([r.status, r.json.error?.name]).toEqual([400, 'exceeds_orderbook_depth_ask']);
    expect(sim.accounts.balance('THIN').balance.toFixed()).toBe('100000000');
  });
});

describe('exchange simulator: rate limits', () => {
  it('counts per group, answers 429 over the limit and 418 to a client that keeps going', async () => {
    await start({ rateLimits: { ticker: 2 }, banAfter429s: 3, banSeconds: 5 });
    const statuses = [];
    const remaining = [];
    for (let i = 0; i < 6; i++) {
      const r = await call('GET', '/v1/ticker', { query: 'markets=KRW-BTC', auth: null });
      statuses.push(r.status);
      remaining.push(r.remaining);
    }
    expect(statuses).toEqual([200, 200, 429, 429, 418, 418]);
    expect(remaining.slice(0, 3)).toEqual([
      'group=ticker; min=1800; sec=1',
      'group=ticker; min=1800; sec=0',
      'group=ticker; min=1800; sec=0',
    ]);
    // Other groups and accounts are counted apart.
    expect((await call('GET', '/v1/accounts')).status).toBe(200);
  });
});

describe('exchange simulator: routes', () => {
  beforeEach(() => start());

  it('answers unknown paths and methods with 404 without asking for a token', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/v2/ticker'],
      ['PUT', '/v1/orders'],
      ['GET', '/v1/candles/minutes/2'],
      ['POST', '/v1/accounts'],
    ]) {
      const r = await call(method!, path!, { auth: null });
      expect([method, path, r.status, r.json.error?.name]).toEqual([method, path, 404, 404]);
    }
  });

  it('serves public endpoints with no token (and ignores a bad one); their errors carry an integer name', async () => {
    for (const path of ['/v1/market/all', '/v1/candles/days', '/v1/trades/ticks', '/v1/ticker']) {
      const query = path === '/v1/market/all' ? '' : path === '/v1/ticker' ? 'markets=KRW-XRP' : 'market=KRW-XRP';
      expect((await call('GET', path, { query, auth: null })).status).toBe(200);
      expect((await call('GET', path, { query, auth: 'garbage' })).status).toBe(200);
    }
    const unknown = await call('GET', '/v1/ticker', { query: 'markets=KRW-NOPE', auth: null });
    expect([unknown.status, unknown.text]).toEqual([404, '{"error":{"name":404,"message":"Code not found"}}']);
    expect(
      (await call('GET', '/v1/candles/minutes/1', { query: 'market=KRW-XRP&count=201', auth: null })).json.error?.name,
    ).toBe(400);
    // Exchange errors keep their string names.
    expect((await call('GET', '/v1/order', { query: 'uuid=none' })).json.error?.name).toBe('order_not_found');
  });

  it('lists markets, with market_event details on request', async () => {
    const plain = (await call('GET', '/v1/market/all', { auth: null })).json as unknown as Record<string, unknown>[];
    expect(plain.map((m) => m.market)).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN']);
    expect(plain[0]).toEqual({ market: 'KRW-BTC', korean_name: '비트코인', english_name: 'Bitcoin' });
    const detailed = (await call('GET', '/v1/market/all', { query: 'is_details=true', auth: null }))
      .json as unknown as Record<string, unknown>[];
    expect(detailed[0]).toMatchObject({ market_event: { warning: false, caution: { PRICE_FLUCTUATIONS: false } } });
  });

  it('builds candles before `to` (exclusive), newest first, with day fields and the simulator fills counted', async () => {
    const r = await call('GET', '/v1/candles/minutes/15', {
      query: 'market=KRW-XRP&count=3&to=2024-01-02T05:30:00Z',
      auth: null,
    });
    const candles = r.json as unknown as Record<string, unknown>[];
    expect(candles.map((c) => c.candle_date_time_utc)).toEqual([
      '2024-01-02T05:15:00',
      '2024-01-02T05:00:00',
      '2024-01-02T04:45:00',
    ]);
    expect(candles[0]).toMatchObject({ candle_date_time_kst: '2024-01-02T14:15:00' });
    expect(r.text).toMatch(/"unit":15}/);
    // Same window in KST and without a zone (UTC).
    const kst = await call('GET', '/v1/candles/minutes/15', {
      query: `market=KRW-XRP&count=3&to=${encodeURIComponent('2024-01-02T14:30:00+09:00')}`,
      auth: null,
    });
    const noZone = await call('GET', '/v1/candles/minutes/15', {
      query: `market=KRW-XRP&count=3&to=${encodeURIComponent('2024-01-02 05:30:00')}`,
      auth: null,
    });
    expect(kst.text).toBe(r.text);
    expect(noZone.text).toBe(r.text);
    const days = (await call('GET', '/v1/candles/days', { query: 'market=KRW-XRP&count=2', auth: null }))
      .json as unknown as Record<string, string>[];
    expect(days.map((d) => d.candle_date_time_utc)).toEqual(['2024-01-02T00:00:00', '2024-01-01T00:00:00']);
    expect(Object.keys(days[0]!)).toEqual(
      expect.arrayContaining(['prev_closing_price', 'change_price', 'change_rate']),
    );

    // A sale shows in the current minute's candle volume and in the recent trades.
    const before = /"candle_acc_trade_volume":([\d.]+)/.exec(
      (await call('GET', '/v1/candles/minutes/1', { query: 'market=KRW-XRP', auth: null })).text,
    )![1]!;
    expect((await call('POST', '/v1/orders', { body: sellBody('candle-1', await bestBid()) })).status).toBe(201);
    const after = /"candle_acc_trade_volume":([\d.]+)/.exec(
      (await call('GET', '/v1/candles/minutes/1', { query: 'market=KRW-XRP', auth: null })).text,
    )![1]!;
    expect(new Decimal(after).sub(before).toFixed()).toBe('100');
    const ticks = (await call('GET', '/v1/trades/ticks', { query: 'market=KRW-XRP&count=3', auth: null }))
      .json as unknown as Record<string, unknown>[];
    expect(ticks[0]).toMatchObject({ ask_bid: 'ASK', trade_volume: 100, timestamp: sim.clock.nowMs() });
    // The cursor continues with older trades.
    const older = (
      await call('GET', '/v1/trades/ticks', {
        query: `market=KRW-XRP&count=2&cursor=${String(ticks[1]!.sequential_id)}`,
        auth: null,
      })
    ).json as unknown as Record<string, unknown>[];
    expect(older[0]).toEqual(ticks[2]);
  });
});

describe('exchange simulator: order lists', () => {
  beforeEach(() => start());

  async function sell(identifier: string, price: string, tif: boolean) {
    const body: Record<string, string> = {
      market: 'KRW-XRP',
      side: 'ask',
      volume: '100',
      price,
      ord_type: 'limit',
      identifier,
    };
    if (tif) body.time_in_force = 'ioc';
    const r = await call('POST', '/v1/orders', { body });
    expect(r.status).toBe(201);
    return r.json.uuid as string;
  }
  const uuidsOf = (r: { json: unknown }) => (r.json as { uuid: string }[]).map((o) => o.uuid);

  it('lists open orders by market and state, paged, newest first', async () => {
    const high = String(Number(await bestBid()) * 2);
    const a = await sell('open-a', high, false);
    sim.clock.advance(1000);
    const b = await sell('open-b', high, false);
    expect(uuidsOf(await call('GET', '/v1/orders/open', { query: 'market=KRW-XRP' }))).toEqual([b, a]);
    expect(uuidsOf(await call('GET', '/v1/orders/open', { query: 'market=KRW-XRP&limit=1&page=2' }))).toEqual([a]);
    expect(uuidsOf(await call('GET', '/v1/orders/open', { query: 'order_by=asc' }))).toEqual([a, b]);
    expect(uuidsOf(await call('GET', '/v1/orders/open', { query: 'market=KRW-BTC' }))).toEqual([]);
    expect((await call('GET', '/v1/orders/open', { query: 'limit=101' })).json.error?.name).toBe('validation_error');
  });

  it('searches closed orders in a window of at most 7 days by creation time, with states and limit', async () => {
    const t0 = sim.clock.nowMs();
    const first = await sell('closed-1', await bestBid(), true);
    sim.clock.advance(2 * 86_400_000);
    const second = await sell('closed-2', await bestBid(), true);
    const resting = await sell('closed-3', String(Number(await bestBid()) * 2), false);
    await call('DELETE', '/v1/order', { query: `uuid=${resting}` });

    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: 'market=KRW-XRP' }))).toEqual([
      resting,
      second,
      first,
    ]);
    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: 'state=done' }))).toEqual([second, first]);
    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: 'states[]=cancel' }))).toEqual([resting]);
    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: 'limit=1&order_by=asc' }))).toEqual([first]);
    // Epoch milliseconds or ISO 8601 with a zone; either bound alone spans 7 days from it.
    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: `end_time=${t0 + 1000}` }))).toEqual([first]);
    const iso = encodeURIComponent(
      new Date(t0 + 1000 + 9 * 3_600_000).toISOString().replace('Z', '+09:00').replace('.000', ''),
    );
    expect(uuidsOf(await call('GET', '/v1/orders/closed', { query: `start_time=${iso}` }))).toEqual([resting, second]);
    // Fifteen days ago is outside the default window.
    sim.clock.advance(15 * 86_400_000);
    expect(uuidsOf(await call('GET', '/v1/orders/closed'))).toEqual([]);
    const tooWide = await call('GET', '/v1/orders/closed', {
      query: `start_time=${t0}&end_time=${t0 + 8 * 86_400_000}`,
    });
    expect([tooWide.status, tooWide.json.error?.name]).toEqual([400, 'validation_error']);
    expect((await call('GET', '/v1/orders/closed', { query: 'state=done&states[]=cancel' })).status).toBe(400);
    expect((await call('GET', '/v1/orders/closed', { query: 'state=wait' })).status).toBe(400);
  });

  it('finds orders by uuids[] or identifiers[] (one kind at a time)', async () => {
    const a = await sell('ids-a', await bestBid(), true);
    const b = await sell('ids-b', await bestBid(), true);
    expect(uuidsOf(await call('GET', '/v1/orders/uuids', { query: `uuids[]=${a}&uuids[]=${b}` }))).toEqual([b, a]);
    const byId = await call('GET', '/v1/orders/uuids', {
      query: 'identifiers[]=ids-a&identifiers[]=nope&order_by=asc',
    });
    expect(byId.json).toEqual([expect.objectContaining({ uuid: a, identifier: 'ids-a', state: 'done' })]);
    expect((await call('GET', '/v1/orders/uuids', { query: `uuids[]=${a}&identifiers[]=ids-b` })).status).toBe(400);
    expect((await call('GET', '/v1/orders/uuids')).status).toBe(400);
  });
});

describe('exchange simulator: withdrawals', () => {
  const ADDRESS = { currency: 'XRP', netType: 'XRP', address: 'rDestination', secondaryAddress: '77' };
  const body = (amount = '1000', extra: Record<string, string> = {}) => ({
    currency: 'XRP',
    net_type: 'XRP',
    amount,
    address: 'rDestination',
    secondary_address: '77',
    ...extra,
  });
  beforeEach(async () => {
    await start({ withdrawalFees: { XRP: '1' }, withdrawalProcessingAfterMs: 60_000, withdrawalDoneAfterMs: 600_000 });
    sim.withdrawals.allow(ADDRESS);
  });

  it('lists the registered addresses and refuses any other, or more than the balance', async () => {
    expect((await call('GET', '/v1/withdraws/coin_addresses')).json).toEqual([
      {
        currency: 'XRP',
        net_type: 'XRP',
        network_name: 'XRP',
        withdraw_address: 'rDestination',
        secondary_address: '77',
      },
    ]);
    const refuse = async (b: Record<string, string>) => {
      const r = await call('POST', '/v1/withdraws/coin', { body: b });
      return [r.status, r.json.error?.name];
    };
    expect(await refuse(body('1000', { address: 'rElsewhere' }))).toEqual([400, 'withdraw_address']);
    expect(await refuse(body('1000', { secondary_address: '78' }))).toEqual([400, 'withdraw_address']);
    expect(await refuse(body('1000', { net_type: 'ETH' }))).toEqual([400, 'withdraw_address']);
    expect(await refuse(body('100000'))).toEqual([400, 'insufficient_funds_withdraw']); // plus the 1 XRP fee
    expect(await refuse(body('1.123456789'))).toEqual([400, 'validation_error']);
    expect(await refuse(body('10', { transaction_type: 'fast' }))).toEqual([400, 'validation_error']);
    expect(sim.withdrawals.all()).toHaveLength(0);
    expect(sim.accounts.balance('XRP').balance.toFixed()).toBe('100000');
  });

  it('locks amount and fee, then moves WAITING -> PROCESSING -> DONE with simulated time', async () => {
    const sent = await call('POST', '/v1/withdraws/coin', { body: body() });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({
      type: 'withdraw',
      currency: 'XRP',
      net_type: 'XRP',
      state: 'WAITING',
      amount: '1000',
      fee: '1',
      txid: null,
      done_at: null,
      transaction_type: 'default',
      is_cancelable: true,
    });
    const uuid = sent.json.uuid as string;
    const balance = () => sim.accounts.balance('XRP');
    expect([balance().balance.toFixed(), balance().locked.toFixed()]).toEqual(['98999', '1001']);

    sim.clock.advance(60_000);
    const processing = await call('GET', '/v1/withdraw', { query: `uuid=${uuid}` });
    expect(processing.json).toMatchObject({ state: 'PROCESSING', is_cancelable: false });
    const txid = processing.json.txid as string;
    expect(txid).toMatch(/^[0-9a-f]{64}$/);

    sim.clock.advance(540_000);
    const done = await call('GET', '/v1/withdraw', { query: `txid=${txid}` });
    expect(done.json).toMatchObject({ uuid, state: 'DONE', txid });
    expect(done.json.done_at).toBe(
      new Date(sim.clock.nowMs() + 9 * 3_600_000).toISOString().replace('.000Z', '+09:00'),
    );
    expect([balance().balance.toFixed(), balance().locked.toFixed()]).toEqual(['98999', '0']);
    expect((await call('GET', '/v1/withdraw', { query: 'uuid=nope' })).json.error?.name).toBe('withdraw_not_found');
  });

  it('sends an internal transfer free, DONE once processed', async () => {
    const sent = await call('POST', '/v1/withdraws/coin', { body: body('500', { transaction_type: 'internal' }) });
    expect(sent.json).toMatchObject({ fee: '0', transaction_type: 'internal', state: 'WAITING' });
    sim.clock.advance(60_000);
    expect((await call('GET', '/v1/withdraw', { query: `uuid=${String(sent.json.uuid)}` })).json.state).toBe('DONE');
    expect(sim.accounts.balance('XRP').balance.toFixed()).toBe('99500');
  });

  it('fails a withdrawal under the fault and gives the funds back', async () => {
    sim.faults.failWithdrawal();
    const sent = await call('POST', '/v1/withdraws/coin', { body: body() });
    expect(sent.json.state).toBe('WAITING');
    sim.clock.advance(600_000);
    expect((await call('GET', '/v1/withdraw', { query: `uuid=${String(sent.json.uuid)}` })).json).toMatchObject({
      state: 'FAILED',
      done_at: null,
    });
    expect([sim.accounts.balance('XRP').balance.toFixed(), sim.accounts.balance('XRP').locked.toFixed()]).toEqual([
      '100000',
      '0',
    ]);
    // The fault was for one withdrawal only.
    const next = await call('POST', '/v1/withdraws/coin', { body: body('10') });
    sim.clock.advance(600_000);
    expect((await call('GET', '/v1/withdraw', { query: `uuid=${String(next.json.uuid)}` })).json.state).toBe('DONE');
  });

  it('processes a withdrawal whose answer is lost; the client finds it in the list', async () => {
    sim.faults.loseAnswer({ match: WITHDRAWALS });
    await expect(call('POST', '/v1/withdraws/coin', { body: body('250') })).rejects.toThrow();
    expect(sim.withdrawals.all()).toHaveLength(1);
    await call('POST', '/v1/withdraws/coin', { body: body('10') });
    const list = await call('GET', '/v1/withdraws', { query: 'currency=XRP&state=WAITING' });
    expect((list.json as unknown as { amount: string }[]).map((w) => w.amount)).toEqual(['10', '250']);
    const lost = sim.withdrawals.all()[0]!;
    expect((await call('GET', '/v1/withdraws', { query: `uuids[]=${lost.uuid}` })).json).toEqual([
      expect.objectContaining({ uuid: lost.uuid, amount: '250' }),
    ]);
    expect((await call('GET', '/v1/withdraws', { query: 'limit=1&page=2' })).json).toEqual([
      expect.objectContaining({ uuid: lost.uuid }),
    ]);
    expect((await call('GET', '/v1/withdraws', { query: 'currency=BTC' })).json).toEqual([]);
    expect((await call('GET', '/v1/withdraws', { query: 'state=done' })).status).toBe(400);
  });
});
