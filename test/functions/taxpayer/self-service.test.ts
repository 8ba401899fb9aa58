/**
 * The taxpayer's self-service API on DynamoDB Local: the link the notice carries, the second check
 * the city's system sets, sessions through the authorizer, the statement, the sale preview and the
 * sale request with its evidence; refusals that all look alike, the lockout (also under parallel
 * guesses) and the per-address rate limit.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPriceStore, type PriceSnapshot } from '#adapters/dynamodb/price-store';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { documentClient } from '#adapters/dynamodb/client';
import { accessKeys, formatCode, linkCode } from '#adapters/self-service/access-keys';
import { Decimal, ZERO } from '#domain/money';
import { ACCESS_LIMITS, PUBLIC_RATE_LIMIT } from '#domain/self-service';
import { proxyEvent } from '../../../functions/api/proxy-event';
import { selfServiceLinker } from '../../../functions/dispatch-notice/self-service-link';
import { createTaxpayerApi } from '../../../functions/taxpayer-api/app';
import { createTaxpayerAuthorizer } from '../../../functions/taxpayer-api/authorizer';
import { registered, toNoticeSent } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';
import { testApi } from '../../support/api';
import type { NoticeContent } from '#domain/notices';

const table = useCasesTable();
const keys = accessKeys(randomBytes(48).toString('base64'));
const keySource = () => Promise.resolve(keys);
const clock = { now: new Date('2025-07-01T03:00:00Z') };
const selfService = () => new DynamoDbSelfServiceStore(table.client, table.tableName);
const prices = () => new DynamoDbPriceStore(table.client, table.tableName);
const BIRTH = '1980-04-17';

function price(market: string, at: Date, bid: string): PriceSnapshot {
  const p = new Decimal(bid);
  return {
    market,
    polledAt: at,
    tradePrice: p,
    bestBid: p,
    bestAsk: p,
    mid: p,
    gapBps: ZERO,
    tradeAt: at,
    tickerAt: at,
    bookAt: at,
    quotedAt: at,
    ageMs: 0,
    flags: [],
    accTradeVolume24h: new Decimal('1000'),
    accTradeValue24h: new Decimal('1'),
  };
}

const requested: string[] = [];
const taxpayerApi = () =>
  createTaxpayerApi({
    store: table.store,
    settings: table.settings,
    selfService: selfService(),
    prices: prices(),
    keys: keySource,
    idempotencyTtlSeconds: 86_400,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => clock.now,
    requestSales: async (t) => {
      if (t.case.saleRequest) requested.push(t.case.caseId);
    },
  });
const authorize = createTaxpayerAuthorizer({
  keys: keySource,
  logger: new Logger({ logLevel: 'SILENT' }),
  now: () => clock.now,
});

interface Call {
  body?: unknown;
  query?: Record<string, string>;
  session?: string;
  ip?: string;
  key?: string;
}

/** A request as API Gateway passes it on: through the authorizer first when it carries a session. */
async function call(method: string, path: string, options: Call = {}) {
  const event = proxyEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', ...(options.key ? { 'Idempotency-Key': options.key } : {}) },
    query: options.query ?? null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    userArn: null,
    requestId: `r-${randomBytes(4).toString('hex')}`,
  });
  // Each call from an address of its own unless told: only the rate test shares one.
  event.requestContext.identity.sourceIp = options.ip ?? `203.0.113.${++calls % 250}`;
  if (options.session !== undefined) {
    const verdict = await authorize({
      authorizationToken: `Bearer ${options.session}`,
      methodArn: 'arn:aws:execute-api:ap-northeast-2:111122223333:api/v1/GET/taxpayer/statement',
    }).catch(() => undefined);
    if (!verdict) return { status: 401, headers: {}, body: { authorizer: 'Unauthorized' } as Record<string, unknown> };
    event.requestContext.authorizer = verdict.context ?? null;
  }
  const result = await taxpayerApi()(event);
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(result.body) as Record<string, unknown>,
  };
}

