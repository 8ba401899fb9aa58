/**
 * Many cities in one deployment (docs/LEGAL.md "Many cities"): every caller acts only for its
 * cities, on every route; each city's settings come from its item in the table, changed by its
 * officers only and recorded; an auditor reads, including a case's audit trail, and changes nothing.
 */
import { routes } from '../../../functions/api/routes';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { renderNotice } from '#domain/notices';
import { registerCaseVia, testApi, type Who } from '../../support/api';
import { SEJONG_SETTINGS, useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);

const concrete = (path: string, caseId: string) =>
  path
    .replace('{caseId}', caseId)
    .replace('{saleId}', `${caseId}-sale-1`)
    .replace('{holdId}', 'h1')
    .replace('{noticeId}', `${caseId}.v4.0.PRE_SALE`);

describe('callers act for their own cities only', () => {
  it.each<Who>(['sejongCity', 'sejongOfficer'])(
    'refuses %s on every route of a Cheongju case with 403, and writes nothing',
    async (who) => {
      const caseId = await registerCaseVia(api);
      const before = await table.store.statement('cheongju', caseId);
      for (const route of routes) {
        const path = concrete(route.path, caseId);
        const answer = route.body
          ? await api.call(route.method, path, { body: { cityId: 'cheongju' }, as: who })
          : await api.call(route.method, path, { query: { city: 'cheongju' }, as: who });
        expect([route.method, route.path, answer.status]).toEqual([route.method, route.path, 403]);
      }
      const after = await table.store.statement('cheongju', caseId);
      expect(after?.case.version).toBe(before?.case.version);
      expect(after?.audit).toHaveLength(before?.audit.length ?? -1);
    },
  );

  it('does not find another city’s case under the caller’s own city', async () => {
    const caseId = await registerCaseVia(api);
    expect((await api.call('GET', `/cases/${caseId}`, { query: { city: 'sejong' }, as: 'sejongCity' })).status).toBe(
      404,
    );
    expect(
      (
        await api.call('POST', `/cases/${caseId}/payments`, {
          body: { cityId: 'sejong', paymentId: 'X-1', amount: '1000', receivedOn: '2025-06-30' },
          as: 'sejongCity',
        })
      ).status,
    ).toBe(404);
  });
});

