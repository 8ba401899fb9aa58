import { registerCaseVia, testApi, type TestApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

const seize = (a: TestApi, caseId: string, quantity = '0.05') =>
  a.call('POST', `/cases/${caseId}/seizures`, {
    body: { cityId: 'cheongju', seizures: [{ exchange: 'UPBIT', market: 'KRW-BTC', quantity }] },
  });
const custody = (a: TestApi, caseId: string, quantity = '0.05') =>
  a.call('POST', `/cases/${caseId}/custody`, { body: { cityId: 'cheongju', market: 'KRW-BTC', quantity } });

describe('POST /cases/{caseId}/seizures', () => {
  it('records seized coins and the transfer demand (a SEIZURE notice in the outbox)', async () => {
    const caseId = await registerCaseVia(api);
    const answer = await seize(api, caseId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'TRANSFER_REQUESTED',
      holdings: [{ market: 'KRW-BTC', seized: '0.05', inCustody: '0', available: '0' }],
    });
    const statement = await table.store.statement('cheongju', caseId);
    expect(statement?.notices).toEqual([
      expect.objectContaining({ kind: 'SEIZURE', status: 'PENDING' }),
      expect.objectContaining({ kind: 'SEIZURE', status: 'PENDING' }),
    ]);
  });

  it('refuses bad input, an unknown case, the wrong role and an illegal state; replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    const body = (seizures: unknown) => ({ cityId: 'cheongju', seizures });
    const missing = await api.call('POST', `/cases/${caseId}/seizures`, { body: body([{ market: 'KRW-BTC' }]) });
    expect(missing.body.errors).toEqual([{ in: 'body', pointer: '/seizures/0/quantity', detail: 'is required' }]);
    const asNumber = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'KRW-BTC', quantity: 0.05 }]),
    });
    expect(asNumber.body.errors).toEqual([
      expect.objectContaining({ pointer: '/seizures/0/quantity', detail: expect.stringContaining('must be a string') }),
    ]);
    const negative = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'KRW-BTC', quantity: '-1' }]),
    });
    expect(negative.status).toBe(400);
    const zero = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'KRW-BTC', quantity: '0' }]),
    });
    expect(zero.body.errors).toEqual([expect.objectContaining({ detail: 'must be more than 0' })]);
    const market = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'BTC', quantity: '1' }]),
    });
    expect(market.body.errors).toEqual([expect.objectContaining({ pointer: '/seizures/0/market' })]);
    expect(
      (await api.call('POST', '/cases/c-none/seizures', { body: body([{ market: 'KRW-BTC', quantity: '1' }]) })).status,
    ).toBe(404);
    expect(
      (
        await api.call('POST', `/cases/${caseId}/seizures`, {
          body: body([{ market: 'KRW-BTC', quantity: '1' }]),
          as: 'officer',
        })
      ).status,
    ).toBe(403);
    const key = `seize-${caseId}`;
    const first = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'KRW-BTC', quantity: '1' }]),
      key,
    });
    const again = await api.call('POST', `/cases/${caseId}/seizures`, {
      body: body([{ market: 'KRW-BTC', quantity: '1' }]),
      key,
    });
    expect(again.body).toEqual(first.body);
    expect((await table.store.get('cheongju', caseId))?.holdings[0]?.seized.toFixed()).toBe('1');
    await custody(api, caseId, '1');
    const late = await seize(api, caseId);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      type: 'urn:crypto-tax-recovery:problem:illegal-transition',
    });
  });
});