let n = 0;
let calls = 0;
/** A case at NOTICE_SENT (deadline set), its pre-sale notice's link as the dispatcher makes it, and its second check set by the city's system. */
async function caseWithLink(options: { check?: boolean } = {}) {
  const caseId = `tp-${process.pid}-${++n}`;
  const r = registered(caseId, '2025-07-01T01:00:00Z');
  await table.store.create(r);
  let c = r.case;
  let notice: NoticeContent | undefined;
  let noticeId = '';
  for (const t of toNoticeSent(c, '2025-07-01T02:00:00Z')) {
    await table.store.commit(c.version, t);
    const pre = t.notices.find((x) => x.kind === 'PRE_SALE');
    if (pre) {
      notice = pre.content;
      noticeId = pre.noticeId;
    }
    c = t.case;
  }
  const linked = await selfServiceLinker({
    keys: keySource,
    links: selfService(),
    pageUrl: 'https://pay.example.go.kr/t/',
  })({ cityId: 'cheongju', caseId, noticeId }, notice!);
  if (linked.kind !== 'PRE_SALE' || !linked.data.selfService) throw new Error('no link');
  if (options.check !== false) {
    const city = testApi(table, clock.now.toISOString(), { taxpayerCheck: { keys: keySource, store: selfService() } });
    const set = await city.call('PUT', `/cases/${caseId}/taxpayer-check`, {
      body: { cityId: 'cheongju', birthDate: BIRTH },
    });
    if (set.status !== 200) throw new Error(JSON.stringify(set.body));
  }
  return { caseId, noticeId, code: linked.data.selfService.code, link: linked.data.selfService, notice: notice! };
}

beforeAll(async () => {
  await prices().putPrices([price('KRW-BTC', clock.now, '140000000')], clock.now);
});

