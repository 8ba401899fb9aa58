/**
 * Defects the API fuzzing (fuzz.test.ts) found, each held by a plain test: the request is refused
 * with a 400 (or 404) problem+json naming the field, and nothing is written.
 */
import { testApi, registerCaseVia, registration } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
let api: ReturnType<typeof testApi>;
beforeAll(() => {
  api = testApi(table);
});

const namesField = (
  answer: { status: number; headers: Record<string, unknown>; body: Record<string, unknown> },
  pointer: string,
) => {
  expect(answer.status).toBe(400);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body', pointer })]));
};

describe('defects found by fuzzing', () => {
  it('refuses control and bidirectional formatting characters in names and reasons (they were stored)', async () => {
    for (const name of ['김\u202e납세', 'Kim\u0000', 'Lee\u2066x\u2069', 'Park\u001b[31m']) {
      const answer = await api.call('POST', '/cases', {
        body: registration({ taxpayer: { ref: 'TP-1', name, contact: {} } }),
      });
      namesField(answer, '/taxpayer/name');
    }
    const caseId = await registerCaseVia(api);
    for (const reason of ['이의신청\u200f', '이의신청\t', '\r이의신청']) {
      const hold = await api.call('POST', `/cases/${caseId}/holds`, {
        as: 'officer',
        body: { cityId: 'cheongju', kind: 'APPEAL', reason },
      });
      namesField(hold, '/reason');
    }
    const c = await api.call('GET', `/cases/${caseId}`, { query: { city: 'cheongju' } });
    expect(c.body.holds).toEqual([]);
  });

  it('counts a text’s length before trimming it (a reason padded with 70,000 spaces was stored)', async () => {
    const caseId = await registerCaseVia(api);
    const answer = await api.call('POST', `/cases/${caseId}/holds`, {
      as: 'officer',
      body: { cityId: 'cheongju', kind: 'APPEAL', reason: `${' '.repeat(70_000)}y` },
    });
    namesField(answer, '/reason');
  });

  it('refuses dates outside 2000–2099 (a bill surcharged as of 9999-12-31 or due in year 1 was stored)', async () => {
    const caseId = await registerCaseVia(api);
    const bills = (surchargeAsOf: string, dueDate = '2025-01-31') => [
      { billId: 'B2', taxItem: '자동차세', dueDate, cost: '5000', tax: '150000', surcharge: '6000', surchargeAsOf },
    ];
    namesField(
      await api.call('PUT', `/cases/${caseId}/bills`, { body: { cityId: 'cheongju', bills: bills('9999-12-31') } }),
      '/bills/0/surchargeAsOf',
    );
    namesField(
      await api.call('PUT', `/cases/${caseId}/bills`, {
        body: { cityId: 'cheongju', bills: bills('2025-06-30', '0001-01-01') },
      }),
      '/bills/0/dueDate',
    );
    namesField(
      await api.call('POST', `/cases/${caseId}/sale-requests`, {
        body: {
          cityId: 'cheongju',
          evidence: { relayedBy: 'kim', receivedAt: '0001-01-01T00:00:00Z', channel: 'PHONE' },
        },
      }),
      '/evidence/receivedAt',
    );
    const c = await api.call('GET', `/cases/${caseId}`, { query: { city: 'cheongju' } });
    expect(c.body.version).toBe(1);
  });

  it('reads a page size as digits only ("0x10" and "1e1" were read as numbers)', async () => {
    for (const limit of ['0x10', '1e1', ' 5', '5.0', '0']) {
      const answer = await api.call('GET', '/cases', { query: { city: 'cheongju', limit } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'limit' })]);
    }
    expect((await api.call('GET', '/cases', { query: { city: 'cheongju', limit: '100' } })).status).toBe(200);
  });

  it('refuses an empty cursor (it was read as the first page)', async () => {
    const answer = await api.call('GET', '/cases', { query: { city: 'cheongju', cursor: '' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'query', name: 'cursor' })]);
  });

  it('answers 404 for a release id of an unknown case (it was a 500)', async () => {
    const destination = { cityId: 'cheongju', exchange: 'Upbit', netType: 'BTC', address: 'bc1qexample' };
    const answer = await api.call('PUT', '/cases/cUNKNOWN0000000000000000000/releases/x-1/destination', {
      as: 'officer',
      body: destination,
    });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    const approval = await api.call('POST', '/cases/cUNKNOWN0000000000000000000/releases/cOTHER.v3.r1/approvals', {
      as: 'officer',
      body: { cityId: 'cheongju' },
    });
    expect(approval.status).toBe(404);
  });
});
