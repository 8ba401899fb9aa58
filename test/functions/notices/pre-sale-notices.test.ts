/**
 * The deployed pre-sale notice: the daily run (through the sparse index), the officers' routes
 * (send now, hold back), delivery outcomes through the API, public notice, and an electronic
 * receipt recorded by the dispatcher, on DynamoDB Local.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbPriceStore, type PriceSnapshot } from '#adapters/dynamodb/price-store';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { confirmCustody, registerCase, requestTransfer, type Transition } from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { SEJONG_SETTINGS } from '../../../local/cities';
import { Decimal, decimal, ZERO } from '#domain/money';
import { createApi } from '../../../functions/api/app';
import { preSaleReceiptRecorder } from '../../../functions/dispatch-notice/receipts';
import { createPreSaleNoticeRun } from '../../../functions/send-pre-sale-notices/app';
import { event, testConfig } from '../../support/api';
import { bill, ctxAt, taxpayer } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const silent = new Logger({ logLevel: 'SILENT' });
/** Cheongju waits 10 days after custody, Sejong none; both with a 30-day window (the cities' settings items). */
beforeAll(async () => {
  for (const [s, wait] of [
    [DEFAULT_CITY_SETTINGS, 10],
    [SEJONG_SETTINGS, 0],
  ] as const) {
    await table.settings.put(
      { ...s, preSaleNoticeDays: 30, preSaleNoticeAfterCustodyDays: wait },
      { expectedVersion: 1, by: 'test-setup', at: '2025-01-02T00:00:00.000Z' },
    );
  }
});
const published: Transition['notices'][number][] = [];
const publishNotices: PublishNotices = async (t) => {
  published.push(...t.notices);
  return { sent: t.notices.map((n) => n.noticeId), failed: [] };
};

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
const prices = () => new DynamoDbPriceStore(table.client, table.tableName);
const pollAt = (at: string) => prices().putPrices([price('KRW-BTC', new Date(at), '140000000')], new Date(at));

let n = 0;
/** A case registered, seized and in custody on `custodyAt`. */
async function inCustody(custodyAt: string, cityId = 'cheongju'): Promise<string> {
  const caseId = `pre-${process.pid}-${++n}`;
  const r = registerCase(
    { cityId, caseId, cityCaseRef: `CJ-${caseId}`, taxpayer, bills: [bill('B1')] },
    ctxAt(custodyAt),
  );
  await table.store.create(r);
  const t1 = requestTransfer(r.case, [{ market: 'KRW-BTC', quantity: decimal('0.05') }], ctxAt(custodyAt));
  await table.store.commit(r.case.version, t1);
  const t2 = confirmCustody(t1.case, { market: 'KRW-BTC', quantity: decimal('0.05') }, ctxAt(custodyAt));
  await table.store.commit(t1.case.version, t2);
  return caseId;
}

const runAt = (at: string) =>
  createPreSaleNoticeRun({
    store: table.store,
    prices: prices(),
    publishNotices,
    cities: ['cheongju', 'sejong'],
    settings: table.settings,
    maxPriceAgeMs: 15 * 60_000,
    logger: silent,
    now: () => new Date(at),
  })();