describe('the notice’s link', () => {
  it('is the same on every attempt at the notice, expires weeks after its deadline, and sits after "#" (never sent to a server)', async () => {
    const { caseId, noticeId, link, notice } = await caseWithLink({ check: false });
    const again = await selfServiceLinker({
      keys: keySource,
      links: selfService(),
      pageUrl: 'https://pay.example.go.kr/t/',
    })({ cityId: 'cheongju', caseId, noticeId }, notice);
    expect(again.kind === 'PRE_SALE' && again.data.selfService).toEqual(link);
    expect(link.url).toBe(`https://pay.example.go.kr/t/#${link.code}`);
    expect(link.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(notice.kind === 'PRE_SALE' && link.expiresOn > notice.data.deadline).toBe(true);
    // Other notices pass through unchanged.
    const reminder = { kind: 'REMINDER', data: {} } as unknown as NoticeContent;
    expect(
      await selfServiceLinker({ keys: keySource, links: selfService(), pageUrl: 'https://x/' })(
        { cityId: 'cheongju', caseId, noticeId },
        reminder,
      ),
    ).toBe(reminder);
  });

  it('the city’s system sets the second check; only a peppered digest is stored', async () => {
    const { caseId } = await caseWithLink();
    const raw = await documentClient(table.client).send(
      new GetCommand({ TableName: table.tableName, Key: { PK: `CITY#cheongju#SELFSERVICE#${caseId}`, SK: 'CHECK' } }),
    );
    expect(JSON.stringify(raw.Item)).not.toMatch(/1980|0417|04-17/);
    expect(raw.Item?.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const city = testApi(table, clock.now.toISOString(), { taxpayerCheck: { keys: keySource, store: selfService() } });
    expect(
      (
        await city.call('PUT', `/cases/${caseId}/taxpayer-check`, {
          body: { cityId: 'cheongju', birthDate: '1980-02-30' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await city.call('PUT', `/cases/${caseId}/taxpayer-check`, {
          body: { cityId: 'cheongju', birthDate: BIRTH },
          as: 'officer',
        })
      ).status,
    ).toBe(403);
    expect(
      (await city.call('PUT', '/cases/c-none/taxpayer-check', { body: { cityId: 'cheongju', birthDate: BIRTH } }))
        .status,
    ).toBe(404);
  });
});

describe('a taxpayer with the link and their date of birth', () => {
  it('opens a session, reads the statement, previews a sale with a floor and asks for it; the request carries its evidence; every access is recorded', async () => {
    const { caseId, code, noticeId } = await caseWithLink();
    const opened = await call('POST', '/taxpayer/sessions', {
      body: { code: code.toLowerCase().replace(/-/g, ' '), birthDate: BIRTH },
    });
    expect(opened.status).toBe(201);
    const session = String(opened.body.session);

    const statement = await call('GET', '/taxpayer/statement', { session });
    expect(statement.status).toBe(200);
    const s = statement.body as {
      [k: string]: unknown;
      projection: { label: string; owed: string }[];
      bills: { total: string }[];
      coins: { value: string }[];
    };
    expect(s).toMatchObject({
      caseRef: caseId,
      taxpayerName: '홍길동',
      status: 'NOTICE_SENT',
      canRequestSale: true,
      coinsValue: '7000000',
      city: { phone: '043-201-0000', payment: { onlineUrl: 'https://www.wetax.go.kr' } },
    });
    expect(s.coins).toEqual([
      expect.objectContaining({
        market: 'KRW-BTC',
        coin: 'BTC',
        coinName: '비트코인',
        quantity: '0.05',
        bid: '140000000',
        value: '7000000',
      }),
    ]);
    // Owed today is the bills' sum, and it never falls as the dates move on.
    expect(s.bills.reduce((a, b) => a + Number(b.total), 0)).toBe(Number(s.owedToday));
    expect(s.projection.map((p) => p.label)).toEqual([
      'TODAY',
      'DEADLINE',
      'AFTER',
      'AFTER',
      'AFTER',
      'AFTER',
      'AFTER',
    ]);
    const owed = s.projection.map((p) => Number(p.owed));
    expect(owed).toEqual([...owed].sort((a, b) => a - b));
    expect(owed[owed.length - 1]).toBeGreaterThan(owed[0]!);
    // Nothing beyond what the notice shows: no contact data, no taxpayer reference.
    expect(JSON.stringify(s)).not.toMatch(/010-0000-0000|TP-0001|contact|address/);

    const preview = await call('GET', '/taxpayer/sale-preview', { session, query: { floor: 'KRW-BTC:130000000' } });
    expect(preview.status).toBe(200);
    const p = preview.body as {
      legs: { quantity: string; estimatedNetKrw: string }[];
      estimatedProceeds: string;
      estimatedRefund: string;
      owed: string;
      returned: { quantity: string }[];
    };
    expect(p.legs).toHaveLength(1);
    expect(Number(p.estimatedProceeds)).toBeGreaterThanOrEqual(Number(p.owed));
    expect(new Decimal(p.legs[0]!.quantity).add(p.returned[0]?.quantity ?? 0).toFixed()).toBe('0.05');
    expect(Number(p.estimatedRefund)).toBe(Number(p.estimatedProceeds) - Number(p.owed));
    const above = await call('GET', '/taxpayer/sale-preview', { session, query: { floor: 'KRW-BTC:150000000' } });
    expect(above.body).toMatchObject({ legs: [], belowFloor: ['KRW-BTC'], estimatedProceeds: '0' });
    expect((await call('GET', '/taxpayer/sale-preview', { session, query: { floor: 'KRW-ETH:1' } })).status).toBe(400);
    expect(
      (await call('GET', '/taxpayer/sale-preview', { session, query: { floor: 'KRW-BTC:0' } })).body,
    ).toMatchObject({ status: 400, errors: [{ in: 'query', name: 'floor' }] });

    const key = `sell-${caseId}`;
    const asked = await call('POST', '/taxpayer/sale-requests', {
      session,
      key,
      body: { limitPrices: { 'KRW-BTC': '130000000' } },
    });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'DUE' });
    const again = await call('POST', '/taxpayer/sale-requests', {
      session,
      key,
      body: { limitPrices: { 'KRW-BTC': '130000000' } },
    });
    expect(again.body).toEqual(asked.body);
    expect(requested.filter((id) => id === caseId)).toHaveLength(1);
    expect((await call('POST', '/taxpayer/sale-requests', { session, body: {} })).status).toBe(400);

    const c = await table.store.get('cheongju', caseId);
    expect(c?.saleRequest?.limitPrices['KRW-BTC']?.toFixed()).toBe('130000000');
    expect(c?.saleRequest?.evidence).toMatchObject({
      channel: 'SELF_SERVICE',
      reference: noticeId,
      receivedAt: clock.now.toISOString(),
    });
    const trail = (await table.store.statement('cheongju', caseId))!.audit.find(
      (a) => a.action === 'TAXPAYER_SALE_REQUEST',
    );
    expect(trail?.actor).toEqual({ kind: 'TAXPAYER', id: `self-service:${noticeId}` });
    expect(trail?.details).toMatchObject({ 'evidence:channel': 'SELF_SERVICE', 'evidence:reference': noticeId });

    const after = await call('GET', '/taxpayer/statement', { session });
    expect(after.body).toMatchObject({
      status: 'DUE',
      canRequestSale: false,
      saleRefusal: 'ALREADY_REQUESTED',
      sale: { state: 'WAITING' },
      saleRequest: { channel: 'SELF_SERVICE', limitPrices: { 'KRW-BTC': '130000000' } },
    });
    const log = await selfService().accessLog('cheongju', caseId);
    // One instant on the test's clock: the entries are compared as a set. A refused request (the
    // unknown coin) and a replayed one record no access of the kind.
    expect(log.map((e) => e.outcome).sort()).toEqual([
      'CHECK_PASSED',
      'READ',
      'READ',
      'SALE_PLAN',
      'SALE_PLAN',
      'SALE_REQUEST',
    ]);
    expect(log.every((e) => e.noticeId === noticeId)).toBe(true);
  });

  it('a payment the city records shows up on the statement', async () => {
    const { caseId, code } = await caseWithLink();
    const city = testApi(table, clock.now.toISOString(), { taxpayerCheck: { keys: keySource, store: selfService() } });
    expect(
      (
        await city.call('POST', `/cases/${caseId}/payments`, {
          body: { cityId: 'cheongju', paymentId: `P-${caseId}`, amount: '100000', receivedOn: '2025-07-01' },
        })
      ).status,
    ).toBe(200);
    const session = String(
      (await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } })).body.session,
    );
    expect((await call('GET', '/taxpayer/statement', { session })).body).toMatchObject({
      payments: [{ amount: '100000', receivedOn: '2025-07-01' }],
    });
  });
});

