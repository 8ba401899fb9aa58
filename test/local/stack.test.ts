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
import { readStatements, summarize } from '../../local/summary';
import { runTimeline } from '../../local/timeline';

jest.setTimeout(90_000);

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

  it('drives one case through the API to settlement, with its notices written to the outbox folder', async () => {
    const { city, officer, clock, scheduler } = s();
    const registered = await city.post<{ caseId: string; status: string }>('/cases', {
      cityId: CITY,
      taxpayer: { ref: 'TP-LOCAL-1', name: '김납세', contact: { phone: '010-0000-0001' } },
      bills: [{ billId: 'B-2025-1', taxItem: '지방소득세', dueDate: '2025-05-31', cost: '5000', tax: '1200000', surcharge: '36000', surchargeAsOf: '2026-08-31' }],
    });
    const caseId = registered.caseId;
    const bids = await s().bids(['KRW-ETH']);
    const quantity = '2.50000000';
    expect(bids['KRW-ETH']?.mul(quantity).gt('1300000')).toBe(true);
    await city.post(`/cases/${caseId}/seizures`, { cityId: CITY, seizures: [{ market: 'KRW-ETH', quantity }] });
    s().exchange.accounts.credit('ETH', quantity, s().exchangeKeys.accessKey);
    const custody = await city.post<{ status: string }>(`/cases/${caseId}/custody`, { cityId: CITY, market: 'KRW-ETH', quantity });
    expect(custody.status).toBe('IN_CUSTODY');

    // The next morning the pre-sale notice goes out; the taxpayer then pays in full.
    await runTimeline(s(), { until: new Date('2026-09-15T09:30:00+09:00') });
    const noticed = await officer.get<{ status: string; deadline: string; arrears: { projected: string } }>(`/cases/${caseId}`, { city: CITY });
    expect(noticed.status).toBe('NOTICE_SENT');
    let paid = '';
    scheduler.at(new Date('2026-09-20T11:00:00+09:00'), 'payment', async () => {
      const now = await city.get<{ arrears: { projected: string } }>(`/cases/${caseId}`, { city: CITY });
      paid = now.arrears.projected;
      await city.post(`/cases/${caseId}/payments`, { cityId: CITY, paymentId: 'RCPT-1', amount: paid, receivedOn: '2026-09-20' });
    });
    await runTimeline(s(), { until: new Date('2026-09-21T10:00:00+09:00') });
    expect(clock.now().toISOString()).toBe('2026-09-21T01:00:00.000Z');

    const statement = await officer.get<{ status: string; totals: { outstanding: string; refunded: string }; releases: { market: string; quantity: string; reason: string }[] }>(`/cases/${caseId}/statement`, { city: CITY });
    expect(statement.status).toBe('PAID');
    expect(statement.totals.outstanding).toBe('0');
    expect(statement.releases).toEqual([expect.objectContaining({ market: 'KRW-ETH', quantity: '2.5', reason: 'PAID' })]);

    const summary = summarize(CITY, await readStatements(s().store, CITY));
    expect(summary).toMatchObject({ cases: 1, byState: { PAID: 1 }, balanced: true, refundedKrw: '0' });
    expect(summary.recoveredKrw).toBe(paid);

    // Every notice was rendered into the local outbox folder (seizure ×2, pre-sale, release).
    expect(await s().pendingNotices()).toBe(0);
    const files = readdirSync(join(s().dirs.outbox, CITY, caseId)).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBe(summary.notices.total);
    expect(summary.notices.byKind).toMatchObject({ SEIZURE: 2, PRE_SALE: 1, RELEASE: 1 });
    const preSale = files.map((f) => readFileSync(join(s().dirs.outbox, CITY, caseId, f), 'utf8')).find((t) => t.includes('매각'));
    expect(preSale).toBeDefined();
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