describe('the daily pre-sale notice run', () => {
  it('sends each case’s notice once its city’s waiting period passed, once per custody, found through the index', async () => {
    const early = await inCustody('2031-03-01T01:00:00Z');
    const late = await inCustody('2031-03-08T01:00:00Z');
    const sejong = await inCustody('2031-03-10T01:00:00Z', 'sejong');
    await pollAt('2031-03-11T00:00:00Z');
    const first = await runAt('2031-03-11T00:00:00Z'); // 09:00 KST on 03-11
    expect(first).toMatchObject({ date: '2031-03-11', sent: 2, failed: 0 });
    expect((await table.store.get('cheongju', early))?.status).toBe('NOTICE_SENT');
    expect((await table.store.get('sejong', sejong))?.status).toBe('NOTICE_SENT');
    expect((await table.store.get('cheongju', late))?.status).toBe('IN_CUSTODY');
    const sentIds = published.filter((p) => p.kind === 'PRE_SALE').map((p) => p.noticeId);
    // A re-run (the Scheduler's retry) sends nothing twice: the cases left the index with their notice.
    expect(await runAt('2031-03-11T00:05:00Z')).toMatchObject({ sent: 0, failed: 0 });
    expect(published.filter((p) => p.kind === 'PRE_SALE').map((p) => p.noticeId)).toEqual(sentIds);
    expect((await table.store.awaitingPreSaleNotice('2031-03-11')).items.map((e) => e.caseId)).toEqual([late]);
    // Ten days after its custody, the other one.
    await pollAt('2031-03-18T00:00:00Z');
    expect(await runAt('2031-03-18T00:00:00Z')).toMatchObject({ sent: 1 });
    expect((await table.store.get('cheongju', late))?.status).toBe('NOTICE_SENT');
    const statement = await table.store.statement('cheongju', early);
    expect(statement?.notices.filter((x) => x.kind === 'PRE_SALE')).toHaveLength(1);
    expect(statement?.case.deadline).toBeUndefined();
  });

  it('waits for a current price: a stale one values no notice, the next run does', async () => {
    const caseId = await inCustody('2031-04-01T01:00:00Z');
    await pollAt('2031-04-11T00:00:00Z');
    expect(await runAt('2031-04-11T02:00:00Z')).toMatchObject({ sent: 0, unpriced: 1 });
    expect((await table.store.get('cheongju', caseId))?.status).toBe('IN_CUSTODY');
    await pollAt('2031-04-12T00:00:00Z');
    expect(await runAt('2031-04-12T00:00:00Z')).toMatchObject({ sent: 1, unpriced: 0 });
  });
});