describe('POST /cases/{caseId}/custody', () => {
  it('confirms custody, partly then fully; an officer may confirm too', async () => {
    const caseId = await registerCaseVia(api);
    await seize(api, caseId);
    const part = await custody(api, caseId, '0.02');
    expect(part.body).toMatchObject({ status: 'TRANSFER_REQUESTED', holdings: [{ inCustody: '0.02' }] });
    const rest = await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '0.03' },
      as: 'officer',
    });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ status: 'IN_CUSTODY', holdings: [{ inCustody: '0.05', available: '0.05' }] });
  });

  it('refuses more than was seized (422), before any seizure (409), bad input, unknown case, unknown caller; replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    const early = await custody(api, caseId);
    expect(early.status).toBe(409);
    await seize(api, caseId);
    const over = await custody(api, caseId, '0.06');
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'CUSTODY_EXCEEDS_SEIZURE' });
    expect(
      (await api.call('POST', `/cases/${caseId}/custody`, { body: { cityId: 'cheongju', market: 'KRW-BTC' } })).body
        .errors,
    ).toEqual([{ in: 'body', pointer: '/quantity', detail: 'is required' }]);
    expect(
      (
        await api.call('POST', `/cases/${caseId}/custody`, {
          body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '1e-2' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.call('POST', '/cases/c-none/custody', {
          body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '1' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.call('POST', `/cases/${caseId}/custody`, {
          body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '1' },
          as: 'stranger',
        })
      ).status,
    ).toBe(403);
    const key = `custody-${caseId}`;
    const first = await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '0.01' },
      key,
    });
    const again = await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '0.01' },
      key,
    });
    expect(again.body).toEqual(first.body);
    expect((await table.store.get('cheongju', caseId))?.holdings[0]?.inCustody.toFixed()).toBe('0.01');
  });
});

