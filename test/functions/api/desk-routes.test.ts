/**
 * GET /sale-desks: officers and auditors follow a city's desks of a day, and (with market) one
 * desk's members, orders and each case's share, read from the desk's records (DynamoDB
 * Local, written by the desk store as the desk's steps write them).
 */
import { Decimal, ZERO } from '#domain/money';
import {
  DeskStore,
  deskIdOf,
  deskOrderIdentifier,
  openDesk,
  plannedShare,
  finalShare,
  type DeskMember,
  type DeskOrder,
  type DeskRecord,
} from '#adapters/dynamodb/desk-store';
import { knownExecutions, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
let desks: DeskStore;
const deskExecutions = knownExecutions(['cheongju_desk_KRW-BTC_20260915']);
const api = testApi(table, '2026-09-15T03:00:00Z', {
  get desks() {
    return desks;
  },
  deskExecutions,
});
const CITY = 'cheongju';
const DAY = '2026-09-15';
const MARKET = 'KRW-BTC';
const deskId = deskIdOf(MARKET, DAY);
const at = (m: number) => new Date(Date.parse('2026-09-15T00:30:00Z') + m * 60_000).toISOString();

const member = (caseId: string, offered: string): DeskMember => ({
  cityId: CITY,
  deskId,
  caseId,
  saleId: `${caseId}-sale-1`,
  offered: new Decimal(offered),
  status: 'ACTIVE',
  joinedAt: at(0),
  joinedAtSlice: 0,
  sold: {},
});
const open = (current: DeskRecord | undefined): DeskRecord =>
  openDesk(current, { cityId: CITY, deskId, market: MARKET, day: DAY }, new Date(at(0)));

function order(slice: number, offers: [string, string][]): DeskOrder {
  return {
    identifier: deskOrderIdentifier(CITY, deskId, slice),
    cityId: CITY,
    caseId: 'desk',
    saleId: deskId,
    slice,
    market: MARKET,
    volume: offers.reduce((s, [, q]) => s.add(q), ZERO),
    limitPrice: new Decimal('140000000'),
    binding: 'PARTICIPATION',
    referencePrice: new Decimal('140100000'),
    status: 'PLANNED',
    plannedAt: at(slice),
    sendAttempts: 0,
    offers: offers.map(([caseId, q]) => ({ caseId, quantity: new Decimal(q) })),
    volumePerMinute: new Decimal('2'),
  };
}

beforeAll(async () => {
  desks = new DeskStore(table.client, table.tableName);
  await desks.join(member('cA', '0.3'), open);
  await desks.join({ ...member('cB', '0.1'), floorPrice: new Decimal('139000000') }, open);
  // Slice 1: planned for both, final with its fills split between them.
  let desk = (await desks.get(CITY, deskId))!;
  const first = order(1, [
    ['cA', '0.03'],
    ['cB', '0.01'],
  ]);
  desk = await desks.planOrder(
    { ...desk, sliceCount: 1, openOrders: [first.identifier] },
    first,
    first.offers.map((o) => plannedShare(first, o, `${o.caseId}-sale-1`)),
  );
  const done: DeskOrder = {
    ...first,
    status: 'DONE',
    executedVolume: new Decimal('0.04'),
    grossKrw: new Decimal('5600000'),
    feeKrw: new Decimal('2800'),
    allocation: [
      {
        caseId: 'cA',
        quantity: new Decimal('0.03'),
        grossKrw: new Decimal('4200000'),
        feeKrw: new Decimal('2100'),
        trades: [],
      },
      {
        caseId: 'cB',
        quantity: new Decimal('0.01'),
        grossKrw: new Decimal('1400000'),
        feeKrw: new Decimal('700'),
        trades: [],
      },
    ],
  };
  desk = (await desks.closeOrder(
    done,
    ['PLANNED'],
    first.offers.map((o) => finalShare(plannedShare(first, o, `${o.caseId}-sale-1`), done, new Date(at(2)))),
    desk,
  ))!;
  // Slice 2: planned, not yet final; then case B leaves (a hold).
  const second = order(2, [['cA', '0.02']]);
  await desks.planOrder({ ...desk, sliceCount: 2, openOrders: [second.identifier] }, second, [
    plannedShare(second, second.offers[0]!, 'cA-sale-1'),
  ]);
  await desks.withdraw(CITY, deskId, 'cB', 'ON_HOLD');
});

describe('GET /sale-desks', () => {
  it('lists the city’s desks of the day with run, members, what they sold, orders and participation', async () => {
    const res = await api.call('GET', '/sale-desks', { query: { city: CITY, day: DAY }, as: 'officer' });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        deskId,
        market: MARKET,
        status: 'RUNNING',
        run: 1,
        execution: `${CITY}_desk_${MARKET}_20260915`,
        members: { active: 1, withdrawn: 1, done: 0 },
        slices: 2,
        openOrders: 1,
        orders: 1,
        soldQuantity: '0.04',
        grossKrw: '5600000',
        maxParticipation: '0.02',
      }),
    ]);
    // Another day has none; an auditor reads it too.
    const before = await api.call('GET', '/sale-desks', { query: { city: CITY, day: '2026-09-14' }, as: 'auditor' });
    expect(before).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('is for the city’s officers and auditors only, and refuses a bad day', async () => {
    expect((await api.call('GET', '/sale-desks', { query: { city: CITY, day: DAY }, as: 'city' })).status).toBe(403);
    expect(
      (await api.call('GET', '/sale-desks', { query: { city: CITY, day: DAY }, as: 'sejongOfficer' })).status,
    ).toBe(403);
    expect(
      (await api.call('GET', '/sale-desks', { query: { city: 'sejong', day: DAY }, as: 'sejongOfficer' })).body,
    ).toEqual({ items: [] });
    const bad = await api.call('GET', '/sale-desks', { query: { city: CITY, day: '2026-02-30' }, as: 'officer' });
    expect(bad.status).toBe(400);
    expect(bad.headers['Content-Type'] ?? bad.headers['content-type']).toContain('problem+json');
  });
});

