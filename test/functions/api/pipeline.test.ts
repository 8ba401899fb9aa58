import { Logger } from '@aws-lambda-powertools/logger';
import { createApi } from '../../../functions/api/app';
import { loadApiConfig, ConfigError } from '../../../functions/api/config';
import { callerOf, UnverifiedCallerError, type CallerGrant } from '../../../functions/api/roles';
import { ConcurrencyConflictError, type CaseStore } from '#domain/case-store';
import { Decimal } from '#domain/money';
import { event, registration, registerCaseVia, testApi, testConfig, TEST_GRANTS } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';
import { lambdaContext } from '../../../local/sqs';

const table = useCasesTable();
const api = testApi(table);
const silent = new Logger({ logLevel: 'SILENT' });

const parse = (body: string) => JSON.parse(body) as Record<string, unknown>;

describe('routing', () => {
  it('answers 404 problem+json for an unknown route', async () => {
    const answer = await api.call('GET', '/nowhere', { query: { city: 'cheongju' } });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 404, instance: '/nowhere' });
  });

  it('answers 405 with an Allow header for a known path and a wrong method', async () => {
    const answer = await api.call('PATCH', '/cases/c-1', { body: {} });
    expect(answer.status).toBe(405);
    expect(answer.headers.Allow).toBe('GET');
    const cases = await api.call('DELETE', '/cases');
    expect(cases.headers.Allow).toBe('GET, POST');
  });

  it('refuses an unknown principal before saying anything about routes', async () => {
    expect((await api.call('GET', '/nowhere', { as: 'stranger' })).status).toBe(403);
  });
});

