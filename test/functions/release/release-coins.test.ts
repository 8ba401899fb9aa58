/**
 * The release function against DynamoDB Local and the exchange simulator over HTTP: a case is
 * cancelled (its coins to go back), officers record the destination and approve, and scheduled runs
 * carry the release to DONE, refuse it, find a lost answer, or report a failed withdrawal.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client';
import { OUTBOX_PARTITIONS } from '#adapters/dynamodb/keys';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { withdrawalFees } from '#adapters/withdrawal-fees-env';
import { cancelCase, confirmCustody, requestTransfer, type Actor } from '#domain/case';
import { fixedCitySettings } from '#domain/city-settings';
import { decimal } from '#domain/money';
import { approveRelease, recordDestination, ReleaseRuleError, startSending, type ReleaseWork } from '#domain/release';
import { createReleaseRun, type ReleaseDeps } from '../../../functions/release-coins/app';
import { startExchangeSimulator, WITHDRAWALS, type ExchangeSimulator } from '../../../local/exchange-sim';
import { CITY, ctxAt, registered, settings } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const KEYS = { accessKey: 'city-withdrawal-access', secretKey: 'city-withdrawal-secret' };
const ADDRESS = { currency: 'BTC', netType: 'BTC', address: 'bc1qtaxpayerwallet0001' };
const officerA: Actor = { kind: 'OFFICER', id: 'arn:aws:sts::111122223333:assumed-role/tax-officer/kim' };
const officerB: Actor = { kind: 'OFFICER', id: 'arn:aws:sts::111122223333:assumed-role/tax-officer/lee' };
const AT = '2025-07-01T01:00:00Z';

let sim: ExchangeSimulator;
let releases: DynamoDbReleaseStore;
let counted: string[];
let seq = 0;
/** Each test its own city: releases of one currency are sent one at a time across the account. */
let city = CITY;

beforeEach(async () => {
  sim = await startExchangeSimulator({ seed: 3, keys: [KEYS], dataDir: '/nonexistent', clock: AT });
  sim.withdrawals.allow(ADDRESS);
  releases = new DynamoDbReleaseStore(table.client, table.tableName);
  counted = [];
  city = `city-${++seq}`;
});
afterEach(async () => sim.close());

const now = () => new Date(sim.clock.nowMs());

function run(overrides: Partial<ReleaseDeps> = {}) {
  return createReleaseRun({
    releases,
    cases: table.store,
    venue: new UpbitExchange({ baseUrl: sim.url, ...KEYS, timeoutMs: 300 }),
    fees: withdrawalFees({ BTC: decimal('0.0005') }, 'upbit'),
    cities: [city],
    settings: fixedCitySettings({ ...settings, cityId: city }),
    quietMinutes: 30,
    count: (o) => counted.push(o),
    logger: new Logger({ logLevel: 'SILENT' }),
    now,
    ...overrides,
  })();
}

/** A case whose 0.05 BTC went into custody and was cancelled: one release PENDING; the coins at the exchange. */
async function cancelledCase(quantity = '0.05'): Promise<ReleaseWork> {
  const caseId = `rel-${++seq}`;
  const t0 = registered(caseId, AT, city);
  await table.store.create(t0);
  const t1 = requestTransfer(t0.case, [{ market: 'KRW-BTC', quantity: decimal(quantity) }], ctxAt(AT));
  await table.store.commit(t0.case.version, t1);
  const t2 = confirmCustody(t1.case, { market: 'KRW-BTC', quantity: decimal(quantity) }, ctxAt(AT));
  await table.store.commit(t1.case.version, t2);
  const t3 = cancelCase(t2.case, 'bills withdrawn', ctxAt(AT, officerA));
  await table.store.commit(t2.case.version, t3);
  sim.accounts.credit('BTC', quantity);
  const open = (await releases.open(city)).filter((r) => r.caseId === caseId);
  expect(open.map((r) => [r.status, r.quantity.toFixed(), r.reason])).toEqual([['PENDING', quantity, 'CANCELLED']]);
  return open[0]!;
}

