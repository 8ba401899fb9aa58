import { registration, registerCaseVia, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

describe('POST /cases', () => {
  it('registers a case with its bills and answers 201 with the case and its location', async () => {
    const answer = await api.call('POST', '/cases', { body: registration() });
    expect(answer.status).toBe(201);
    const caseId = String(answer.body.caseId);
    expect(caseId).toMatch(/^c[0-9A-Z]{26}$/);
    expect(answer.headers.Location).toBe(`/cases/${caseId}?city=cheongju`);
    expect(answer.body).toMatchObject({
      cityId: 'cheongju',
      status: 'REGISTERED',
      version: 1,
      arrears: { recorded: '1241000', asOf: '2025-09-01' },
    });
    expect(answer.body.bills).toEqual([
      expect.objectContaining({
        billId: 'B1',
        provincial: false,
        tax: { assessed: '1000000', paid: '0', outstanding: '1000000' },
      }),
      expect.objectContaining({ billId: 'B2', cost: { assessed: '5000', paid: '0', outstanding: '5000' } }),
    ]);
    const stored = await table.store.get('cheongju', caseId);
    expect(stored?.taxpayer.ref).toBe('TP-0001');
  });

  it.each([
    ['a missing field', registration({ taxpayer: undefined }), '/taxpayer', 'is required'],
    [
      'a missing bill field',
      registration({
        bills: [
          { billId: 'B1', taxItem: '재산세', dueDate: '2025-03-31', cost: '0', tax: '1', surchargeAsOf: '2025-06-30' },
        ],
      }),
      '/bills/0/surcharge',
      'is required',
    ],
    [
      'won given as a JSON number',
      registration({
        bills: [
          {
            billId: 'B1',
            taxItem: '재산세',
            dueDate: '2025-03-31',
            cost: '0',
            tax: 1000000,
            surcharge: '0',
            surchargeAsOf: '2025-06-30',
          },
        ],
      }),
      '/bills/0/tax',
      'must be a string',
    ],
    [
      'negative won',
      registration({
        bills: [
          {
            billId: 'B1',
            taxItem: '재산세',
            dueDate: '2025-03-31',
            cost: '0',
            tax: '-100',
            surcharge: '0',
            surchargeAsOf: '2025-06-30',
          },
        ],
      }),
      '/bills/0/tax',
      'whole, non-negative',
    ],
    [
      'fractional won',
      registration({
        bills: [
          {
            billId: 'B1',
            taxItem: '재산세',
            dueDate: '2025-03-31',
            cost: '0.5',
            tax: '100',
            surcharge: '0',
            surchargeAsOf: '2025-06-30',
          },
        ],
      }),
      '/bills/0/cost',
      'whole, non-negative',
    ],
    [
      'a date that does not exist',
      registration({
        bills: [
          {
            billId: 'B1',
            taxItem: '재산세',
            dueDate: '2025-02-30',
            cost: '0',
            tax: '100',
            surcharge: '0',
            surchargeAsOf: '2025-06-30',
          },
        ],
      }),
      '/bills/0/dueDate',
      'not a calendar date',
    ],
    ['a wrong type', registration({ bills: 'B1' }), '/bills', 'must be array'],
    ['an unknown field', registration({ caseId: 'mine' }), '/caseId', 'is not a known field'],
    [
      'a city this deployment does not serve',
      registration({ cityId: 'busan' }),
      '/cityId',
      'not a city this deployment serves',
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_what, body, pointer, detail) => {
    const before = await table.store.listByStatus('cheongju', undefined, { limit: 100 });
    const answer = await api.call('POST', '/cases', { body });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, type: 'urn:crypto-tax-recovery:problem:invalid-request' });
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', pointer, detail: expect.stringContaining(detail) }),
      ]),
    );
    expect(String(answer.body.detail)).toContain(pointer);
    const after = await table.store.listByStatus('cheongju', undefined, { limit: 100 });
    expect(after.items.length).toBe(before.items.length);
  });

  it('registers a chronic delinquent with 500 bills in one item, and refuses 501', async () => {
    const bills = Array.from({ length: 500 }, (_, i) => ({
      billId: `B-2020-${String(i).padStart(4, '0')}`,
      taxItem: '자동차세',
      dueDate: '2020-06-30',
      cost: '0',
      tax: '123456',
      surcharge: '3700',
      surchargeAsOf: '2025-06-30',
    }));
    const answer = await api.call('POST', '/cases', { body: registration({ bills }) });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ arrears: { recorded: String(500 * (123456 + 3700)) } });
    const more = [...bills, { ...bills[0], billId: 'B-extra' }];
    expect((await api.call('POST', '/cases', { body: registration({ bills: more }) })).body.errors).toEqual([
      expect.objectContaining({ pointer: '/bills' }),
    ]);
  });

  it('refuses a taxpayer no notice could reach (neither a postal nor an e-mail address)', async () => {
    const answer = await api.call('POST', '/cases', {
      body: registration({ taxpayer: { ref: 'TP-9', name: '박', contact: { phone: '010-0000-0000' } } }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/taxpayer/contact/address',
        detail: expect.stringContaining('postal address or an e-mail address'),
      }),
    ]);
    const ok = await api.call('POST', '/cases', {
      body: registration({ taxpayer: { ref: 'TP-9', name: '박', contact: { email: 'park@example.com' } } }),
    });
    expect(ok.status).toBe(201);
  });

  it('refuses duplicate bill ids with 422 and the rule’s code', async () => {
    const bill = registration().bills[0];
    const answer = await api.call('POST', '/cases', { body: registration({ bills: [bill, bill] }) });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'DUPLICATE_BILL' });
  });

  it('refuses an officer (registration is the city system’s) and an unknown principal', async () => {
    expect((await api.call('POST', '/cases', { body: registration(), as: 'officer' })).status).toBe(403);
    expect((await api.call('POST', '/cases', { body: registration(), as: 'stranger' })).status).toBe(403);
    expect((await api.call('POST', '/cases', { body: registration(), as: 'anonymous' })).status).toBe(403);
  });

  it('answers a repeat with the same key and body with the first answer and registers nothing more', async () => {
    const first = await api.call('POST', '/cases', {
      body: registration({ cityId: 'sejong', cityCaseRef: 'SJ-ONCE' }),
      key: 'register-once',
      as: 'sejongCity',
    });
    const again = await api.call('POST', '/cases', {
      body: registration({ cityId: 'sejong', cityCaseRef: 'SJ-ONCE' }),
      key: 'register-once',
      as: 'sejongCity',
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    const listed = await table.store.listByStatus('sejong', undefined, { limit: 100 });
    expect(listed.items.map((s) => s.caseId)).toEqual([first.body.caseId]);
    const other = await api.call('POST', '/cases', {
      body: registration({
        cityId: 'sejong',
        taxpayer: { ref: 'TP-2', name: '이', contact: { email: 'lee@example.com' } },
      }),
      key: 'register-once',
      as: 'sejongCity',
    });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ type: 'urn:crypto-tax-recovery:problem:idempotency-key-reused' });
  });
});