describe('request parsing', () => {
  it('refuses a body that is not JSON, and one that is not declared JSON', async () => {
    const bad = await api.call('POST', '/cases', { rawBody: '{"cityId": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ in: 'body', pointer: '', detail: 'is not valid JSON' }]);
    const form = await api.call('POST', '/cases', {
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const empty = await api.call('POST', '/cases', {});
    expect(empty.body.errors).toEqual([{ in: 'body', pointer: '', detail: 'is required' }]);
  });

  it('reads a base64-encoded body as API Gateway may send it', async () => {
    const e = event('POST', '/cases', { body: registration() });
    const result = await api.handler({
      ...e,
      body: Buffer.from(e.body ?? '').toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(201);
  });

  it('requires an Idempotency-Key on changes, of sane characters', async () => {
    const none = await api.call('POST', '/cases', { body: registration(), key: null });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([
      { in: 'header', name: 'Idempotency-Key', detail: 'is required on every POST, PUT and DELETE' },
    ]);
    const odd = await api.call('POST', '/cases', { body: registration(), key: 'x'.repeat(300) });
    expect(odd.status).toBe(400);
  });
});

describe('idempotency', () => {
  it('treats a re-ordered body as the same request', async () => {
    const body = registration();
    const first = await api.call('POST', '/cases', { body, key: 'reordered' });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await api.call('POST', '/cases', { body: reordered, key: 'reordered' });
    expect(again.body).toEqual(first.body);
  });

  it('keeps keys apart between callers: the officer’s key is not the city system’s', async () => {
    const caseId = await registerCaseVia(api);
    const officer = await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-BTC', quantity: '1' },
      as: 'officer',
      key: 'shared-key',
    });
    const city = await api.call('POST', `/cases/${caseId}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'RCPT-K', amount: '1000', receivedOn: '2025-06-30' },
      key: 'shared-key',
    });
    expect(officer.status).toBe(409);
    expect(city.status).toBe(200);
  });

  it('answers the same request racing itself once, and the other copy with the same answer', async () => {
    const caseId = await registerCaseVia(api);
    const body = { cityId: 'cheongju', paymentId: 'RCPT-RACE', amount: '1000', receivedOn: '2025-06-30' };
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => api.call('POST', `/cases/${caseId}/payments`, { body, key: `race-${caseId}` })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    const c = await table.store.get('cheongju', caseId);
    expect(c?.paymentIds).toEqual(['RCPT-RACE']);
    expect(c?.version).toBe(2);
  });

  it('re-applies a change that lost a race, so concurrent payments under different keys all land', async () => {
    const caseId = await registerCaseVia(api);
    const pay = (n: number) =>
      api.call('POST', `/cases/${caseId}/payments`, {
        body: { cityId: 'cheongju', paymentId: `RCPT-C${n}`, amount: '1000', receivedOn: '2025-06-30' },
      });
    const answers = await Promise.all([pay(1), pay(2)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect((await table.store.get('cheongju', caseId))?.paymentIds.sort()).toEqual(['RCPT-C1', 'RCPT-C2']);
  });
});

describe('errors from below', () => {
  const storeWith = (overrides: Partial<CaseStore>): CaseStore =>
    Object.assign(Object.create(table.store) as CaseStore, overrides);

  it('answers 409 retryable with Retry-After when the case keeps changing', async () => {
    const caseId = await registerCaseVia(api);
    const store = storeWith({
      commit: () => Promise.reject(new ConcurrencyConflictError('cheongju', caseId, 1, 2)),
    });
    const handler = createApi({ store, settings: table.settings, config: testConfig(table.tableName), logger: silent });
    const result = await handler(
      event('POST', `/cases/${caseId}/payments`, {
        body: { cityId: 'cheongju', paymentId: 'RCPT-X', amount: '1000', receivedOn: '2025-06-30' },
      }),
    );
    expect(result.statusCode).toBe(409);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(parse(result.body)).toMatchObject({
      retryable: true,
      type: 'urn:crypto-tax-recovery:problem:concurrent-update',
    });
  });

  it('answers 500 without leaking the error', async () => {
    const store = storeWith({ get: () => Promise.reject(new Error('secret internals')) });
    const handler = createApi({ store, settings: table.settings, config: testConfig(table.tableName), logger: silent });
    const result = await handler(event('GET', '/cases/c-1', { query: { city: 'cheongju' } }));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
  });

  it('values holdings in the summary when a price source is wired', async () => {
    const caseId = await registerCaseVia(api);
    await api.call('POST', `/cases/${caseId}/seizures`, {
      body: { cityId: 'cheongju', seizures: [{ market: 'KRW-SOL', quantity: '3' }] },
    });
    await api.call('POST', `/cases/${caseId}/custody`, {
      body: { cityId: 'cheongju', market: 'KRW-SOL', quantity: '3' },
    });
    const prices = {
      latestBids: async (markets: string[]) =>
        Object.fromEntries(markets.map((m) => [m, { bid: new Decimal('250000.5'), at: '2025-09-01T00:00:00.000Z' }])),
    };
    const handler = createApi({
      store: table.store,
      settings: table.settings,
      config: testConfig(table.tableName),
      logger: silent,
      prices,
    });
    const result = await handler(event('GET', '/reports/summary', { query: { city: 'cheongju' } }));
    expect(parse(result.body).holdings).toEqual(
      expect.arrayContaining([
        {
          market: 'KRW-SOL',
          available: '3',
          bid: '250000.5',
          valueKrw: '750001',
          pricedAt: '2025-09-01T00:00:00.000Z',
        },
      ]),
    );
  });
});

describe('callers and configuration', () => {
  const grants: CallerGrant[] = [
    { principal: 'arn:aws:iam::111122223333:role/city-tax-system', role: 'CITY_SYSTEM', cities: ['cheongju'] },
    { principal: 'arn:aws:iam::111122223333:role/staff/tax-officer', role: 'OFFICER', cities: ['cheongju'] },
    { principal: 'arn:aws:iam::111122223333:user/clerk', role: 'CITY_SYSTEM', cities: ['cheongju', 'sejong'] },
    { principal: 'arn:aws:iam::111122223333:user/officer-user', role: 'OFFICER', cities: ['cheongju'] },
  ];
  const as = (userArn: string | null) =>
    ({ requestContext: { identity: { userArn } } }) as Parameters<typeof callerOf>[0];

  it('maps assumed roles (with or without a role path) and exact user ARNs to a role and cities, nothing else', () => {
    expect(callerOf(as('arn:aws:sts::111122223333:assumed-role/city-tax-system/s1'), grants)).toMatchObject({
      role: 'CITY_SYSTEM',
      principal: grants[0]!.principal,
      cities: ['cheongju'],
    });
    expect(callerOf(as('arn:aws:sts::111122223333:assumed-role/tax-officer/kim'), grants)).toMatchObject({
      role: 'OFFICER',
      cities: ['cheongju'],
      identity: 'kim',
    });
    expect(callerOf(as('arn:aws:iam::111122223333:user/clerk'), grants)).toMatchObject({
      role: 'CITY_SYSTEM',
      cities: ['cheongju', 'sejong'],
    });
    expect(callerOf(as('arn:aws:sts::999999999999:assumed-role/city-tax-system/s1'), grants)).toBeUndefined();
    expect(callerOf(as('arn:aws:iam::111122223333:user/clerk2'), grants)).toBeUndefined();
    expect(callerOf(as(null), grants)).toBeUndefined();
  });

  it('refuses an officer without a verified identity: an IAM user, or a session not named by a source identity', () => {
    expect(() => callerOf(as('arn:aws:iam::111122223333:user/officer-user'), grants)).toThrow(UnverifiedCallerError);
    expect(() => callerOf(as('arn:aws:sts::111122223333:assumed-role/tax-officer/k'), grants)).toThrow(
      UnverifiedCallerError,
    );
  });

  it('fails fast on missing or malformed configuration', () => {
    const callers = (cities: string[]) =>
      JSON.stringify([{ principal: 'arn:aws:iam::111122223333:role/x', role: 'OFFICER', cities }]);
    expect(() => loadApiConfig({})).toThrow(ConfigError);
    expect(() => loadApiConfig({ TABLE_NAME: 't', SERVED_CITIES: 'cheongju' })).toThrow('no caller is allowed');
    expect(() =>
      loadApiConfig({ TABLE_NAME: 't', SERVED_CITIES: 'Cheong Ju', CALLERS: callers(['cheongju']) }),
    ).toThrow('invalid city id');
    expect(() =>
      loadApiConfig({ TABLE_NAME: 't', SERVED_CITIES: 'a', CALLERS: callers(['a']), IDEMPOTENCY_TTL_SECONDS: '1.5' }),
    ).toThrow('IDEMPOTENCY_TTL_SECONDS');
    expect(() => loadApiConfig({ TABLE_NAME: 't', SERVED_CITIES: 'cheongju', CALLERS: callers(['busan']) })).toThrow(
      'does not serve: busan',
    );
    expect(() =>
      loadApiConfig({
        TABLE_NAME: 't',
        SERVED_CITIES: 'cheongju',
        CALLERS: '[{"principal":"x","role":"OFFICER","cities":["cheongju"]}]',
      }),
    ).toThrow('CALLERS');
  });
});

describe('API Gateway resources', () => {
  it('routes by the resource API Gateway matched, whatever base path the custom domain adds', async () => {
    const caseId = await registerCaseVia(api);
    const e = event('GET', `/tax/v1/cases/${caseId}`, { query: { city: 'cheongju' } });
    const result = await api.handler({ ...e, resource: '/cases/{caseId}', pathParameters: { caseId } });
    expect(result.statusCode).toBe(200);
    const wrong = await api.handler({
      ...event('PATCH', `/tax/v1/cases/${caseId}`),
      resource: '/cases/{caseId}',
      pathParameters: { caseId },
    });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.Allow).toBe('GET');
  });
});

describe('the Lambda entry', () => {
  it('builds its client, store and configuration from the environment once and serves requests', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      SERVED_CITIES: 'cheongju,sejong',
      CALLERS: JSON.stringify(TEST_GRANTS),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    try {
      let entry: typeof import('../../../functions/api/handler') | undefined;
      jest.isolateModules(() => {
        entry = jest.requireActual<typeof import('../../../functions/api/handler')>('../../../functions/api/handler');
      });
      const context = lambdaContext('cases-api', 30_000);
      const created = await entry?.handler(event('POST', '/cases', { body: registration() }), context);
      expect(created?.statusCode).toBe(201);
      const caseId = String(parse(created?.body ?? '{}').caseId);
      expect(
        (await entry?.handler(event('GET', `/cases/${caseId}`, { query: { city: 'cheongju' } }), context))?.statusCode,
      ).toBe(200);
    } finally {
      process.env = saved;
    }
  });
});
