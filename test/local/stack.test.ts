/**
 * The local stack end to end: started as `npm start` starts it (DynamoDB Local, local SQS, the
 * exchange simulator, the API on localhost, schedules on the shared clock), one case driven through
 * the HTTP API with the local credentials to settlement, then stopped with nothing left running.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentials } from '../../local/credentials';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runOps } from '../../local/ops';
import { readStatements, summarize } from '../../local/summary';
import { runTimeline } from '../../local/timeline';

// DynamoDB Local's start and, on a fresh clone, one CDK synth of the sale state machine (cached after).
jest.setTimeout(120_000);

const CITY = 'cheongju';
const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local stack', () => {
  let stack: LocalStack | undefined;
  let stateDir: string;
  let pids: (number | undefined)[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    stack = await startLocalStack({ start: '2026-09-14T10:00:00+09:00', stateDir, preSaleNoticesFrom: '2026-09-15' });
    pids = [stack.dynamodb.pid, stack.sqs.pid];
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const s = () => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  it('creates a credentials file naming a city-system key and an officer key, and refuses a request without a valid key', async () => {
    const credentials = readCredentials(join(stateDir, 'credentials.json'));
    expect(credentials.keys.map((k) => k.role).sort()).toEqual(['CITY_SYSTEM', 'OFFICER']);
    const bare = await fetch(`${s().api.url}/cases?city=${CITY}`);
    expect(bare.status).toBe(401);
    const wrong = await fetch(`${s().api.url}/cases?city=${CITY}`, { headers: { authorization: 'Bearer not-a-key-of-this-stack-0000000000' } });
    expect(wrong.status).toBe(401);
    // An officer may not register a case: the role comes from the key, never a default.
    await expect(s().officer.post('/cases', { cityId: CITY, taxpayer: { ref: 'T-1', name: '김납세' }, bills: [] })).rejects.toMatchObject({ status: 403 });
  });

  it('drives one case through the API to settlement by a sale, with its notices written to the outbox folder', async () => {
    const { city, officer } = s();
    const registered = await city.post<{ caseId: string; status: string }>('/cases', {
      cityId: CITY,
      cityCaseRef: 'CJ-LOCAL-1',
      taxpayer: { ref: 'TP-LOCAL-1', name: '김납세', contact: { phone: '010-0000-0001' } },
      bills: [{ billId: 'B-2025-1', taxItem: '지방소득세', dueDate: '2025-05-31', cost: '5000', tax: '1200000', surcharge: '36000', surchargeAsOf: '2026-08-31' }],
    });
    const caseId = registered.caseId;
    const bids = await s().bids(['KRW-ETH']);
    const quantity = '2.50000000';
    expect(bids['KRW-ETH']?.mul(quantity).gt('3000000')).toBe(true);
    await city.post(`/cases/${caseId}/seizures`, { cityId: CITY, seizures: [{ market: 'KRW-ETH', quantity }] });
    s().exchange.accounts.credit('ETH', quantity, s().exchangeKeys.accessKey);
    const custody = await city.post<{ status: string }>(`/cases/${caseId}/custody`, { cityId: CITY, market: 'KRW-ETH', quantity });
    expect(custody.status).toBe('IN_CUSTODY');

    // The next morning the pre-sale notice goes out; two days later the taxpayer asks the city to sell now.
    await runTimeline(s(), { until: new Date('2026-09-15T09:30:00+09:00') });
    expect((await officer.get<{ status: string }>(`/cases/${caseId}`, { city: CITY })).status).toBe('NOTICE_SENT');
    s().scheduler.at(new Date('2026-09-17T11:00:00+09:00'), 'sale request', () => city.post(`/cases/${caseId}/sale-requests`, { cityId: CITY, limitPrices: {}, evidence: { relayedBy: 'clerk-7', receivedAt: '2026-09-17T10:30:00+09:00', channel: 'IN_PERSON' } }));
    await runTimeline(s(), { until: new Date('2026-09-18T12:00:00+09:00'), done: async () => (await s().store.get(CITY, caseId))?.status === 'SETTLED' && (await s().pendingNotices()) === 0 });

    const statement = await officer.get<{ status: string; totals: { outstanding: string; allocated: string; saleGrossKrw: string }; releases: { market: string; reason: string }[]; sales: unknown[] }>(`/cases/${caseId}/statement`, { city: CITY });
    expect(statement.status).toBe('SETTLED');
    expect(statement.totals.outstanding).toBe('0');
    expect(statement.sales).toHaveLength(1);
    // Only what the arrears needed was sold: the rest of the ETH goes back.
    expect(statement.releases).toEqual([expect.objectContaining({ market: 'KRW-ETH', reason: 'SURPLUS' })]);

    const summary = summarize(CITY, await readStatements(s().store, CITY));
    expect(summary).toMatchObject({ cases: 1, byState: { SETTLED: 1 }, balanced: true });
    expect(summary.recoveredKrw).toBe(statement.totals.allocated);
    expect(summary.saleQuality).toMatchObject({ sales: 1, measured: 1 });

    // The sale ran on the synthesized state machine: the officers' console shows it state by state.
    const runs = await officer.get<{ runs: { status: string; orders: unknown[]; execution: { status: string; history: { state?: string }[] } }[] }>('/_local/sales', { city: CITY, case: caseId });
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]?.execution.status).toBe('SUCCEEDED');
    const states = runs.runs[0]?.execution.history.map((e) => e.state) ?? [];
    expect(states).toEqual(expect.arrayContaining(['LoadCase', 'QuoteMarket', 'PlaceOrder', 'ReconcileOrder', 'Settle', 'NotifyResult']));
    expect(s().exchange.orders.all().length).toBe(runs.runs[0]?.orders.length);

    // Every notice was rendered into the local outbox folder (seizure ×2, pre-sale, sale result).
    expect(await s().pendingNotices()).toBe(0);
    const files = readdirSync(join(s().dirs.outbox, CITY, caseId)).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBe(summary.notices.total);
    expect(summary.notices.byKind).toMatchObject({ SEIZURE: 2, PRE_SALE: 1, SALE_RESULT: 1 });
    expect(files.map((f) => readFileSync(join(s().dirs.outbox, CITY, caseId, f), 'utf8')).some((t) => t.includes('매각'))).toBe(true);

    // The officers' CLI reads the same case through the API with the officer key.
    const lines: string[] = [];
    expect(await runOps(['show', caseId, '--state-dir', stateDir], (l = '') => void lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('SETTLE_SALE');
    lines.length = 0;
    expect(await runOps(['sales', caseId, '--state-dir', stateDir], (l = '') => void lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/execution .* \(SUCCEEDED\)/);
  });

  it('pays, and an officer holds a case, through the API', async () => {
    const { city, officer, scheduler } = s();
    const registered = await city.post<{ caseId: string }>('/cases', {
      cityId: CITY,
      cityCaseRef: 'CJ-LOCAL-2',
      taxpayer: { ref: 'TP-LOCAL-2', name: '이납세', contact: {} },
      bills: [{ billId: 'B-2025-2', taxItem: '자동차세', dueDate: '2025-06-30', cost: '0', tax: '300000', surcharge: '9000', surchargeAsOf: '2026-08-31' }],
    });
    const lines: string[] = [];
    expect(await runOps(['hold', registered.caseId, 'APPEAL', '이의신청', '--state-dir', stateDir], (l = '') => void lines.push(l))).toBe(0);
    expect((await officer.get<{ status: string }>(`/cases/${registered.caseId}`, { city: CITY })).status).toBe('ON_HOLD');
    let paid = '';
    scheduler.at(s().clock.nowMs() + 60_000, 'payment', async () => {
      const now = await city.get<{ arrears: { projected: string } }>(`/cases/${registered.caseId}`, { city: CITY });
      paid = now.arrears.projected;
      await city.post(`/cases/${registered.caseId}/payments`, { cityId: CITY, paymentId: 'RCPT-2', amount: paid, receivedOn: '2026-09-18' });
    });
    await runTimeline(s(), { until: new Date(s().clock.nowMs() + 3_600_000) });
    expect((await officer.get<{ status: string }>(`/cases/${registered.caseId}`, { city: CITY })).status).toBe('PAID');
    expect(summarize(CITY, await readStatements(s().store, CITY))).toMatchObject({ cases: 2, byState: { SETTLED: 1, PAID: 1 }, balanced: true });
  });

  it('refuses a change without an idempotency key as the API does', async () => {
    const answer = await fetch(`${s().api.url}/cases`, { method: 'POST', headers: { authorization: `Bearer ${s().credentials.keys[0]?.key}`, 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('stops everything it started', async () => {
    const st = s();
    await st.stop();
    stack = undefined;
    expect(pids.every((pid) => pid !== undefined)).toBe(true);
    // DynamoDB Local (Java) and the SQS server (a Node child) are gone.
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
    await expect(fetch(`${st.api.url}/cases?city=${CITY}`)).rejects.toThrow();
  });
});
