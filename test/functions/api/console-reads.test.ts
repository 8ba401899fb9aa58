/**
 * The officers' console reads: the filtered case listing, sale runs, and officers signed in with
 * Cognito (their ID token's claims, as API Gateway's authorizer hands them over, name the role, the
 * cities and the actor recorded).
 */
import { Decimal } from '#domain/money';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { openedSale } from '../../support/cases';
import { consoleCallerOf } from '../../../functions/api/roles';
import { proxyEvent } from '../../../functions/api/proxy-event';
import { knownExecutions, registerCaseVia, testApi } from '../../support/api';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

const officerClaims = (over: Record<string, string> = {}) => ({
  token_use: 'id',
  sub: 'a1b2',
  iss: 'https://cognito-idp.ap-northeast-2.amazonaws.com/pool',
  'cognito:username': 'kim.officer',
  'cognito:groups': '[officer]',
  'custom:cities': 'cheongju',
  ...over,
});

describe('officers signed in with Cognito', () => {
  it('maps group and cities from the ID token and records the signed-in officer as the actor', async () => {
    expect(consoleCallerOf(officerClaims())).toMatchObject({
      role: 'OFFICER',
      cities: ['cheongju'],
      identity: 'kim.officer',
    });
    expect(consoleCallerOf(officerClaims({ 'cognito:groups': 'auditor' }))).toMatchObject({ role: 'AUDITOR' });
    // An access token, no group, two roles, a group that is no role, no city: nobody.
    const bads: Record<string, string>[] = [
      { token_use: 'access' },
      { 'cognito:groups': '' },
      { 'cognito:groups': '[officer auditor]' },
      { 'cognito:groups': 'city-system' },
      { 'custom:cities': '' },
    ];
    for (const bad of bads) expect(consoleCallerOf(officerClaims(bad))).toBeUndefined();

    const caseId = await registerCaseVia(api);
    const asOfficer = (method: string, path: string, body: unknown, claims = officerClaims()) =>
      api.handler(
        proxyEvent({
          method,
          path,
          headers: { 'content-type': 'application/json', 'Idempotency-Key': `k-${Math.random()}` },
          body: JSON.stringify(body),
          userArn: null,
          claims,
        }),
      );
    const held = await asOfficer('POST', `/cases/${caseId}/holds`, {
      cityId: 'cheongju',
      kind: 'APPEAL',
      reason: '이의신청',
    });
    expect(held.statusCode).toBe(201);
    expect((await table.store.statement('cheongju', caseId))?.audit.at(-1)).toMatchObject({
      action: 'PLACE_HOLD',
      actor: { kind: 'OFFICER', id: 'kim.officer' },
    });
    // Another city's officer, and an auditor acting: refused.
    expect(
      (
        await asOfficer(
          'POST',
          `/cases/${caseId}/cancel`,
          { cityId: 'cheongju', reason: 'x' },
          officerClaims({ 'custom:cities': 'sejong' }),
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await asOfficer(
          'POST',
          `/cases/${caseId}/cancel`,
          { cityId: 'cheongju', reason: 'x' },
          officerClaims({ 'cognito:groups': 'auditor' }),
        )
      ).statusCode,
    ).toBe(403);
  });
});

describe('GET /cases with the console’s filters', () => {
  it('names each case’s taxpayer and coins, and filters by taxpayer, coin and deadline', async () => {
    const a = await registerCaseVia(api, {
      taxpayer: { ref: 'TP-FILTER-A', name: '김갑', contact: { address: '청주시 상당구 1' } },
    });
    const b = await registerCaseVia(api, {
      taxpayer: { ref: 'TP-FILTER-B', name: '이을', contact: { address: '청주시 상당구 2' } },
    });
    await api.call('POST', `/cases/${b}/seizures`, {
      body: { cityId: 'cheongju', seizures: [{ market: 'KRW-BTC', quantity: '0.5' }] },
    });
    const all = await api.call('GET', '/cases', {
      query: { city: 'cheongju', detail: 'true', limit: '100' },
      as: 'officer',
    });
    expect(all.status).toBe(200);
    const items = all.body.items as { caseId: string; taxpayerRef?: string; markets?: string[] }[];
    expect(items.find((i) => i.caseId === a)).toMatchObject({ taxpayerRef: 'TP-FILTER-A', markets: [] });
    expect(items.find((i) => i.caseId === b)).toMatchObject({ taxpayerRef: 'TP-FILTER-B', markets: ['KRW-BTC'] });
    const byRef = await api.call('GET', '/cases', {
      query: { city: 'cheongju', taxpayerRef: 'TP-FILTER-A', limit: '100' },
      as: 'officer',
    });
    expect((byRef.body.items as { caseId: string }[]).map((i) => i.caseId)).toEqual([a]);
    const byCoin = await api.call('GET', '/cases', {
      query: { city: 'cheongju', coin: 'BTC', limit: '100' },
      as: 'officer',
    });
    expect((byCoin.body.items as { caseId: string }[]).map((i) => i.caseId)).toEqual([b]);
    // Neither has a deadline yet.
    const soon = await api.call('GET', '/cases', {
      query: { city: 'cheongju', deadlineWithinDays: '30', limit: '100' },
      as: 'officer',
    });
    expect(soon.body.items).toEqual([]);
    const bad = await api.call('GET', '/cases', {
      query: { city: 'cheongju', coin: 'btc!', deadlineWithinDays: '-1' },
      as: 'officer',
    });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { name: string }[]).map((e) => e.name).sort()).toEqual(['coin', 'deadlineWithinDays']);
  });

  it('filters the whole listing, not the page: each page is full of matches and the cursor goes on over them', async () => {
    // Twelve cases; three hold XRP, far apart in the listing.
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(
        await registerCaseVia(api, {
          taxpayer: { ref: `TP-PAGE-${i}`, name: '박병', contact: { address: '청주시 흥덕구 3' } },
        }),
      );
    const xrp = [ids[1], ids[6], ids[11]] as string[];
    for (const caseId of xrp)
      await api.call('POST', `/cases/${caseId}/seizures`, {
        body: { cityId: 'cheongju', seizures: [{ market: 'KRW-XRP', quantity: '1000' }] },
      });
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call('GET', '/cases', {
        query: { city: 'cheongju', coin: 'XRP', limit: '2', ...(cursor ? { cursor } : {}) },
        as: 'officer',
      });
      expect(page.status).toBe(200);
      pages.push((page.body.items as { caseId: string }[]).map((i) => i.caseId));
      cursor = page.body.cursor as string | undefined;
    } while (cursor && pages.length < 10);
    // The first page holds two matches though no two of the first cases listed hold XRP.
    expect(pages[0]).toHaveLength(2);
    expect(pages.flat().sort()).toEqual([...xrp].sort());
    expect(pages.slice(1).flat()).toHaveLength(1);
  });
});