async function approvedTo(
  r: ReleaseWork,
  address = ADDRESS.address,
  exchange = 'another-exchange',
): Promise<ReleaseWork> {
  const withDest = recordDestination(r, { exchange, netType: 'BTC', address }, officerA, now());
  await releases.save(withDest, r.revision);
  const once = approveRelease(withDest, officerA, now());
  await releases.save(once, withDest.revision);
  expect(() => approveRelease(once, officerA, now())).toThrow(
    expect.objectContaining({ code: 'SAME_OFFICER' }) as Error,
  );
  expect(once.status).toBe('PENDING');
  const twice = approveRelease(once, officerB, now());
  await releases.save(twice, once.revision);
  expect(twice.status).toBe('APPROVED');
  return twice;
}

const reload = async (r: ReleaseWork) => (await releases.get(r))!;

describe('release function', () => {
  it('sends a release two officers approved, follows it to DONE and writes the taxpayer a release notice', async () => {
    const r = await approvedTo(await cancelledCase());
    expect(await run()).toMatchObject({ sent: 1, done: 0 });
    const sent = await reload(r);
    expect(sent.status).toBe('SENT');
    expect(sim.withdrawals.all().map((w) => [w.currency, w.address, w.amount.toFixed(), w.fee.toFixed()])).toEqual([
      ['BTC', ADDRESS.address, '0.0495', '0.0005'],
    ]);

    sim.clock.advance(10 * 60_000);
    expect(await run()).toMatchObject({ sent: 0, done: 1 });
    const done = await reload(r);
    expect(done.status).toBe('DONE');
    expect(done.withdrawal).toMatchObject({ uuid: sim.withdrawals.all()[0]!.uuid, state: 'DONE' });
    expect(await releases.open(city)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ releaseId: r.releaseId })]),
    );
    expect(sim.accounts.balance('BTC').balance.toFixed()).toBe('0');
    const statement = await table.store.statement(city, r.caseId);
    expect(
      statement?.notices.filter((n) => n.noticeId === `${r.releaseId}.done`).map((n) => [n.kind, n.status]),
    ).toEqual([['RELEASE', 'PENDING']]);
    expect(statement?.releases.map((x) => x.status)).toEqual(['DONE']);
    expect(counted).toContain('ReleaseDone');
    // A third run has nothing to do.
    expect(await run()).toMatchObject({ sent: 0, done: 0 });
  });

  it('coins below the withdrawal fee (dust): refused to another exchange with what to do (nothing withdrawn); to the taxpayer’s account at this exchange, sent without a fee', async () => {
    const dust = await cancelledCase('0.00010183');
    const elsewhere = await approvedTo(dust);
    expect(await run()).toMatchObject({ sent: 0, refused: 1 });
    expect(await reload(elsewhere)).toMatchObject({
      status: 'FAILED',
      failure:
        'BELOW_FEE: 0.00010183 BTC does not cover the withdrawal fee 0.0005; an account at upbit takes it without a fee',
    });
    expect(sim.withdrawals.all()).toHaveLength(0);

    const again = await cancelledCase('0.00010183');
    const here = await approvedTo(again, ADDRESS.address, 'upbit');
    expect(await run()).toMatchObject({ sent: 1 });
    sim.clock.advance(10 * 60_000);
    await run();
    expect((await reload(here)).status).toBe('DONE');
    expect(sim.withdrawals.all().map((w) => [w.amount.toFixed(), w.fee.toFixed(), w.transactionType])).toEqual([
      ['0.00010183', '0', 'internal'],
    ]);
  });

  it('refuses a destination that is not on the account’s allow list, and nothing is withdrawn', async () => {
    const r = await approvedTo(await cancelledCase(), 'bc1qnotregistered');
    expect(await run()).toMatchObject({ refused: 1, sent: 0 });
    const refused = await reload(r);
    expect(refused.status).toBe('FAILED');
    expect(refused.failure).toMatch(/^ADDRESS_NOT_ALLOWED/);
    expect(sim.withdrawals.all()).toHaveLength(0);
    // A new destination needs two fresh approvals.
    const again = recordDestination(
      refused,
      { exchange: 'another-exchange', netType: 'BTC', address: ADDRESS.address },
      officerB,
      now(),
    );
    expect([again.status, again.approvals]).toEqual(['PENDING', []]);
  });

  it('finds a withdrawal whose answer was lost in the list, without a second withdrawal', async () => {
    const r = await approvedTo(await cancelledCase());
    sim.faults.loseAnswer({ match: WITHDRAWALS, mode: 'destroy' });
    expect(await run()).toMatchObject({ sent: 1, resolved: 1 });
    const found = await reload(r);
    expect(found.status).toBe('SENT');
    expect(sim.withdrawals.all()).toHaveLength(1);
    expect(found.withdrawal?.uuid).toBe(sim.withdrawals.all()[0]!.uuid);
    sim.clock.advance(10 * 60_000);
    await run();
    expect((await reload(r)).status).toBe('DONE');
    expect(sim.requests.filter((q) => q.method === 'POST' && q.path === '/v1/withdraws/coin')).toHaveLength(1);
  });

  it('leaves a release marked SENDING whose request never arrived alone until a quiet search finds nothing, then asks once more', async () => {
    const r = await approvedTo(await cancelledCase());
    // As if the function died between marking and sending.
    const sending = startSending(
      r,
      { amount: decimal('0.0495'), fee: decimal('0.0005'), transactionType: 'default' },
      now(),
    );
    await releases.save(sending, r.revision);
    expect(await run()).toMatchObject({ inDoubt: 1, sent: 0 });
    expect(sim.withdrawals.all()).toHaveLength(0);
    sim.clock.advance(31 * 60_000);
    await run();
    expect((await reload(r)).status).toBe('APPROVED');
    expect(await run()).toMatchObject({ sent: 1 });
    expect(sim.withdrawals.all()).toHaveLength(1);
  });

  it('reports a failed withdrawal: FAILED with the reason, counted, the coins back in the account', async () => {
    const r = await approvedTo(await cancelledCase());
    sim.faults.failWithdrawal();
    await run();
    sim.clock.advance(10 * 60_000);
    expect(await run()).toMatchObject({ failed: 1 });
    const failed = await reload(r);
    expect(failed.status).toBe('FAILED');
    expect(failed.failure).toMatch(/FAILED$/);
    expect(counted).toContain('ReleaseFailed');
    expect(sim.accounts.balance('BTC').balance.toFixed()).toBe('0.05');
    expect((await releases.open(city)).map((x) => x.releaseId)).toContain(r.releaseId);
  });

  it('keeps release records out of the outbox partitions the sweeper reads', async () => {
    const r = await cancelledCase();
    const doc = documentClient(table.client);
    const types: string[] = [];
    for (const pk of OUTBOX_PARTITIONS) {
      const out = await doc.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: 'outbox',
          KeyConditionExpression: 'GSI3PK = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      types.push(...(out.Items ?? []).map((i) => String(i.recordType)));
    }
    expect(types).toContain('NOTICE'); // the cancellation's release notice
    expect(types).not.toContain('RELEASE');
    expect((await releases.open(city)).map((x) => x.releaseId)).toEqual([r.releaseId]);
  });

  it('refuses an approval without a destination and one by a non-officer', async () => {
    const r = await cancelledCase();
    expect(() => approveRelease(r, officerA, now())).toThrow(ReleaseRuleError);
    expect(() =>
      recordDestination(r, { exchange: 'x', netType: 'BTC', address: 'a' }, { kind: 'CITY_SYSTEM', id: 'city' }, now()),
    ).toThrow(/officer/);
  });
});