describe('GET /sale-desks with market: one desk', () => {
  const get = (query: Record<string, string>, as: 'officer' | 'city' | 'sejongOfficer' = 'officer') =>
    api.call('GET', '/sale-desks', { query: { city: CITY, day: DAY, market: MARKET, ...query }, as });
  const desk = async (query: Record<string, string>, as: 'officer' | 'auditor' = 'officer') => {
    const res = await api.call('GET', '/sale-desks', { query: { city: CITY, day: DAY, market: MARKET, ...query }, as });
    expect(res.status).toBe(200);
    const items = res.body.items as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    return items[0]!;
  };

  it('shows the members with what each offered and sold, and the orders newest first with each case’s share, page by page', async () => {
    const page1 = await desk({ limit: '1' });
    expect(page1).toMatchObject({ deskId, members: { active: 1, withdrawn: 1, done: 0 } });
    expect(page1.memberList).toEqual([
      expect.objectContaining({ caseId: 'cA', status: 'ACTIVE', offered: '0.3', sold: '0.03' }),
      expect.objectContaining({
        caseId: 'cB',
        status: 'WITHDRAWN',
        reason: 'ON_HOLD',
        floorPrice: '139000000',
        sold: '0.01',
      }),
    ]);
    expect(page1.orderList).toEqual([
      expect.objectContaining({
        slice: 2,
        status: 'PLANNED',
        volume: '0.02',
        shares: [{ caseId: 'cA', offered: '0.02' }],
      }),
    ]);
    expect(page1.cursor).toBe('2');
    const page2 = await desk({ limit: '1', cursor: '2' }, 'auditor');
    expect(page2.orderList).toEqual([
      expect.objectContaining({
        slice: 1,
        status: 'DONE',
        executedVolume: '0.04',
        participation: '0.02',
        shares: [
          { caseId: 'cA', offered: '0.03', quantity: '0.03', grossKrw: '4200000', feeKrw: '2100' },
          { caseId: 'cB', offered: '0.01', quantity: '0.01', grossKrw: '1400000', feeKrw: '700' },
        ],
      }),
    ]);
    expect(page2.cursor).toBeUndefined();
    // Without a limit, both orders in one page.
    expect(((await desk({})).orderList as { slice: number }[]).map((o) => o.slice)).toEqual([2, 1]);
  });

  it('pages the members by case id', async () => {
    const first = await desk({ memberLimit: '1' });
    expect((first.memberList as { caseId: string }[]).map((m) => m.caseId)).toEqual(['cA']);
    expect(first.members).toEqual({ active: 1, withdrawn: 1, done: 0 });
    expect(first.memberCursor).toBe('cA');
    const second = await desk({ memberLimit: '1', memberCursor: 'cA' });
    expect((second.memberList as { caseId: string }[]).map((m) => m.caseId)).toEqual(['cB']);
    expect(second).not.toHaveProperty('memberCursor');
    // A page of exactly what is left has no cursor either.
    expect(await desk({ memberLimit: '2' })).not.toHaveProperty('memberCursor');
    for (const memberLimit of ['0', '101', 'x']) expect((await get({ memberLimit })).status).toBe(400);
  });

  it('lists the desk’s runs of the day and shows one run state by state as Step Functions ran it', async () => {
    const name = 'cheongju_desk_KRW-BTC_20260915';
    const detail = await desk({});
    expect(detail.runs).toEqual([{ run: 1, name }]);
    expect(detail.executionStates).toMatchObject({
      run: 1,
      name,
      status: 'SUCCEEDED',
      states: [{ state: 'Settle', status: 'SUCCEEDED' }],
    });
    expect(deskExecutions.asked.at(-1)).toBe(name);
    // A run the desk has not had: none shown, nothing read.
    const asked = deskExecutions.asked.length;
    expect(await desk({ run: '2' })).not.toHaveProperty('executionStates');
    expect(deskExecutions.asked).toHaveLength(asked);
    expect((await get({ run: '0' })).status).toBe(400);
  });

  it('refuses a malformed market or cursor (400); another market, day or city has no desk; other roles and cities are refused (403)', async () => {
    expect((await get({ market: 'btc' })).status).toBe(400);
    for (const cursor of ['0', 'abc', '1e3', '-1']) expect((await get({ cursor })).status).toBe(400);
    expect((await get({ limit: '51' })).status).toBe(400);
    expect((await get({ market: 'KRW-ETH' })).body).toEqual({ items: [] });
    expect((await get({ day: '2026-09-16' })).body).toEqual({ items: [] });
    expect((await get({ city: 'sejong' }, 'sejongOfficer')).body).toEqual({ items: [] });
    expect((await get({}, 'sejongOfficer')).status).toBe(403);
    expect((await get({}, 'city')).status).toBe(403);
  });
});
