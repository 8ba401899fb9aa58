import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The daily deadline check against DynamoDB Local (its sparse deadline index, never a scan), with
 * the sale request queue recorded in memory: who becomes due, who gets a sale request, and the
 * retry cadence of cases whose last sale stopped or failed. (Through the real queue, the starter
 * and the state machine: test/functions/sale/sale-workflow.test.ts.)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  failSale,
  markDue,
  nextSaleId,
  placeHold,
  startSale,
  updateBills,
  type Case,
  type Transition,
} from '#domain/case';
import type { CaseStore } from '#domain/case-store';
import { ZERO } from '#domain/money';
import type { SaleRequestMessage, SaleRequestQueue } from '#adapters/workflow/sale-requests';
import {
  createDeadlineCheck,
  DeadlineCheckIncompleteError,
  type DeadlineCheckDeps,
} from '../../../functions/check-deadlines/app';
import { ctxAt, registered, settings, toNoticeSent } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const silent = new Logger({ logLevel: 'SILENT' });
const NOTICE_AT = '2025-09-01T01:00:00Z'; // deadline 45 days later: 2025-10-16
const system = (at: string) => ({ ...ctxAt(at), actor: { kind: 'SYSTEM' as const, id: 'test' } });

async function commitAll(store: CaseStore, first: Transition, rest: Transition[]): Promise<Case> {
  await store.create(first);
  let c = first.case;
  for (const t of rest) {
    await store.commit(c.version, t);
    c = t.case;
  }
  return c;
}

async function noticed(caseId: string): Promise<Case> {
  const r = registered(caseId, '2025-08-01T01:00:00Z');
  return commitAll(table.store, r, toNoticeSent(r.case, NOTICE_AT));
}

/** A case whose sale attempt failed at `failedAt`. */
async function failedOnce(caseId: string, failedAt: string): Promise<Case> {
  let c = await noticed(caseId);
  const due = markDue(c, system('2025-10-20T01:00:00Z'));
  await table.store.commit(c.version, due);
  c = due.case;
  const selling = startSale(c, nextSaleId(c), system(failedAt));
  await table.store.commit(c.version, selling);
  const failed = failSale(selling.case, nextSaleId(c), 'ESCALATED:VOLATILE', system(failedAt));
  await table.store.commit(selling.case.version, failed);
  return failed.case;
}

function check(at: string, overrides: Partial<DeadlineCheckDeps> = {}) {
  const sent: SaleRequestMessage[] = [];
  const published: Transition[] = [];
  const queue: SaleRequestQueue = { send: async (m) => void sent.push(m) };
  const run = createDeadlineCheck({
    store: table.store,
    saleRequests: queue,
    publishNotices: async (t) => void published.push(t as Transition),
    settings: sameSettingsForEveryCity(settings),
    clock: () => new Date(at),
    maxSaleAttempts: 5,
    logger: silent,
    metrics: { addMetric: () => undefined } as unknown as DeadlineCheckDeps['metrics'],
    ...overrides,
  });
  return { run, sent, published, mine: (caseId: string) => sent.filter((m) => m.caseId === caseId) };
}