describe('POST /cases: one open case per city reference', () => {
  it('answers the same city reference under a new key with 409 and the open case’s id, and registers nothing', async () => {
    const first = await registerCaseVia(api, { cityCaseRef: 'CH-2025-0001' });
    const before = (await table.store.listByStatus('cheongju', undefined, { limit: 100 })).items.length;
    const again = await api.call('POST', '/cases', {
      body: registration({
        cityCaseRef: 'CH-2025-0001',
        taxpayer: { ref: 'TP-OTHER', name: '김납세', contact: { address: '청주시' } },
      }),
      key: 'a-new-key',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: 'urn:crypto-tax-recovery:problem:case-registered', caseId: first });
    expect(again.headers.Location).toBe(`/cases/${first}?city=cheongju`);
    expect((await table.store.listByStatus('cheongju', undefined, { limit: 100 })).items).toHaveLength(before);
    // Another city's system may use the same reference.
    expect(
      (
        await api.call('POST', '/cases', {
          body: registration({ cityId: 'sejong', cityCaseRef: 'CH-2025-0001' }),
          as: 'sejongCity',
        })
      ).status,
    ).toBe(201);
    // The reference is required.
    const { cityCaseRef: _omitted, ...without } = registration();
    expect((await api.call('POST', '/cases', { body: without })).body.errors).toEqual([
      { in: 'body', pointer: '/cityCaseRef', detail: 'is required' },
    ]);
  });

  it('takes the reference again once its case is closed', async () => {
    const first = await registerCaseVia(api, { cityCaseRef: 'CH-2025-0002' });
    const cancelled = await api.call('POST', `/cases/${first}/cancel`, {
      body: { cityId: 'cheongju', reason: '부과 취소' },
      as: 'officer',
    });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED' });
    const second = await api.call('POST', '/cases', { body: registration({ cityCaseRef: 'CH-2025-0002' }) });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ cityCaseRef: 'CH-2025-0002', status: 'REGISTERED' });
    expect(second.body.caseId).not.toBe(first);
  });
});