describe('city settings', () => {
  it('are read and changed by the city’s officers only, validated, and every change recorded with who made it', async () => {
    const read = await api.call('GET', '/settings', { query: { city: 'sejong' }, as: 'sejongOfficer' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ cityId: 'sejong', version: 1, settings: SEJONG_SETTINGS });
    // Another city's officer and the city's own system may not change them.
    const changed = { ...SEJONG_SETTINGS, notices: { ...SEJONG_SETTINGS.notices, phone: '044-300-9999' } };
    expect(
      (
        await api.call('PUT', '/settings', {
          body: { cityId: 'sejong', expectedVersion: 1, settings: changed },
          as: 'officer',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api.call('PUT', '/settings', {
          body: { cityId: 'sejong', expectedVersion: 1, settings: changed },
          as: 'sejongCity',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api.call('PUT', '/settings', {
          body: { cityId: 'sejong', expectedVersion: 1, settings: changed },
          as: 'auditor',
        })
      ).status,
    ).toBe(403);
    // Invalid settings: 400 naming the field, nothing written.
    const invalid = await api.call('PUT', '/settings', {
      body: { cityId: 'sejong', expectedVersion: 1, settings: { ...changed, preSaleNoticeDays: 0 } },
      as: 'sejongOfficer',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/settings/preSaleNoticeDays' }),
    ]);
    const otherCity = await api.call('PUT', '/settings', {
      body: { cityId: 'sejong', expectedVersion: 1, settings: { ...changed, cityId: 'cheongju' } },
      as: 'sejongOfficer',
    });
    expect(otherCity.status).toBe(400);
    // The change, then a stale one.
    const put = await api.call('PUT', '/settings', {
      body: { cityId: 'sejong', expectedVersion: 1, settings: changed },
      as: 'sejongOfficer',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      version: 2,
      updatedBy: 'choi.officer',
      settings: { notices: { phone: '044-300-9999' } },
    });
    expect((put.body.changes as { by: string }[]).map((c) => c.by)).toEqual(['test-setup', 'choi.officer']);
    expect(
      (
        await api.call('PUT', '/settings', {
          body: { cityId: 'sejong', expectedVersion: 1, settings: changed },
          as: 'sejongOfficer',
        })
      ).status,
    ).toBe(409);
    const changes = await table.settings.changes('sejong');
    expect(changes.at(-1)).toMatchObject({ by: 'choi.officer', version: 2, before: SEJONG_SETTINGS, after: changed });
    // What the functions read (uncached here: a fresh source) is the new settings.
    await expect(table.settings.get('sejong')).resolves.toEqual(changed);
    expect(await table.settings.get('cheongju')).toEqual(DEFAULT_CITY_SETTINGS);
  });
});

describe('the auditor', () => {
  it('reads every city it audits, the case’s full audit trail with actors, and may change nothing', async () => {
    const caseId = await registerCaseVia(api);
    await api.call('POST', `/cases/${caseId}/holds`, {
      body: { cityId: 'cheongju', kind: 'APPEAL', reason: '이의신청' },
      as: 'officer',
    });
    expect((await api.call('GET', `/cases/${caseId}`, { query: { city: 'cheongju' }, as: 'auditor' })).status).toBe(
      200,
    );
    expect((await api.call('GET', '/reports/summary', { query: { city: 'sejong' }, as: 'auditor' })).status).toBe(200);
    const trail = await api.call('GET', `/audit-trails/${caseId}`, { query: { city: 'cheongju' }, as: 'auditor' });
    expect(trail.status).toBe(200);
    expect(
      (trail.body.entries as { action: string; actor: { kind: string; id: string } }[]).map((e) => [
        e.action,
        e.actor.kind,
        e.actor.id,
      ]),
    ).toEqual([
      ['REGISTER', 'CITY_SYSTEM', 'arn:aws:sts::111122223333:assumed-role/city-tax-system/relay-1'],
      ['PLACE_HOLD', 'OFFICER', 'kim.officer'],
    ]);
    // The city's own system does not see the trail; nobody unknown does.
    expect((await api.call('GET', `/audit-trails/${caseId}`, { query: { city: 'cheongju' }, as: 'city' })).status).toBe(
      403,
    );
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const answer = await api.call(
        route.method,
        concrete(route.path, caseId),
        route.body ? { body: { cityId: 'cheongju' }, as: 'auditor' } : { query: { city: 'cheongju' }, as: 'auditor' },
      );
      expect([route.method, route.path, answer.status]).toEqual([route.method, route.path, 403]);
    }
  });
});

describe('no city’s papers show another city’s details', () => {
  /** What identifies a city on paper: its name, department, phone, guides and accounts. */
  const marks = (s: typeof SEJONG_SETTINGS) => [
    s.displayName,
    s.notices.department,
    s.notices.phone,
    s.notices.paymentGuide,
    s.notices.refundGuide,
    s.notices.cityAccount,
  ];

  it('keeps each city’s notices, statements and reports to its own settings and cases', async () => {
    // As the table holds them now (a test above changed Sejong's phone).
    const cities = [
      {
        cityId: 'cheongju',
        settings: await table.settings.get('cheongju'),
        system: 'city' as const,
        officer: 'officer' as const,
      },
      {
        cityId: 'sejong',
        settings: await table.settings.get('sejong'),
        system: 'sejongCity' as const,
        officer: 'sejongOfficer' as const,
      },
    ];
    const cases: Record<string, string> = {};
    for (const c of cities) {
      const caseId = await registerCaseVia(api, {
        cityId: c.cityId,
        taxpayer: {
          ref: `TP-${c.cityId}`,
          name: `${c.cityId} 납세자`,
          contact: { phone: '010-0000-0000', address: '대전광역시 서구 둔산로 100' },
        },
      });
      cases[c.cityId] = caseId;
      await api.call('POST', `/cases/${caseId}/seizures`, {
        body: { cityId: c.cityId, seizures: [{ market: 'KRW-BTC', quantity: '0.01' }] },
        as: c.system,
      });
      await api.call('POST', `/cases/${caseId}/custody`, {
        body: { cityId: c.cityId, market: 'KRW-BTC', quantity: '0.01' },
        as: c.system,
      });
      // Paid in full with a surplus: release and refund notices too.
      await api.call('POST', `/cases/${caseId}/payments`, {
        body: { cityId: c.cityId, paymentId: `P-${c.cityId}`, amount: '2000000', receivedOn: '2025-08-01' },
        as: c.system,
      });
    }
    for (const c of cities) {
      const other = cities.find((o) => o !== c)!;
      const data = await table.store.statement(c.cityId, cases[c.cityId]!);
      const texts = data!.notices.map((n) => renderNotice(n.content).body);
      expect(data!.notices.map((n) => n.kind).sort()).toEqual(['REFUND', 'RELEASE', 'SEIZURE', 'SEIZURE']);
      for (const text of texts) {
        for (const mark of marks(c.settings).slice(0, 3)) expect(text).toContain(mark);
        for (const mark of marks(other.settings)) expect(text).not.toContain(mark);
        expect(text).not.toContain(cases[other.cityId]);
      }
      const statement = JSON.stringify(
        (await api.call('GET', `/cases/${cases[c.cityId]}/statement`, { query: { city: c.cityId }, as: c.officer }))
          .body,
      );
      const report = JSON.stringify(
        (await api.call('GET', '/reports/summary', { query: { city: c.cityId }, as: c.officer })).body,
      );
      for (const page of [statement, report]) {
        expect(page).not.toContain(other.cityId);
        expect(page).not.toContain(cases[other.cityId]);
        for (const mark of marks(other.settings)) expect(page).not.toContain(mark);
      }
    }
  });
});
