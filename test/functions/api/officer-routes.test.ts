import { registerCaseVia, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

const hold = (caseId: string, extra: Record<string, unknown> = {}) =>
  api.call('POST', `/cases/${caseId}/holds`, {
    body: { cityId: 'cheongju', kind: 'APPEAL', reason: '이의신청 접수', ...extra },
    as: 'officer',
  });

describe('POST /cases/{caseId}/holds', () => {
  it('puts the case on hold and answers the hold id', async () => {
    const caseId = await registerCaseVia(api);
    const answer = await hold(caseId);
    expect(answer.status).toBe(201);
    expect(String(answer.body.holdId)).toMatch(/^h[0-9A-Z]{26}$/);
    expect(answer.body.case).toMatchObject({
      status: 'ON_HOLD',
      resumeStatus: 'REGISTERED',
      holds: [{ kind: 'APPEAL', active: true, from: '2025-09-01' }],
    });
    const audit = (await table.store.statement('cheongju', caseId))?.audit.at(-1);
    expect(audit).toMatchObject({
      action: 'PLACE_HOLD',
      reason: '이의신청 접수',
      actor: { kind: 'OFFICER', id: 'kim.officer' },
    });
  });

  it('is for officers only, validates, knows unknown cases and closed ones, and replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    const city = await api.call('POST', `/cases/${caseId}/holds`, {
      body: { cityId: 'cheongju', kind: 'APPEAL', reason: 'x' },
    });
    expect(city.status).toBe(403);
    expect(city.body).toMatchObject({ type: 'urn:crypto-tax-recovery:problem:forbidden' });
    expect((await hold(caseId, { kind: 'PRAYER' })).body.errors).toEqual([
      expect.objectContaining({ pointer: '/kind' }),
    ]);
    expect((await hold(caseId, { reason: '' })).body.errors).toEqual([
      expect.objectContaining({ pointer: '/reason', detail: 'must not be empty' }),
    ]);
    expect((await hold(caseId, { reason: 42 })).body.errors).toEqual([
      expect.objectContaining({
        pointer: '/reason',
        detail: 'must be a string: amounts, quantities and ids are JSON strings (e.g. "150000"), never numbers',
      }),
    ]);
    expect((await hold('c-none')).status).toBe(404);
    const key = `hold-${caseId}`;
    const body = { cityId: 'cheongju', kind: 'LAWSUIT', reason: '행정소송' };
    const first = await api.call('POST', `/cases/${caseId}/holds`, { body, key, as: 'officer' });
    const again = await api.call('POST', `/cases/${caseId}/holds`, { body, key, as: 'officer' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await table.store.get('cheongju', caseId))?.holds).toHaveLength(1);
    await api.call('POST', `/cases/${caseId}/cancel`, { body: { cityId: 'cheongju', reason: '취소' }, as: 'officer' });
    expect((await hold(caseId)).status).toBe(409);
  });
});