describe('GET /cases/{caseId}', () => {
  it('reads a case of a served city', async () => {
    const caseId = await registerCaseVia(api);
    const answer = await api.call('GET', `/cases/${caseId}`, { query: { city: 'cheongju' }, as: 'officer' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ caseId, status: 'REGISTERED', taxpayer: { ref: 'TP-0001' } });
  });

  it('answers 404 for an unknown case, and 400 without a city or with a bad id', async () => {
    const unknown = await api.call('GET', '/cases/c-nope', { query: { city: 'cheongju' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'urn:crypto-tax-recovery:problem:case-not-found' });
    const noCity = await api.call('GET', '/cases/c-nope');
    expect(noCity.status).toBe(400);
    expect(noCity.body.errors).toEqual([{ in: 'query', name: 'city', detail: 'is required' }]);
    const badId = await api.call('GET', '/cases/has%23hash', { query: { city: 'cheongju' } });
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual([expect.objectContaining({ in: 'path', name: 'caseId' })]);
  });

  it('does not show a case under a city it does not belong to', async () => {
    const caseId = await registerCaseVia(api);
    expect((await api.call('GET', `/cases/${caseId}`, { query: { city: 'sejong' }, as: 'sejongCity' })).status).toBe(
      404,
    );
  });
});

describe('GET /cases', () => {
  it('lists a city’s cases by status, page by page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await registerCaseVia(api, { cityId: 'sejong' }));
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const answer = await api.call('GET', '/cases', {
        query: { city: 'sejong', status: 'REGISTERED', limit: '2', ...(cursor ? { cursor } : {}) },
        as: 'sejongOfficer',
      });
      expect(answer.status).toBe(200);
      const items = answer.body.items as { caseId: string; arrears: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => i.caseId));
      cursor = answer.body.cursor as string | undefined;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(ids));
  });

  it('refuses an unknown status, a bad limit and a forged cursor', async () => {
    const status = await api.call('GET', '/cases', { query: { city: 'cheongju', status: 'LOST' } });
    expect(status.status).toBe(400);
    expect(status.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'status' })]);
    const limit = await api.call('GET', '/cases', { query: { city: 'cheongju', limit: '1000' } });
    expect(limit.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'limit' })]);
    const cursor = await api.call('GET', '/cases', { query: { city: 'cheongju', cursor: 'forged' } });
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'cursor' })]);
    const typo = await api.call('GET', '/cases', { query: { city: 'cheongju', stauts: 'DUE' } });
    expect(typo.body.errors).toEqual([{ in: 'query', name: 'stauts', detail: 'is not a known field' }]);
  });

  it('refuses a crafted cursor that names the right partition but not a whole start key (it gave a 500)', async () => {
    const crafted = (state: unknown) => Buffer.from(JSON.stringify(state)).toString('base64url');
    for (const k of [
      { GSI2PK: 'CITY#cheongju#STATUS#REGISTERED' },
      { GSI2PK: 'CITY#cheongju#STATUS#REGISTERED', PK: 'x', SK: 'y', GSI2SK: '' },
      { GSI2PK: 'CITY#cheongju#STATUS#REGISTERED', PK: 'x', SK: 'y', GSI2SK: 'z', extra: 'w' },
    ]) {
      const answer = await api.call('GET', '/cases', {
        query: { city: 'cheongju', status: 'REGISTERED', cursor: crafted({ p: 0, k }) },
      });
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'cursor' })]);
    }
  });
});