describe('POST /cases/{caseId}/payments', () => {
  it('refuses with 422, writing nothing, a payment dated after today in Korea or before the bills existed', async () => {
    const caseId = await registerCaseVia(api);
    // The clock stands at 2025-09-01T00:00Z, 09:00 in Korea: 09-02 is tomorrow there.
    const future = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-F', amount: '1000', receivedOn: '2025-09-02' },
    });
    expect(future.status).toBe(422);
    expect(future.body).toMatchObject({ code: 'PAYMENT_IN_FUTURE' });
    const early = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-E', amount: '1000', receivedOn: '2024-12-31' },
    });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'PAYMENT_BEFORE_BILL' });
    const c = await table.store.get('cheongju', caseId);
    expect(c?.paymentIds).toEqual([]);
    expect(c?.version).toBe(1);
  });

  it('applies a partial payment in the legal order: costs first, then tax', async () => {
    const caseId = await registerCaseVia(api);
    const answer = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-1', amount: '105000', receivedOn: '2025-06-30' },
    });
    expect(answer.status).toBe(200);
    const bills = answer.body.bills as { billId: string; cost: { paid: string }; tax: { paid: string } }[];
    // 5,000 of costs (체납처분비) first, then tax of the older bill (B2, due January) before B1.
    expect(bills.find((b) => b.billId === 'B2')).toMatchObject({ cost: { paid: '5000' }, tax: { paid: '100000' } });
    expect(bills.find((b) => b.billId === 'B1')).toMatchObject({ tax: { paid: '0' } });
    expect(answer.body.status).toBe('REGISTERED');
  });

  it('closes the case as PAID when everything is paid, releases coins, refunds the surplus, and refunds a later payment whole', async () => {
    const caseId = await registerCaseVia(api);
    await seize(api, caseId);
    await custody(api, caseId);
    const paid = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-ALL', amount: '2000000', receivedOn: '2025-06-30' },
    });
    expect(paid.body).toMatchObject({
      status: 'PAID',
      refundPayable: '759000',
      holdings: [{ released: '0.05', available: '0' }],
    });
    const statement = await table.store.statement('cheongju', caseId);
    expect(statement?.releases).toEqual([expect.objectContaining({ market: 'KRW-BTC', reason: 'PAID' })]);
    const late = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-LATE', amount: '1000', receivedOn: '2025-07-01' },
    });
    // Money received is never refused: booked whole as a refund payable, with its record and notice.
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: 'PAID', refundPayable: '760000' });
    const after = await table.store.statement('cheongju', caseId);
    expect(after?.payments.map((p) => p.paymentId)).toEqual(expect.arrayContaining(['RCPT-ALL', 'RCPT-LATE']));
    expect(after?.notices.map((n) => n.kind).slice(-1)).toEqual(['REFUND']);
  });

  it.each([
    ['a missing amount', { paymentId: 'P', receivedOn: '2025-07-01' }, '/amount', 'is required'],
    ['won as a JSON number', { paymentId: 'P', amount: 1000, receivedOn: '2025-07-01' }, '/amount', 'must be a string'],
    ['negative won', { paymentId: 'P', amount: '-1000', receivedOn: '2025-07-01' }, '/amount', 'whole, non-negative'],
    [
      'fractional won',
      { paymentId: 'P', amount: '1000.5', receivedOn: '2025-07-01' },
      '/amount',
      'whole, non-negative',
    ],
    ['zero won', { paymentId: 'P', amount: '0', receivedOn: '2025-07-01' }, '/amount', 'more than 0'],
    ['a bad date', { paymentId: 'P', amount: '1000', receivedOn: '07/01/2025' }, '/receivedOn', 'YYYY-MM-DD'],
    [
      'a bad payment id',
      { paymentId: 'P#1', amount: '1000', receivedOn: '2025-07-01' },
      '/paymentId',
      'letters, digits',
    ],
  ])('refuses %s with 400', async (_what, payment, pointer, detail) => {
    const caseId = await registerCaseVia(api);
    const answer = await api.call('POST', `/cases/${caseId}/payments`, { body: { cityId: 'cheongju', ...payment } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ pointer, detail: expect.stringContaining(detail) })]);
    expect((await table.store.get('cheongju', caseId))?.version).toBe(1);
  });

  it('refuses an unknown case, an officer, and the same payment id under a new key; replays the same key', async () => {
    const caseId = await registerCaseVia(api);
    const body = { cityId: 'cheongju', paymentId: 'RCPT-9', amount: '1000', receivedOn: '2025-06-30' };
    expect((await api.call('POST', '/cases/c-none/payments', { body })).status).toBe(404);
    expect((await api.call('POST', `/cases/${caseId}/payments`, { body, as: 'officer' })).status).toBe(403);
    const first = await api.call('POST', `/cases/${caseId}/payments`, { body, key: `pay-${caseId}` });
    const again = await api.call('POST', `/cases/${caseId}/payments`, { body, key: `pay-${caseId}` });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    const twice = await api.call('POST', `/cases/${caseId}/payments`, { body, key: `pay-${caseId}-2` });
    expect(twice.status).toBe(422);
    expect(twice.body).toMatchObject({ code: 'DUPLICATE_PAYMENT' });
    const statement = await table.store.statement('cheongju', caseId);
    expect(statement?.payments.map((p) => p.paymentId)).toEqual(['RCPT-9']);
  });

  it('refuses a payment reference already booked on another case of the city (422), and books it in another city', async () => {
    const first = await registerCaseVia(api);
    const second = await registerCaseVia(api);
    const body = { cityId: 'cheongju', paymentId: 'BANK-TX-77', amount: '50000', receivedOn: '2025-06-30' };
    expect((await api.call('POST', `/cases/${first}/payments`, { body })).status).toBe(200);
    const before = await table.store.get('cheongju', second);

    const elsewhere = await api.call('POST', `/cases/${second}/payments`, { body });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body).toMatchObject({ code: 'DUPLICATE_PAYMENT', detail: expect.stringContaining(first) });
    expect(await table.store.get('cheongju', second)).toEqual(before); // nothing booked on the second case
    expect((await table.store.statement('cheongju', second))?.payments).toEqual([]);

    // Payment references are the city's own: another city may use the same one.
    const sejong = await registerCaseVia(api, { cityId: 'sejong' });
    expect(
      (await api.call('POST', `/cases/${sejong}/payments`, { body: { ...body, cityId: 'sejong' }, as: 'sejongCity' }))
        .status,
    ).toBe(200);
  });
});