describe('deadline check', () => {
  it('marks a case due the day after its deadline (not on it) and requests its first sale', async () => {
    const c = await noticed('dl-due-1');
    expect(c.deadline).toBe('2025-10-16');
    const onDeadline = check('2025-10-16T00:00:00Z'); // 09:00 KST on the deadline day
    await onDeadline.run({});
    expect(onDeadline.mine(c.caseId)).toEqual([]);
    expect((await table.store.get(c.cityId, c.caseId))!.status).toBe('NOTICE_SENT');

    const after = check('2025-10-17T00:00:00Z');
    const summary = await after.run({});
    expect(summary.date).toBe('2025-10-17');
    expect(after.mine(c.caseId)).toEqual([
      {
        cityId: c.cityId,
        caseId: c.caseId,
        saleId: `${c.caseId}-sale-1`,
        requestedBy: 'DEADLINE',
        requestedAt: '2025-10-17T00:00:00.000Z',
      },
    ]);
    expect((await table.store.get(c.cityId, c.caseId))!.status).toBe('DUE');
  });

  it('run twice on one day: marked due once, the same sale requested (the queue and the starter deduplicate)', async () => {
    const c = await noticed('dl-twice-1');
    const first = check('2025-10-18T00:00:00Z');
    const second = check('2025-10-18T03:00:00Z');
    await first.run({});
    await second.run({});
    expect([...first.mine(c.caseId), ...second.mine(c.caseId)].map((m) => m.saleId)).toEqual([
      `${c.caseId}-sale-1`,
      `${c.caseId}-sale-1`,
    ]);
    const audit = (await table.store.statement(c.cityId, c.caseId))!.audit;
    expect(audit.filter((a) => a.action === 'MARK_DUE')).toHaveLength(1);
  });

  it('leaves alone a case the city’s bill update closed as PAID before its deadline', async () => {
    let c = await noticed('dl-nothing-1');
    // Nothing left owing closes the case at once, whatever its state (docs/LEGAL.md "Payments are dated facts").
    const zero = updateBills(
      c,
      c.bills.map((b) => ({ ...b, tax: ZERO, surcharge: ZERO, cost: ZERO })),
      ctxAt('2025-09-10T00:00:00Z'),
    );
    expect(zero.case.status).toBe('PAID');
    expect(zero.notices.map((n) => n.kind)).toEqual(['RELEASE']);
    await table.store.commit(c.version, zero);
    c = zero.case;
    const run = check('2025-10-19T00:00:00Z');
    await run.run({});
    expect(run.mine(c.caseId)).toEqual([]);
    expect((await table.store.get(c.cityId, c.caseId))!.status).toBe('PAID');
    expect(run.published.filter((t) => t.case.caseId === c.caseId)).toEqual([]);
  });

  it('retries a DUE case whose last sale stopped: the next day, with a new sale id; not on the day it ended', async () => {
    const c = await failedOnce('dl-retry-1', '2025-10-20T05:00:00Z');
    expect(c).toMatchObject({ status: 'DUE', saleAttempts: 1 });
    const sameDay = check('2025-10-20T09:00:00Z');
    await sameDay.run({});
    expect(sameDay.mine(c.caseId)).toEqual([]);
    const nextDay = check('2025-10-21T00:00:00Z');
    const summary = await nextDay.run({});
    expect(nextDay.mine(c.caseId).map((m) => m.saleId)).toEqual([`${c.caseId}-sale-2`]);
    expect(summary.waiting).toBe(0);
  });

  it('stops asking after the last allowed attempt: the case waits for an officer', async () => {
    const c = await failedOnce('dl-exhausted-1', '2025-10-20T05:00:00Z');
    const run = check('2025-10-22T00:00:00Z', { maxSaleAttempts: 1 });
    const summary = await run.run({});
    expect(run.mine(c.caseId)).toEqual([]);
    expect(summary.exhausted).toBeGreaterThanOrEqual(1);
  });

  it('leaves cases on hold alone (not in the deadline index) and does not scan', async () => {
    const c = await noticed('dl-hold-1');
    const held = placeHold(
      c,
      { holdId: 'H1', kind: 'APPEAL', reason: '이의신청' },
      { ...ctxAt('2025-10-01T00:00:00Z'), actor: { kind: 'OFFICER', id: 'officer' } },
    );
    await table.store.commit(c.version, held);
    const run = check('2025-10-23T00:00:00Z');
    await run.run({});
    expect(run.mine(c.caseId)).toEqual([]);
    expect((await table.store.get(c.cityId, c.caseId))!.status).toBe('ON_HOLD');
  });

  it('goes on past a case that fails and then reports the run incomplete (so the scheduler retries it)', async () => {
    const good = await noticed('dl-good-1');
    const bad = await noticed('dl-bad-1');
    const store: CaseStore = Object.assign(Object.create(table.store) as CaseStore, {
      get: async (cityId: string, caseId: string) => {
        if (caseId === bad.caseId)
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        return table.store.get(cityId, caseId);
      },
    });
    const run = check('2025-10-24T00:00:00Z', { store });
    await expect(run.run({})).rejects.toThrow(DeadlineCheckIncompleteError);
    expect(run.mine(good.caseId).map((m) => m.saleId)).toEqual([`${good.caseId}-sale-1`]);
    expect((await table.store.get(bad.cityId, bad.caseId))!.status).toBe('NOTICE_SENT');
  });
});