describe('PUT /cases/{caseId}/bills', () => {
  it('replaces the amounts and keeps what was paid', async () => {
    const caseId = await registerCaseVia(api);
    await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'P-bills', amount: '5000', receivedOn: '2025-06-30' },
    });
    const bills = [
      {
        billId: 'B2',
        taxItem: '자동차세',
        dueDate: '2025-01-31',
        cost: '5000',
        tax: '150000',
        surcharge: '6000',
        surchargeAsOf: '2025-06-30',
      },
    ];
    const answer = await api.call('PUT', `/cases/${caseId}/bills`, { body: { cityId: 'cheongju', bills } });
    expect(answer.status).toBe(200);
    const b2 = (answer.body.bills as { billId: string; cost: unknown; tax: unknown }[]).find((b) => b.billId === 'B2');
    expect(b2?.cost).toEqual({ assessed: '5000', paid: '5000', outstanding: '0' });
    expect(b2?.tax).toEqual({ assessed: '150000', paid: '0', outstanding: '150000' });
    expect(answer.body.version).toBe(3);
  });

  it('refuses bad input, an unknown case, the wrong role, a closed case, and replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    const bills = [
      {
        billId: 'B1',
        taxItem: '지방소득세',
        dueDate: '2025-03-31',
        cost: '0',
        tax: '900000',
        surcharge: '0',
        surchargeAsOf: '2025-06-30',
      },
    ];
    expect((await api.call('PUT', `/cases/${caseId}/bills`, { body: { cityId: 'cheongju' } })).body.errors).toEqual([
      { in: 'body', pointer: '/bills', detail: 'is required' },
    ]);
    expect(
      (
        await api.call('PUT', `/cases/${caseId}/bills`, {
          body: { cityId: 'cheongju', bills: [{ ...bills[0], tax: '12.5' }] },
        })
      ).status,
    ).toBe(400);
    expect((await api.call('PUT', '/cases/c-unknown/bills', { body: { cityId: 'cheongju', bills } })).status).toBe(404);
    expect(
      (await api.call('PUT', `/cases/${caseId}/bills`, { body: { cityId: 'cheongju', bills }, as: 'officer' })).status,
    ).toBe(403);
    const first = await api.call('PUT', `/cases/${caseId}/bills`, {
      body: { cityId: 'cheongju', bills },
      key: `bills-${caseId}`,
    });
    const again = await api.call('PUT', `/cases/${caseId}/bills`, {
      body: { cityId: 'cheongju', bills },
      key: `bills-${caseId}`,
    });
    expect(again.body).toEqual(first.body);
    expect((await table.store.get('cheongju', caseId))?.version).toBe(2);
    await api.call('POST', `/cases/${caseId}/cancel`, {
      body: { cityId: 'cheongju', reason: '부과 취소' },
      as: 'officer',
    });
    const closed = await api.call('PUT', `/cases/${caseId}/bills`, { body: { cityId: 'cheongju', bills } });
    expect(closed.status).toBe(409);
    expect(closed.body).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });
});