describe('POST /cases/{caseId}/sale-requests', () => {
  /** The taxpayer phoned the tax office the evening before; a clerk relays it. */
  const evidence = {
    relayedBy: '세무과 김주무관',
    receivedAt: '2025-08-31T18:30:00+09:00',
    channel: 'PHONE',
    reference: 'CALL-2025-0831-17',
  };

  it('records the taxpayer’s request with floor prices and the evidence that they asked: the case becomes DUE, the audit shows who relayed it, when and how', async () => {
    const caseId = await registerCaseVia(api);
    await seize(api, caseId);
    await custody(api, caseId);
    const answer = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', limitPrices: { 'KRW-BTC': '150000000' }, evidence },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'DUE',
      saleRequest: {
        requestedAt: '2025-09-01T00:00:00.000Z',
        limitPrices: { 'KRW-BTC': '150000000' },
        evidence: { ...evidence, receivedAt: '2025-08-31T09:30:00.000Z' },
      },
    });
    const statement = await api.call('GET', `/cases/${caseId}/statement`, { query: { city: 'cheongju' } });
    expect(statement.status).toBe(200);
    const entry = (statement.body.history as { action: string; evidence?: Record<string, string> }[]).find(
      (a) => a.action === 'TAXPAYER_SALE_REQUEST',
    );
    expect(entry?.evidence).toEqual({
      relayedBy: evidence.relayedBy,
      receivedAt: '2025-08-31T09:30:00.000Z',
      channel: 'PHONE',
      reference: evidence.reference,
    });
    // Waiting for its sale: the deadline check finds it from the day of the request.
    const due = await table.store.dueByDeadline('2025-09-01', { limit: 100 });
    expect(due.items.map((e) => e.caseId)).toContain(caseId);
  });

  it('refuses a request without evidence, or received in the future, and writes nothing', async () => {
    const caseId = await registerCaseVia(api);
    await seize(api, caseId);
    await custody(api, caseId);
    const version = (await table.store.get('cheongju', caseId))!.version;
    const none = await api.call('POST', `/cases/${caseId}/sale-requests`, { body: { cityId: 'cheongju' } });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ pointer: '/evidence' })]);
    const anonymous = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', evidence: { ...evidence, relayedBy: ' ' } },
    });
    expect(anonymous.status).toBe(400);
    const future = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', evidence: { ...evidence, receivedAt: '2025-09-02T00:00:00Z' } },
    });
    expect(future.status).toBe(422);
    expect((await table.store.get('cheongju', caseId))!.version).toBe(version);
  });

  it('refuses before custody (409), bad prices, an unknown case, an officer; replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    const early = await api.call('POST', `/cases/${caseId}/sale-requests`, { body: { cityId: 'cheongju', evidence } });
    expect(early.status).toBe(409);
    const price = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', limitPrices: { 'KRW-BTC': 150000000 }, evidence },
    });
    expect(price.body.errors).toEqual([expect.objectContaining({ pointer: '/limitPrices/KRW-BTC' })]);
    const market = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', limitPrices: { BTC: '1' }, evidence },
    });
    expect(market.status).toBe(400);
    expect(
      (await api.call('POST', '/cases/c-none/sale-requests', { body: { cityId: 'cheongju', evidence } })).status,
    ).toBe(404);
    expect(
      (
        await api.call('POST', `/cases/${caseId}/sale-requests`, {
          body: { cityId: 'cheongju', evidence },
          as: 'officer',
        })
      ).status,
    ).toBe(403);
    await seize(api, caseId);
    await custody(api, caseId);
    const key = `sale-${caseId}`;
    const first = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', evidence },
      key,
    });
    const again = await api.call('POST', `/cases/${caseId}/sale-requests`, {
      body: { cityId: 'cheongju', evidence },
      key,
    });
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await table.store.get('cheongju', caseId))?.version).toBe(4);
  });
});