describe('sale runs', () => {
  it('lists a city’s running sales with approvals needed, shows one with its slices and pauses, and keeps to the caller’s city', async () => {
    const caseId = await registerCaseVia(api);
    // A case selling, as the sale workflow leaves it: its sale record waiting for approval.
    const c = await table.store.get('cheongju', caseId);
    if (!c) throw new Error('no case');
    const saleId = `${caseId}-sale-1`;
    await table.store.commit(c.version, {
      case: { ...c, status: 'SELLING', saleId, saleAttempts: 1, version: c.version + 1 },
      audit: {
        at: '2025-09-01T00:00:00.000Z',
        action: 'START_SALE',
        before: c.status,
        after: 'SELLING',
        actor: { kind: 'SYSTEM', id: 'deadline' },
        details: {},
      },
      ledger: [],
      notices: [],
      releases: [],
    } as never);
    const sale = openedSale('cheongju', caseId, {
      status: 'AWAITING_APPROVAL',
      pauses: [{ at: '2025-09-01T00:05:00.000Z', market: 'KRW-BTC', reason: 'spread too wide', action: 'PAUSE' }],
      pauseCount: 1,
      approval: { requestedAt: '2025-09-01T00:01:00.000Z', plannedValueKrw: new Decimal('600000000') },
    });
    await new DynamoDbSaleStore(table.client, table.tableName).create(sale);
    const list = await api.call('GET', '/sales', {
      query: { city: 'cheongju', awaitingApproval: 'true' },
      as: 'officer',
    });
    expect(list.status).toBe(200);
    const run = (list.body.items as { caseId: string; approval: { needed: number } }[]).find(
      (i) => i.caseId === caseId,
    );
    expect(run).toMatchObject({
      saleId,
      status: 'AWAITING_APPROVAL',
      approval: { needed: 2, approvedBy: [] },
      pauses: 1,
    });
    const one = await api.call('GET', `/sales/${caseId}/${saleId}`, { query: { city: 'cheongju' }, as: 'auditor' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      pauseLog: [{ market: 'KRW-BTC', reason: 'spread too wide', action: 'PAUSE' }],
      slicesLog: [],
    });
    expect(
      (await api.call('GET', `/sales/${caseId}/${caseId}-sale-9`, { query: { city: 'cheongju' }, as: 'officer' }))
        .status,
    ).toBe(404);
    expect(
      (await api.call('GET', `/sales/${caseId}/${saleId}`, { query: { city: 'cheongju' }, as: 'sejongOfficer' }))
        .status,
    ).toBe(403);
    expect((await api.call('GET', '/sales', { query: { city: 'sejong' }, as: 'officer' })).status).toBe(403);
  });

  it('lists a long sale’s executions, one a day, and shows any of them state by state', async () => {
    const caseId = await registerCaseVia(api);
    const saleId = `${caseId}-sale-1`;
    const name = (n: number) => saleExecutionName('cheongju', saleId, n);
    // The first and the current (third) execution have a history; the second's cannot be read.
    const executions = knownExecutions([name(0), name(2)]);
    const reader = testApi(table, '2025-09-01T00:00:00Z', { executions });
    await new DynamoDbSaleStore(table.client, table.tableName).create(
      openedSale('cheongju', caseId, { continuations: 2, executionName: name(2) }),
    );
    const detail = (query: Record<string, string> = {}) =>
      reader.call('GET', `/sales/${caseId}/${saleId}`, { query: { city: 'cheongju', ...query }, as: 'officer' });
    const current = await detail();
    expect(current.status).toBe(200);
    expect(current.body.executions).toEqual(
      [0, 1, 2].map((continuation) => ({ continuation, name: name(continuation) })),
    );
    expect(current.body.execution).toMatchObject({ continuation: 2, name: name(2), states: [{ state: 'Settle' }] });
    const first = await detail({ execution: '0' });
    expect(first.body.execution).toMatchObject({ continuation: 0, name: name(0), status: 'SUCCEEDED' });
    expect(executions.asked.at(-1)).toBe(`cheongju_${saleId}`);
    // Unreadable: the sale is shown without it.
    const second = await detail({ execution: '1' });
    expect(second.status).toBe(200);
    expect(second.body).not.toHaveProperty('execution');
    expect((await detail({ execution: '3' })).status).toBe(404);
    for (const execution of ['-1', 'c1', '01', '']) expect((await detail({ execution })).status).toBe(400);
  });
});
