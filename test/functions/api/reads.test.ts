import type { z } from 'zod';
import type { StatementView } from '../../../functions/api/schemas';
import { registerCaseVia, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

describe('GET /cases/{caseId}/statement', () => {
  it('shows bills, payments, how each won was applied, refunds, releases, notices and history', async () => {
    const caseId = await registerCaseVia(api);
    await api.call('POST', `/cases/${caseId}/seizures`, {
      body: { cityId: 'cheongju', seizures: [{ market: 'KRW-ETH', quantity: '1.25' }] },
    });
    await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-ETH', quantity: '1.25' },
    });
    await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-A', amount: '41000', receivedOn: '2025-06-30' },
    });
    await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-B', amount: '1300000', receivedOn: '2025-06-30' },
    });
    const answer = await api.call('GET', `/cases/${caseId}/statement`, { query: { city: 'cheongju' }, as: 'officer' });
    expect(answer.status).toBe(200);
    const s = answer.body as unknown as z.infer<typeof StatementView>;
    expect(s).toMatchObject({ caseId, status: 'PAID', taxpayerRef: 'TP-0001', refundPayable: '100000' });
    expect(s.payments).toEqual([
      expect.objectContaining({ paymentId: 'RCPT-A', amount: '41000', receivedOn: '2025-06-30' }),
      expect.objectContaining({ paymentId: 'RCPT-B', amount: '1300000', receivedOn: '2025-06-30' }),
    ]);
    // RCPT-A: costs first (5,000), then tax of the older bill (B2).
    expect(s.applications[0]).toMatchObject({
      source: 'RCPT-A',
      allocations: [
        { billId: 'B2', component: 'COST', amount: '5000' },
        { billId: 'B2', component: 'TAX', amount: '36000' },
      ],
      refund: '0',
    });
    expect(s.refunds).toEqual([expect.objectContaining({ source: 'RCPT-B', amount: '100000' })]);
    expect(s.totals).toMatchObject({ paidIn: '1341000', allocated: '1241000', refunded: '100000', outstanding: '0' });
    expect(s.releases).toEqual([expect.objectContaining({ market: 'KRW-ETH', quantity: '1.25', reason: 'PAID' })]);
    expect(s.notices[0]?.kind).toBe('SEIZURE');
    expect(s.notices.slice(-2)).toEqual([
      expect.objectContaining({ kind: 'RELEASE', status: 'PENDING' }),
      expect.objectContaining({ kind: 'REFUND', status: 'PENDING' }),
    ]);
    expect(s.history.map((h) => `${h.action}:${h.by}`)).toEqual([
      'REGISTER:CITY_SYSTEM',
      'REQUEST_TRANSFER:CITY_SYSTEM',
      'CONFIRM_CUSTODY:CITY_SYSTEM',
      'RECORD_PAYMENT:CITY_SYSTEM',
      'RECORD_PAYMENT:CITY_SYSTEM',
    ]);
    // The taxpayer's statement names roles, not the officers' or systems' identities.
    expect(JSON.stringify(s)).not.toContain('arn:aws');
  });

  it('answers 404 for an unknown case, 400 without a city, 403 to an unknown caller', async () => {
    expect((await api.call('GET', '/cases/c-none/statement', { query: { city: 'cheongju' } })).status).toBe(404);
    expect((await api.call('GET', '/cases/c-none/statement')).status).toBe(400);
    expect(
      (await api.call('GET', '/cases/c-none/statement', { query: { city: 'cheongju' }, as: 'stranger' })).status,
    ).toBe(403);
  });
});

describe('GET /reports/summary', () => {
  it('counts cases by status and sums arrears, recoveries and coins held', async () => {
    const a = await registerCaseVia(api, { cityId: 'sejong' });
    const b = await registerCaseVia(api, { cityId: 'sejong' });
    await registerCaseVia(api, { cityId: 'sejong' });
    await api.call('POST', `/cases/${a}/payments`, {
      body: { cityId: 'sejong', paymentId: 'R-1', amount: '41000', receivedOn: '2025-06-30' },
      as: 'sejongCity',
    });
    await api.call('POST', `/cases/${b}/seizures`, {
      body: { cityId: 'sejong', seizures: [{ market: 'KRW-BTC', quantity: '0.1' }] },
      as: 'sejongCity',
    });
    await api.call('POST', `/cases/${b}/custody`, {
      body: { cityId: 'sejong', market: 'KRW-BTC', quantity: '0.1' },
      as: 'sejongCity',
    });
    const answer = await api.call('GET', '/reports/summary', { query: { city: 'sejong' }, as: 'sejongOfficer' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      cityId: 'sejong',
      cases: { total: 3, byStatus: { REGISTERED: 2, IN_CUSTODY: 1, PAID: 0 } },
      arrearsOutstanding: String(3 * 1241000 - 41000),
      recoveredToDate: '41000',
      refundPayable: '0',
      holdings: [{ market: 'KRW-BTC', available: '0.1', bid: null, valueKrw: null, pricedAt: null }],
    });
  });

  it('refuses a city it does not serve and an unknown caller', async () => {
    const answer = await api.call('GET', '/reports/summary', { query: { city: 'busan' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ in: 'query', name: 'city', detail: 'is not a city this deployment serves' }]);
    expect((await api.call('GET', '/reports/summary', { query: { city: 'sejong' }, as: 'anonymous' })).status).toBe(
      403,
    );
  });
});