describe('refusals', () => {
  it('an unknown, altered or expired code, a wrong date and a case without a check all get the very same answer', async () => {
    const { code } = await caseWithLink();
    const unchecked = await caseWithLink({ check: false });
    const altered = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    const answers = [
      await call('POST', '/taxpayer/sessions', { body: { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: BIRTH } }),
      await call('POST', '/taxpayer/sessions', { body: { code: 'not a code', birthDate: BIRTH } }),
      await call('POST', '/taxpayer/sessions', { body: { code: altered, birthDate: BIRTH } }),
      await call('POST', '/taxpayer/sessions', { body: { code, birthDate: '1980-04-18' } }),
      await call('POST', '/taxpayer/sessions', { body: { code: unchecked.code, birthDate: BIRTH } }),
    ];
    // Expired: the same link, long after its deadline.
    const saved = clock.now;
    clock.now = new Date('2026-06-01T00:00:00Z');
    answers.push(await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } }));
    clock.now = saved;
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toEqual(answers[0]!.body);
      expect(a.headers).toEqual(answers[0]!.headers);
    }
    expect(answers[0]!.body).toMatchObject({ type: 'urn:crypto-tax-recovery:problem:not-recognized', status: 401 });
  });

  it('a session that is altered, expired or missing opens nothing', async () => {
    const { code } = await caseWithLink();
    const session = String(
      (await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } })).body.session,
    );
    const [head, payload, sig] = session.split('.') as [string, string, string];
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${sig}`;
    expect((await call('GET', '/taxpayer/statement', { session: forged })).status).toBe(401);
    expect((await call('GET', '/taxpayer/statement', { session: `${session.slice(0, -2)}AA` })).status).toBe(401);
    const saved = clock.now;
    clock.now = new Date(saved.getTime() + 16 * 60_000);
    expect((await call('GET', '/taxpayer/statement', { session })).status).toBe(401);
    clock.now = saved;
    // Without the authorizer's context (a misconfigured route), the function itself refuses.
    expect((await call('GET', '/taxpayer/statement')).status).toBe(401);
  });
});

describe('the lockout', () => {
  it('after five wrong dates on a link, even the right one is refused for a day, also when the guesses come at once', async () => {
    const { code, caseId } = await caseWithLink();
    const wrong = Array.from({ length: 8 }, (_, i) =>
      call('POST', '/taxpayer/sessions', { body: { code, birthDate: `1970-01-${String(i + 10)}` } }),
    );
    expect((await Promise.all(wrong)).every((a) => a.status === 401)).toBe(true);
    expect((await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } })).status).toBe(401);
    const log = await selfService().accessLog('cheongju', caseId);
    // At most five answers were ever compared; the rest were refused unread.
    expect(log.filter((e) => e.outcome === 'CHECK_FAILED')).toHaveLength(ACCESS_LIMITS.perLink);
    expect(log.filter((e) => e.outcome === 'LOCKED')).toHaveLength(4);
    const saved = clock.now;
    clock.now = new Date(saved.getTime() + ACCESS_LIMITS.windowMs + 1000);
    expect((await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } })).status).toBe(201);
    clock.now = saved;
  });

  it('counts every link of a case together: ten wrong answers lock the case', async () => {
    const { code, caseId, noticeId } = await caseWithLink();
    // A second link to the same case (as a later notice would have).
    const grant = { cityId: 'cheongju', caseId, noticeId: `${noticeId}-b`, expiresOn: '2025-12-31' };
    const other = linkCode(keys, grant);
    await selfService().putLink(other, grant, clock.now.toISOString());
    for (const c of [code, formatCode(other)])
      for (let i = 0; i < 5; i++)
        expect(
          (await call('POST', '/taxpayer/sessions', { body: { code: c, birthDate: `1970-02-0${i + 1}` } })).status,
        ).toBe(401);
    const third = { ...grant, noticeId: `${noticeId}-c` };
    await selfService().putLink(linkCode(keys, third), third, clock.now.toISOString());
    expect(
      (
        await call('POST', '/taxpayer/sessions', {
          body: { code: formatCode(linkCode(keys, third)), birthDate: BIRTH },
        })
      ).status,
    ).toBe(401);
    const outcomes = (await selfService().accessLog('cheongju', caseId)).map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'CHECK_FAILED')).toHaveLength(ACCESS_LIMITS.perCase);
    expect(outcomes.filter((o) => o === 'LOCKED')).toHaveLength(1);
  });
});

describe('the rate limit', () => {
  it('refuses an address beyond the WAF rule’s limit in its window with 429 and Retry-After; another address is served', async () => {
    const ip = `198.51.100.${1 + (process.pid % 200)}`;
    const answers = [];
    for (let i = 0; i < PUBLIC_RATE_LIMIT.requests; i++)
      answers.push(call('POST', '/taxpayer/sessions', { ip, body: { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: BIRTH } }));
    expect((await Promise.all(answers)).every((a) => a.status === 401)).toBe(true);
    const over = await call('POST', '/taxpayer/sessions', {
      ip,
      body: { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: BIRTH },
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers['Retry-After'])).toBeGreaterThan(0);
    expect(
      (
        await call('POST', '/taxpayer/sessions', {
          ip: '192.0.2.44',
          body: { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: BIRTH },
        })
      ).status,
    ).toBe(401);
  });
});

describe('the access log on the cities’ API', () => {
  it('officers and auditors of the case’s city read every access, newest first, page by page; the city’s system and other cities may not', async () => {
    const { caseId, code } = await caseWithLink();
    expect((await call('POST', '/taxpayer/sessions', { body: { code, birthDate: '1999-01-01' } })).status).toBe(401);
    const opened = await call('POST', '/taxpayer/sessions', { body: { code, birthDate: BIRTH } });
    await call('GET', '/taxpayer/statement', { session: String(opened.body.session) });
    clock.now = new Date(clock.now.getTime() + 60_000);
    await call('GET', '/taxpayer/statement', { session: String(opened.body.session) });
    clock.now = new Date(clock.now.getTime() - 60_000);

    const city = testApi(table, clock.now.toISOString(), { taxpayerCheck: { keys: keySource, store: selfService() } });
    const path = `/audit-trails/${caseId}/taxpayer-access`;
    const whole = await city.call('GET', path, { query: { city: 'cheongju' }, as: 'auditor' });
    expect(whole.status).toBe(200);
    const items = whole.body.items as { at: string; outcome: string; noticeId: string; requestId: string }[];
    expect(items.map((e) => e.outcome).sort()).toEqual(['CHECK_FAILED', 'CHECK_PASSED', 'READ', 'READ']);
    expect(items[0]).toMatchObject({ outcome: 'READ', at: new Date(clock.now.getTime() + 60_000).toISOString() });
    expect(whole.body.cursor).toBeUndefined();

    // One at a time: the same entries, each once, and no cursor after the last.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await city.call('GET', path, {
        query: { city: 'cheongju', limit: '1', ...(cursor ? { cursor } : {}) },
        as: 'officer',
      });
      expect(page.status).toBe(200);
      paged.push(...(page.body.items as { requestId: string }[]).map((e) => e.requestId));
      cursor = page.body.cursor as string | undefined;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual(items.map((e) => e.requestId));

    expect((await city.call('GET', path, { query: { city: 'cheongju' }, as: 'city' })).status).toBe(403);
    expect((await city.call('GET', path, { query: { city: 'cheongju' }, as: 'sejongOfficer' })).status).toBe(403);
    expect(
      (await city.call('GET', '/audit-trails/c-none/taxpayer-access', { query: { city: 'cheongju' }, as: 'officer' }))
        .status,
    ).toBe(404);
    const forged = Buffer.from(`CHECK`).toString('base64url');
    expect(
      (await city.call('GET', path, { query: { city: 'cheongju', cursor: forged }, as: 'officer' })).body,
    ).toMatchObject({ status: 400, errors: [{ in: 'query', name: 'cursor' }] });
    expect(
      (await city.call('GET', path, { query: { city: 'cheongju', limit: '1e1' }, as: 'officer' })).body,
    ).toMatchObject({ status: 400, errors: [{ in: 'query', name: 'limit' }] });
  });
});
