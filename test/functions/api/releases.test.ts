/** The release routes: an officer records the destination, two different officers approve. */
import { registerCaseVia, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

async function cancelledWithCoins(quantity = '1.5'): Promise<{ caseId: string; releaseId: string }> {
  const caseId = await registerCaseVia(api);
  expect(
    (
      await api.call('POST', `/cases/${caseId}/seizures`, {
        body: { cityId: 'cheongju', seizures: [{ market: 'KRW-ETH', quantity }] },
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await api.call('POST', `/cases/${caseId}/custody`, {
        body: { cityId: 'cheongju', market: 'KRW-ETH', quantity },
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await api.call('POST', `/cases/${caseId}/cancel`, {
        as: 'officer',
        body: { cityId: 'cheongju', reason: 'bills withdrawn' },
      })
    ).status,
  ).toBe(200);
  const list = await api.call('GET', '/releases', { as: 'officer', query: { city: 'cheongju' } });
  const mine = (list.body.items as { caseId: string; releaseId: string; status: string; quantity: string }[]).filter(
    (r) => r.caseId === caseId,
  );
  expect(mine.map((r) => [r.status, r.quantity])).toEqual([['PENDING', quantity]]);
  return { caseId, releaseId: mine[0]!.releaseId };
}

const destination = { cityId: 'cheongju', exchange: 'upbit', netType: 'ETH', address: '0xTaxpayer0001' };

describe('release routes', () => {
  it('takes a destination from an officer and approvals from two different officers', async () => {
    const { caseId, releaseId } = await cancelledWithCoins();
    const base = `/cases/${caseId}/releases/${releaseId}`;
    expect(
      (await api.call('POST', `${base}/approvals`, { as: 'officer', body: { cityId: 'cheongju' } })).body,
    ).toMatchObject({ code: 'NO_DESTINATION' });
    const recorded = await api.call('PUT', `${base}/destination`, { as: 'officer', body: destination });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({
      status: 'PENDING',
      destination: { address: '0xTaxpayer0001', netType: 'ETH' },
      approvals: [],
    });
    const first = await api.call('POST', `${base}/approvals`, {
      as: 'officer',
      body: { cityId: 'cheongju' },
      key: `approve-${releaseId}`,
    });
    expect(first.body).toMatchObject({ status: 'PENDING' });
    // A retry of the same request (same key) gets the first answer; a new request by the same officer is refused.
    const retry = await api.call('POST', `${base}/approvals`, {
      as: 'officer',
      body: { cityId: 'cheongju' },
      key: `approve-${releaseId}`,
    });
    expect([retry.status, retry.headers['Idempotent-Replayed'], retry.body]).toEqual([200, 'true', first.body]);
    const same = await api.call('POST', `${base}/approvals`, { as: 'officer', body: { cityId: 'cheongju' } });
    expect([same.status, same.body.code]).toEqual([422, 'SAME_OFFICER']);
    const second = await api.call('POST', `${base}/approvals`, { as: 'officer2', body: { cityId: 'cheongju' } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'APPROVED' });
    expect((second.body.approvals as { by: string }[]).map((a) => a.by.split('/').pop())).toEqual([
      'kim.officer',
      'lee.officer',
    ]);
    // Once approved, the destination is fixed.
    expect((await api.call('PUT', `${base}/destination`, { as: 'officer', body: destination })).body).toMatchObject({
      code: 'ILLEGAL_RELEASE_STATE',
    });
  });

  it('refuses a destination at another exchange whose withdrawal fee would take all the coins, and writes nothing', async () => {
    // 0.01 ETH is the fee per withdrawal (the stack's fee table): 0.005 ETH cannot leave the exchange.
    const { caseId, releaseId } = await cancelledWithCoins('0.005');
    const base = `/cases/${caseId}/releases/${releaseId}`;
    const elsewhere = { ...destination, exchange: 'bithumb' };
    const refused = await api.call('PUT', `${base}/destination`, { as: 'officer', body: elsewhere });
    expect([refused.status, refused.body.code]).toEqual([422, 'BELOW_FEE']);
    expect(refused.body.detail).toContain('an account at upbit takes it without a fee');
    const list = await api.call('GET', '/releases', { as: 'officer', query: { city: 'cheongju' } });
    expect(
      (list.body.items as { releaseId: string; destination?: unknown }[]).find((r) => r.releaseId === releaseId),
    ).not.toHaveProperty('destination');
    // The taxpayer's account at the same exchange takes it: an internal transfer has no fee.
    const internal = await api.call('PUT', `${base}/destination`, { as: 'officer', body: destination });
    expect([internal.status, internal.body.status]).toEqual([200, 'PENDING']);
  });

  it('refuses the city system and invalid destinations, and answers 404 for an unknown release', async () => {
    const { caseId, releaseId } = await cancelledWithCoins();
    const base = `/cases/${caseId}/releases/${releaseId}`;
    expect((await api.call('PUT', `${base}/destination`, { as: 'city', body: destination })).status).toBe(403);
    const bad = await api.call('PUT', `${base}/destination`, {
      as: 'officer',
      body: { ...destination, address: 'has space' },
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await api.call('PUT', `/cases/${caseId}/releases/${caseId}.v99.r0/destination`, {
          as: 'officer',
          body: destination,
        })
      ).status,
    ).toBe(404);
  });

  it('keeps releases to the officers of their city', async () => {
    const { caseId, releaseId } = await cancelledWithCoins();
    const base = `/cases/${caseId}/releases/${releaseId}`;
    expect((await api.call('GET', '/releases', { as: 'city', query: { city: 'cheongju' } })).status).toBe(403);
    expect((await api.call('GET', '/releases', { as: 'sejongOfficer', query: { city: 'cheongju' } })).status).toBe(403);
    expect((await api.call('PUT', `${base}/destination`, { as: 'sejongOfficer', body: destination })).status).toBe(403);
    expect(
      (await api.call('POST', `${base}/approvals`, { as: 'sejongOfficer', body: { cityId: 'cheongju' } })).status,
    ).toBe(403);
    // Nothing was written by the refused calls.
    const list = await api.call('GET', '/releases', { as: 'officer', query: { city: 'cheongju' } });
    const release = (list.body.items as { releaseId: string; approvals: unknown[]; destination?: unknown }[]).find(
      (r) => r.releaseId === releaseId,
    );
    expect([release?.approvals, release?.destination]).toEqual([[], undefined]);
  });
});