describe('DELETE /cases/{caseId}/holds/{holdId}', () => {
  it('lifts the last hold and resumes the case', async () => {
    const caseId = await registerCaseVia(api);
    const holdId = String((await hold(caseId)).body.holdId);
    api.clock.now = new Date('2025-09-05T00:00:00Z');
    try {
      const answer = await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, {
        query: { city: 'cheongju' },
        as: 'officer',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'REGISTERED', holds: [{ holdId, active: false, to: '2025-09-05' }] });
    } finally {
      api.clock.now = new Date('2025-09-01T00:00:00Z');
    }
  });

  it('refuses an unknown hold (422), a missing city, the city system, an unknown case; replays a repeat; needs a key', async () => {
    const caseId = await registerCaseVia(api);
    const holdId = String((await hold(caseId)).body.holdId);
    const unknown = await api.call('DELETE', `/cases/${caseId}/holds/h-unknown`, {
      query: { city: 'cheongju' },
      as: 'officer',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_HOLD' });
    expect((await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, { as: 'officer' })).body.errors).toEqual([
      { in: 'query', name: 'city', detail: 'is required' },
    ]);
    expect((await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, { query: { city: 'cheongju' } })).status).toBe(
      403,
    );
    expect(
      (await api.call('DELETE', `/cases/c-none/holds/${holdId}`, { query: { city: 'cheongju' }, as: 'officer' }))
        .status,
    ).toBe(404);
    const noKey = await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, {
      query: { city: 'cheongju' },
      as: 'officer',
      key: null,
    });
    expect(noKey.body.errors).toEqual([
      { in: 'header', name: 'Idempotency-Key', detail: 'is required on every POST, PUT and DELETE' },
    ]);
    const key = `lift-${caseId}`;
    const first = await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, {
      query: { city: 'cheongju' },
      as: 'officer',
      key,
    });
    const again = await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, {
      query: { city: 'cheongju' },
      as: 'officer',
      key,
    });
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // Lifted already: under a new key the rule refuses it.
    expect(
      (await api.call('DELETE', `/cases/${caseId}/holds/${holdId}`, { query: { city: 'cheongju' }, as: 'officer' }))
        .status,
    ).toBe(422);
  });
});

describe('POST /cases/{caseId}/cancel', () => {
  it('cancels the case, releases coins and notifies', async () => {
    const caseId = await registerCaseVia(api);
    await api.call('POST', `/cases/${caseId}/seizures`, {
      body: { cityId: 'cheongju', seizures: [{ market: 'KRW-XRP', quantity: '1200.5' }] },
    });
    await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-XRP', quantity: '1200.5' },
    });
    const answer = await api.call('POST', `/cases/${caseId}/cancel`, {
      body: { cityId: 'cheongju', reason: '부과 취소' },
      as: 'officer',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'CANCELLED',
      holdings: [{ market: 'KRW-XRP', released: '1200.5', available: '0' }],
    });
    const s = await table.store.statement('cheongju', caseId);
    expect(s?.releases).toEqual([
      expect.objectContaining({ market: 'KRW-XRP', reason: 'CANCELLED', status: 'PENDING' }),
    ]);
    // The seizure notices first (to the exchange and the taxpayer), the release notice last.
    expect(s?.notices[0]?.kind).toBe('SEIZURE');
    expect(s?.notices.at(-1)?.kind).toBe('RELEASE');
  });

  it('is for officers only, needs a reason, knows unknown cases, refuses a cancelled case; replays a repeat', async () => {
    const caseId = await registerCaseVia(api);
    expect(
      (await api.call('POST', `/cases/${caseId}/cancel`, { body: { cityId: 'cheongju', reason: 'x' } })).status,
    ).toBe(403);
    expect(
      (await api.call('POST', `/cases/${caseId}/cancel`, { body: { cityId: 'cheongju' }, as: 'officer' })).body.errors,
    ).toEqual([{ in: 'body', pointer: '/reason', detail: 'is required' }]);
    expect(
      (await api.call('POST', '/cases/c-none/cancel', { body: { cityId: 'cheongju', reason: 'x' }, as: 'officer' }))
        .status,
    ).toBe(404);
    const key = `cancel-${caseId}`;
    const first = await api.call('POST', `/cases/${caseId}/cancel`, {
      body: { cityId: 'cheongju', reason: '취소' },
      as: 'officer',
      key,
    });
    const again = await api.call('POST', `/cases/${caseId}/cancel`, {
      body: { cityId: 'cheongju', reason: '취소' },
      as: 'officer',
      key,
    });
    expect(again.body).toEqual(first.body);
    const twice = await api.call('POST', `/cases/${caseId}/cancel`, {
      body: { cityId: 'cheongju', reason: '취소' },
      as: 'officer',
    });
    expect(twice.status).toBe(409);
    expect((await table.store.statement('cheongju', caseId))?.audit.map((a) => a.action)).toEqual([
      'REGISTER',
      'CANCEL',
    ]);
  });
});