describe('officers’ routes and delivery outcomes', () => {
  let now = new Date('2031-05-01T01:00:00Z');
  let api: ReturnType<typeof createApi> | undefined;
  const call = async (method: string, path: string, options: Parameters<typeof event>[2]) => {
    api ??= createApi({
      store: table.store,
      settings: table.settings,
      config: testConfig(table.tableName),
      logger: silent,
      prices: prices(),
      publishNotices,
      now: () => now,
    });
    const result = await api(event(method, path, options));
    return {
      status: result.statusCode,
      body: JSON.parse(result.body) as Record<string, unknown> & {
        preSaleNotice?: Record<string, unknown>;
        deadline?: string;
        status?: string;
        code?: string;
      },
    };
  };

  it('an officer sends one case’s notice now, or holds it back from the daily run', async () => {
    const held = await inCustody('2031-05-01T01:00:00Z');
    const now1 = await inCustody('2031-05-01T01:00:00Z');
    await pollAt('2031-05-01T00:55:00Z');
    expect(
      (
        await call('POST', `/cases/${held}/pre-sale-notice/hold-back`, {
          body: { cityId: 'cheongju', reason: '주소 확인 중' },
          as: 'city',
        })
      ).status,
    ).toBe(403);
    const holdBack = await call('POST', `/cases/${held}/pre-sale-notice/hold-back`, {
      body: { cityId: 'cheongju', reason: '주소 확인 중' },
      as: 'officer',
    });
    expect(holdBack.status).toBe(200);
    expect(holdBack.body).toMatchObject({ status: 'IN_CUSTODY', preSaleNoticeHeld: { reason: '주소 확인 중' } });
    // Sent now, whatever the 10-day wait; a second "send now" is refused (one notice per custody).
    const sent = await call('POST', `/cases/${now1}/pre-sale-notice`, { body: { cityId: 'cheongju' }, as: 'officer' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'NOTICE_SENT', preSaleNotice: { issuedOn: '2031-05-01' } });
    expect(sent.body.deadline).toBeUndefined();
    expect(
      (await call('POST', `/cases/${now1}/pre-sale-notice`, { body: { cityId: 'cheongju' }, as: 'officer' })).status,
    ).toBe(409);
    // The daily run passes the held case by; released, it is sent.
    await pollAt('2031-05-11T00:00:00Z');
    await runAt('2031-05-11T00:00:00Z');
    expect((await table.store.get('cheongju', held))?.status).toBe('IN_CUSTODY');
    now = new Date('2031-05-11T01:00:00Z');
    expect(
      (await call('DELETE', `/cases/${held}/pre-sale-notice/hold-back`, { query: { city: 'cheongju' }, as: 'officer' }))
        .status,
    ).toBe(200);
    await pollAt('2031-05-11T01:00:00Z');
    expect(await runAt('2031-05-11T01:01:00Z')).toMatchObject({ sent: 1 });
    expect((await table.store.get('cheongju', held))?.status).toBe('NOTICE_SENT');
  });

  it('the deadline runs from the delivery the city’s system relays; a failed one leads to public notice, effective 14 days after posting', async () => {
    now = new Date('2031-06-01T01:00:00Z');
    await pollAt('2031-06-01T00:55:00Z');
    const a = await inCustody('2031-06-01T01:00:00Z');
    const b = await inCustody('2031-06-01T01:00:00Z');
    const noticeOf = async (caseId: string) =>
      String(
        (await call('POST', `/cases/${caseId}/pre-sale-notice`, { body: { cityId: 'cheongju' }, as: 'officer' })).body
          .preSaleNotice?.noticeId,
      );
    const na = await noticeOf(a);
    const nb = await noticeOf(b);
    now = new Date('2031-06-05T01:00:00Z');
    expect(
      (
        await call('POST', `/cases/${a}/notices/${na}/delivery`, {
          body: { cityId: 'cheongju', outcome: 'DELIVERED', on: '2031-06-09' },
        })
      ).body.code,
    ).toBe('INVALID_DELIVERY_DATE');
    expect(
      (
        await call('POST', `/cases/${a}/notices/${na}/delivery`, {
          body: { cityId: 'cheongju', outcome: 'LOST', on: '2031-06-04' },
        })
      ).status,
    ).toBe(400);
    const delivered = await call('POST', `/cases/${a}/notices/${na}/delivery`, {
      body: { cityId: 'cheongju', outcome: 'DELIVERED', on: '2031-06-04' },
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({
      deadline: '2031-07-04',
      preSaleNotice: { deliveredOn: '2031-06-04', effectiveOn: '2031-06-04' },
    });
    // Due only after the deadline counted from delivery.
    expect((await table.store.dueByDeadline('2031-07-05')).items.map((e) => e.caseId)).toContain(a);
    expect((await table.store.dueByDeadline('2031-07-04')).items.map((e) => e.caseId)).not.toContain(a);

    const failed = await call('POST', `/cases/${b}/notices/${nb}/delivery`, {
      body: { cityId: 'cheongju', outcome: 'FAILED', on: '2031-06-04', reason: '수취인 불명' },
    });
    expect(failed.body).toMatchObject({
      status: 'NOTICE_SENT',
      preSaleNotice: { failed: { on: '2031-06-04', reason: '수취인 불명' } },
    });
    expect(failed.body.deadline).toBeUndefined();
    expect(
      (
        await call('POST', `/cases/${b}/notices/${nb}/public-notice`, {
          body: { cityId: 'cheongju', postedOn: '2031-06-05' },
        })
      ).status,
    ).toBe(403);
    const posted = await call('POST', `/cases/${b}/notices/${nb}/public-notice`, {
      body: { cityId: 'cheongju', postedOn: '2031-06-05' },
      as: 'officer',
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({
      preSaleNotice: { publicNotice: { postedOn: '2031-06-05', effectiveOn: '2031-06-19' }, effectiveOn: '2031-06-19' },
      deadline: '2031-07-19',
    });
    expect((await table.store.dueByDeadline('2031-07-19')).items.map((e) => e.caseId)).not.toContain(b);
    expect((await table.store.dueByDeadline('2031-07-20')).items.map((e) => e.caseId)).toContain(b);
  });

  it('an e-mail’s receipt, recorded by the dispatcher, starts the deadline; a repeat changes nothing', async () => {
    now = new Date('2031-07-01T01:00:00Z');
    await pollAt('2031-07-01T00:55:00Z');
    const c = await inCustody('2031-07-01T01:00:00Z');
    const noticeId = String(
      (await call('POST', `/cases/${c}/pre-sale-notice`, { body: { cityId: 'cheongju' }, as: 'officer' })).body
        .preSaleNotice?.noticeId,
    );
    const record = preSaleReceiptRecorder({
      store: table.store,
      settings: table.settings,
      now: () => new Date('2031-07-01T02:00:00Z'),
    });
    await record({ cityId: 'cheongju', caseId: c, noticeId }, 'PRE_SALE', '2031-07-01T01:30:00.000Z');
    const after = await table.store.get('cheongju', c);
    expect(after).toMatchObject({ deadline: '2031-07-31', preSaleNotice: { deliveredOn: '2031-07-01' } });
    await record({ cityId: 'cheongju', caseId: c, noticeId }, 'PRE_SALE', '2031-07-01T01:30:00.000Z');
    expect((await table.store.get('cheongju', c))?.version).toBe(after?.version);
  });
});
