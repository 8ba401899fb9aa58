import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCityTotals } from '#adapters/dynamodb/city-totals';
import { documentClient } from '#adapters/dynamodb/client';
import { casePk, SK } from '#adapters/dynamodb/keys';
import {
  cancelCase,
  markDue,
  placeHold,
  recordPayment,
  requestSaleByTaxpayer,
  updateBills,
  type Case,
} from '#domain/case';
import {
  CaseExistsError,
  ConcurrencyConflictError,
  DuplicateRecordError,
  IdempotencyKeyTakenError,
  InvalidCursorError,
  type IdempotencyRecord,
} from '#domain/case-store';
import { won } from '#domain/money';
import { bill, CITY, ctxAt, registered, toNoticeSent } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();

async function saveAll(caseId: string, at = '2025-07-01T01:00:00Z'): Promise<Case> {
  const t = registered(caseId, at);
  await table.store.create(t);
  return t.case;
}

describe('DynamoDbCaseStore', () => {
  it('round-trips a case with decimal strings and no floats', async () => {
    const c = await saveAll('round-trip');
    const loaded = await table.store.get(CITY, 'round-trip');
    expect(loaded).toBeDefined();
    expect(loaded?.version).toBe(1);
    expect(loaded?.bills.map((b) => b.tax.toFixed())).toEqual(['1000000', '500000']);
    expect(loaded?.taxpayer).toEqual(c.taxpayer);
    const raw = await documentClient(table.client).send(
      new GetCommand({ TableName: table.tableName, Key: { PK: casePk(CITY, 'round-trip'), SK: SK.case } }),
    );
    const bills = raw.Item?.bills as { tax: unknown }[];
    expect(typeof bills[0]?.tax).toBe('string');
    expect(raw.Item?.arrearsKrw).toBe('1560000');
  });

  it('returns undefined for an unknown case and refuses to create one twice', async () => {
    await expect(table.store.get(CITY, 'nobody')).resolves.toBeUndefined();
    const t = registered('twice');
    await table.store.create(t);
    await expect(table.store.create(t)).rejects.toBeInstanceOf(CaseExistsError);
  });

  it('keeps a city reference to one open case, refused with the holder’s id, and frees it when the case closes', async () => {
    const holder = await saveAll('ref-holder');
    const withRef = (caseId: string, cityCaseRef: string) => {
      const t = registered(caseId);
      return { ...t, case: { ...t.case, cityCaseRef } };
    };
    await expect(table.store.create(withRef('ref-second', holder.cityCaseRef))).rejects.toMatchObject({
      name: 'CaseRefTakenError',
      cityCaseRef: holder.cityCaseRef,
      existingCaseId: 'ref-holder',
    });
    await expect(table.store.get(CITY, 'ref-second')).resolves.toBeUndefined();
    expect((await table.store.get(CITY, 'ref-holder'))?.cityCaseRef).toBe(holder.cityCaseRef);

    await table.store.commit(holder.version, cancelCase(holder, 'withdrawn', ctxAt('2025-07-02T00:00:00Z')));
    await table.store.create(withRef('ref-second', holder.cityCaseRef));
    // A case closing never frees another case's claim: the first case is closed already, the second holds it.
    await expect(table.store.create(withRef('ref-third', holder.cityCaseRef))).rejects.toMatchObject({
      existingCaseId: 'ref-second',
    });
  });

  it('books a payment reference once per city: the same bank transaction on a second case is refused', async () => {
    const a = await saveAll('pay-a');
    const b = await saveAll('pay-b');
    const payment = { paymentId: 'BANK-1', amount: won('100000'), receivedOn: '2025-07-02' as const };
    await table.store.commit(a.version, recordPayment(a, payment, ctxAt('2025-07-02T00:00:00Z')));
    const onB = table.store.commit(b.version, recordPayment(b, payment, ctxAt('2025-07-02T00:00:00Z')));
    await expect(onB).rejects.toBeInstanceOf(DuplicateRecordError);
    await expect(onB).rejects.toMatchObject({ kind: 'PAYMENT', id: 'BANK-1', onCase: 'pay-a' });
    expect((await table.store.get(CITY, 'pay-b'))?.version).toBe(b.version);
    // Another city has its own payment references.
    const elsewhere = registered('pay-c', '2025-07-01T01:00:00Z', 'sejong');
    await table.store.create(elsewhere);
    const settingsSejong = {
      ...ctxAt('2025-07-02T00:00:00Z'),
      settings: { ...ctxAt('2025-07-02T00:00:00Z').settings, cityId: 'sejong' },
    };
    await table.store.commit(1, recordPayment(elsewhere.case, payment, settingsSejong));
  });

  it('lets exactly one of two racing updates win and tells the other it conflicted', async () => {
    const c = await saveAll('race');
    const a = updateBills(c, [bill('B1', '2000000')], ctxAt('2025-07-02T00:00:00Z'));
    const b = recordPayment(
      c,
      { paymentId: 'P-race', amount: won('100000'), receivedOn: '2025-07-02' },
      ctxAt('2025-07-02T00:00:00Z'),
    );
    const results = await Promise.allSettled([table.store.commit(c.version, a), table.store.commit(c.version, b)]);
    const won_ = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won_).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConcurrencyConflictError);
    expect((lost[0]?.reason as ConcurrencyConflictError).retryable).toBe(true);
    const after = await table.store.get(CITY, 'race');
    expect(after?.version).toBe(2);
    // Nothing of the loser was written: one audit event per version, and the loser's payment (if it lost) is absent.
    const statement = await table.store.statement(CITY, 'race');
    expect(statement?.audit.map((e) => e.version)).toEqual([1, 2]);
    expect(statement?.payments.length).toBe(after?.paymentIds.length);
  });

  it('reports the version it found when a stale version is committed', async () => {
    const c = await saveAll('stale');
    await table.store.commit(1, updateBills(c, [bill('B1', '900000')], ctxAt('2025-07-02T00:00:00Z')));
    const error = await table.store
      .commit(1, updateBills(c, [bill('B1', '800000')], ctxAt('2025-07-02T00:00:01Z')))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect((error as ConcurrencyConflictError).currentVersion).toBe(2);
  });

  it('refuses a payment id applied twice even when the case item does not remember it', async () => {
    const c = await saveAll('pay-twice');
    const first = recordPayment(
      c,
      { paymentId: 'P-1', amount: won('100000'), receivedOn: '2025-07-02' },
      ctxAt('2025-07-02T00:00:00Z'),
    );
    await table.store.commit(1, first);
    // A case that lost track of the payment (the domain's own check would refuse it otherwise).
    const forgetful: Case = { ...first.case, paymentIds: [] };
    const again = recordPayment(
      forgetful,
      { paymentId: 'P-1', amount: won('100000'), receivedOn: '2025-07-02' },
      ctxAt('2025-07-03T00:00:00Z'),
    );
    await expect(table.store.commit(2, again)).rejects.toEqual(new DuplicateRecordError('PAYMENT', 'P-1'));
    const statement = await table.store.statement(CITY, 'pay-twice');
    expect(statement?.payments).toHaveLength(1);
    expect(statement?.payments[0]?.amount.toFixed()).toBe('100000');
    expect(statement?.payments[0]?.receivedOn).toBe('2025-07-02');
    expect(statement?.case.version).toBe(2);
  });

  it('keeps the audit trail append-only: a replayed transition is refused and earlier events never change', async () => {
    const c = await saveAll('audit');
    const t = updateBills(c, [bill('B1', '1200000')], ctxAt('2025-07-02T00:00:00Z'));
    await table.store.commit(1, t);
    const before = await table.store.statement(CITY, 'audit');
    await expect(table.store.commit(1, t)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    // Even a write that skips the case item cannot overwrite an audit event.
    const doc = documentClient(table.client);
    const auditKey = { PK: casePk(CITY, 'audit'), SK: SK.audit(t.audit.at, 2) };
    await expect(
      doc.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...auditKey, action: 'FORGED' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const next = placeHold(t.case, { holdId: 'H1', kind: 'APPEAL', reason: '이의신청' }, ctxAt('2025-07-03T00:00:00Z'));
    await table.store.commit(2, next);
    const after = await table.store.statement(CITY, 'audit');
    expect(after?.audit.slice(0, 2)).toEqual(before?.audit);
    expect(after?.audit.map((e) => e.action)).toEqual(['REGISTER', 'UPDATE_BILLS', 'PLACE_HOLD']);
    expect(after?.audit[2]?.reason).toBe('이의신청');
  });

  it('writes ledger, notices, releases and payments in the same transaction', async () => {
    const c = await saveAll('full');
    const [t1, t2, t3] = toNoticeSent(c, '2025-07-02T00:00:00Z');
    let version = 1;
    for (const t of [t1, t2, t3]) {
      if (!t) throw new Error('fixture');
      await table.store.commit(version, t);
      version = t.case.version;
    }
    const latest = t3?.case;
    if (!latest) throw new Error('fixture');
    const paid = recordPayment(
      latest,
      { paymentId: 'P-full', amount: won('2000000'), receivedOn: '2025-07-03' },
      ctxAt('2025-07-03T00:00:00Z'),
    );
    expect(paid.case.status).toBe('PAID');
    await table.store.commit(version, paid);
    const s = await table.store.statement(CITY, 'full');
    expect(s?.case.status).toBe('PAID');
    // Every notice every transition caused is in the outbox, in order, pending.
    const caused = [t1, t2, t3, paid].flatMap((t) => t?.notices ?? []);
    expect(s?.notices.map((n) => n.noticeId)).toEqual(caused.map((n) => n.noticeId));
    expect(s?.notices.map((n) => n.kind)).toEqual(expect.arrayContaining(['SEIZURE', 'PRE_SALE', 'RELEASE']));
    expect(s?.notices.every((n) => n.status === 'PENDING')).toBe(true);
    expect(s?.releases).toEqual([expect.objectContaining({ market: 'KRW-BTC', reason: 'PAID', status: 'PENDING' })]);
    expect(s?.releases[0]?.quantity.toFixed()).toBe('0.05');
    const entries = s?.ledger.flatMap((l) => l.entries) ?? [];
    expect(entries[0]).toMatchObject({ kind: 'PAYMENT_IN', source: 'P-full' });
    const allocated = entries.filter((e) => e.kind === 'ALLOCATION').reduce((t, e) => t.add(e.amount), won('0'));
    const refund = entries.filter((e) => e.kind === 'REFUND').reduce((t, e) => t.add(e.amount), won('0'));
    expect(allocated.add(refund).toFixed()).toBe('2000000');
    expect(s?.case.refundPayable.toFixed()).toBe(refund.toFixed());
  });

  it('lists a city by status, page by page, and refuses a cursor from another listing', async () => {
    for (let i = 0; i < 5; i++) await saveAll(`list-${i}`, `2025-08-01T00:00:0${i}Z`);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.store.listByStatus(CITY, 'REGISTERED', { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.caseId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith('list-'))).toEqual(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
    const first = await table.store.listByStatus(CITY, 'REGISTERED', { limit: 1 });
    expect(first.cursor).toBeDefined();
    await expect(
      table.store.listByStatus('other-city', 'REGISTERED', { cursor: first.cursor ?? '' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(table.store.listByStatus(CITY, 'REGISTERED', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    const all = await table.store.listByStatus(CITY, undefined, { limit: 100 });
    expect(all.items.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps only waiting cases in the deadline index and finds those past their date', async () => {
    const c = await saveAll('deadline-a', '2025-09-01T00:00:00Z');
    let version = 1;
    let current = c;
    for (const t of toNoticeSent(c, '2025-09-01T00:00:00Z')) {
      await table.store.commit(version, t);
      version = t.case.version;
      current = t.case;
    }
    expect(current.deadline).toBe('2025-10-16');
    const other = await saveAll('deadline-b', '2025-09-01T00:00:00Z');
    const collect = async (before: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await table.store.dueByDeadline(before, { limit: 3, ...(cursor ? { cursor } : {}) });
        ids.push(
          ...page.items.filter((e) => e.caseId.startsWith('deadline-')).map((e) => `${e.caseId}:${e.status}:${e.date}`),
        );
        cursor = page.cursor;
      } while (cursor);
      return ids;
    };
    // On the deadline itself no sale may run; the day after, the case is found.
    expect(await collect('2025-10-16')).toEqual([]);
    expect(await collect('2025-10-17')).toEqual(['deadline-a:NOTICE_SENT:2025-10-16']);
    // Marked due it stays in the index (waiting for its sale); a taxpayer's request on another case is found the same day.
    const due = markDue(current, ctxAt('2025-10-17T00:00:00Z'));
    await table.store.commit(version, due);
    const [o1, o2] = toNoticeSent(other, '2025-09-01T00:00:00Z');
    if (!o1 || !o2) throw new Error('fixture');
    await table.store.commit(1, o1);
    await table.store.commit(2, o2);
    const asked = requestSaleByTaxpayer(
      o2.case,
      {
        requestId: 'R1',
        requestedAt: '2025-09-10T03:00:00Z',
        limitPrices: {},
        evidence: { relayedBy: 'clerk-1', receivedAt: '2025-09-10T02:00:00Z', channel: 'PHONE' },
      },
      ctxAt('2025-09-10T03:00:00Z'),
    );
    await table.store.commit(3, asked);
    expect(await collect('2025-09-10')).toEqual(['deadline-b:DUE:2025-09-09']);
    expect((await collect('2025-10-17')).sort()).toEqual(['deadline-a:DUE:2025-10-16', 'deadline-b:DUE:2025-09-09']);
    // Leaving the waiting states removes the case from the index.
    const held = placeHold(due.case, { holdId: 'H1', kind: 'LAWSUIT', reason: '소송' }, ctxAt('2025-10-18T00:00:00Z'));
    await table.store.commit(due.case.version, held);
    expect(await collect('2025-12-31')).toEqual(['deadline-b:DUE:2025-09-09']);
  });

  it('sums a city from the listing index', async () => {
    const city = 'totals-city';
    const t = registered('t-1', '2025-07-01T00:00:00Z', city);
    await table.store.create(t);
    const t2 = registered('t-2', '2025-07-01T00:00:00Z', city);
    await table.store.create(t2);
    await table.store.commit(
      1,
      recordPayment(
        t.case,
        { paymentId: 'P-t', amount: won('60000'), receivedOn: '2025-07-01' },
        ctxAt('2025-07-01T00:00:00Z'),
      ),
    );
    await table.store.commit(1, cancelCase(t2.case, '부과 취소', ctxAt('2025-07-01T00:00:00Z')));
    const totals = await table.store.cityTotals(city);
    expect(totals.byStatus).toEqual({ REGISTERED: 1, CANCELLED: 1 });
    expect(totals.recoveredToDate.toFixed()).toBe('60000');
    // 1,560,000 owed + 9,900 of July's surcharge (0.66% of each bill, brought forward by the payment) - 60,000 paid.
    expect(totals.arrearsOutstanding.toFixed()).toBe('1509900');
    // The totals alone (the custody reconciliation's reader) read the same.
    await expect(new DynamoDbCityTotals(table.client, table.tableName).cityTotals(city)).resolves.toEqual(totals);
  });

  it('keeps an idempotency record with the change, and refuses a second change under the same key', async () => {
    const c = await saveAll('idem');
    const record: IdempotencyRecord = {
      cityId: CITY,
      key: 'scope-and-key',
      fingerprint: 'f1',
      response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
      createdAt: '2025-07-02T00:00:00.000Z',
      expiresAt: Math.floor(Date.parse('2025-07-03T00:00:00Z') / 1000),
    };
    const t = updateBills(c, [bill('B1', '700000')], ctxAt('2025-07-02T00:00:00Z'));
    await table.store.commit(1, t, { idempotency: record });
    await expect(table.store.getIdempotency(CITY, 'scope-and-key', new Date('2025-07-02T01:00:00Z'))).resolves.toEqual(
      record,
    );
    const t2 = updateBills(t.case, [bill('B1', '600000')], ctxAt('2025-07-02T00:00:01Z'));
    await expect(
      table.store.commit(2, t2, { idempotency: { ...record, createdAt: '2025-07-02T00:00:01.000Z' } }),
    ).rejects.toBeInstanceOf(IdempotencyKeyTakenError);
    expect((await table.store.get(CITY, 'idem'))?.version).toBe(2);
    // After it expires (TTL deletes lazily) the record reads as absent and the key may be used again.
    await expect(
      table.store.getIdempotency(CITY, 'scope-and-key', new Date('2025-07-03T00:00:01Z')),
    ).resolves.toBeUndefined();
    await table.store.commit(2, t2, {
      idempotency: { ...record, createdAt: '2025-07-03T00:00:01.000Z', expiresAt: record.expiresAt + 86400 },
    });
  });

  it('reads numbers back without floats (wrapNumbers) and refuses money written as a number', async () => {
    await saveAll('numbers');
    const doc = documentClient(table.client);
    await doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { PK: casePk(CITY, 'numbers'), SK: SK.case },
        UpdateExpression: 'SET refundPayableKrw = :n',
        ExpressionAttributeValues: { ':n': 12.5 },
      }),
    );
    await expect(table.store.get(CITY, 'numbers')).rejects.toThrow('refundPayableKrw is not a string');
  });
});
