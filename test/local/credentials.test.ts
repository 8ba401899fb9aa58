/** Local credentials (the stand-in for IAM) and the local API Gateway in front of the city API. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { renderOpenApi } from '../../functions/api/openapi';
import { callerOf, type CallerGrant } from '../../functions/api/roles';
import {
  authenticator,
  CredentialsError,
  keyFor,
  loadOrCreateCredentials,
  readCredentials,
  roleEnv,
} from '../../local/credentials';
import { startLocalHttpApi } from '../../local/http-api';

describe('local credentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'creds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are created once, private, with per city a city-system key and three officer keys (two at least: releases need four eyes), an auditor key, and read back unchanged', () => {
    const path = join(dir, 'credentials.json');
    const first = loadOrCreateCredentials(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.credentials.keys.map((k) => `${k.role}:${k.cities.join('+')}`).sort()).toEqual([
      'AUDITOR:cheongju+sejong',
      'CITY_SYSTEM:cheongju',
      'CITY_SYSTEM:sejong',
      ...Array(3).fill('OFFICER:cheongju'),
      ...Array(3).fill('OFFICER:sejong'),
    ]);
    const second = loadOrCreateCredentials(path);
    expect(second.created).toBe(false);
    expect(second.credentials).toEqual(first.credentials);
  });

  it('map a key to the principal the API configuration maps to its role, and nothing else', () => {
    const { credentials } = loadOrCreateCredentials(join(dir, 'credentials.json'));
    const authenticate = authenticator(credentials);
    const officer = keyFor(credentials, 'OFFICER');
    const city = keyFor(credentials, 'CITY_SYSTEM');
    const grants = JSON.parse(roleEnv(credentials).CALLERS) as CallerGrant[];
    const callerFor = (authorization: string | undefined) => {
      const who = authenticate(authorization);
      return who
        ? callerOf(
            { requestContext: { identity: { userArn: who.userArn } } } as unknown as APIGatewayProxyEvent,
            grants,
          )
        : undefined;
    };
    const roleOf = (authorization: string | undefined) => callerFor(authorization)?.role;
    // Each city's keys act for that city only; the officer's session name is its identity.
    expect(callerFor(`Bearer ${officer.key}`)).toMatchObject({ cities: ['cheongju'], identity: officer.name });
    expect(callerFor(`Bearer ${keyFor(credentials, 'CITY_SYSTEM', 'sejong').key}`)).toMatchObject({
      role: 'CITY_SYSTEM',
      cities: ['sejong'],
    });
    expect(callerFor(`Bearer ${keyFor(credentials, 'AUDITOR').key}`)).toMatchObject({
      role: 'AUDITOR',
      cities: ['cheongju', 'sejong'],
    });
    expect(roleOf(`Bearer ${officer.key}`)).toBe('OFFICER');
    expect(roleOf(`bearer ${city.key}`)).toBe('CITY_SYSTEM');
    expect(roleOf(undefined)).toBeUndefined();
    expect(roleOf('Bearer ')).toBeUndefined();
    expect(roleOf(`Bearer ${officer.key}x`)).toBeUndefined();
    expect(roleOf(officer.key)).toBeUndefined();
  });

  it('refuse a malformed file and a role ARN listed under two roles', () => {
    const path = join(dir, 'credentials.json');
    writeFileSync(path, '{"keys": []}');
    expect(() => readCredentials(path)).toThrow(CredentialsError);
    const { credentials } = loadOrCreateCredentials(join(dir, 'other.json'));
    const [a, b] = credentials.keys;
    writeFileSync(path, JSON.stringify({ keys: [a, { ...b, roleArn: a?.roleArn }] }));
    expect(() => readCredentials(path)).toThrow(/two roles/);
    expect(JSON.parse(readFileSync(join(dir, 'other.json'), 'utf8'))).toHaveProperty('note');
  });
});

describe('local HTTP API', () => {
  it('turns a request into an API Gateway proxy event with the caller in the request context, and refuses one without a key', async () => {
    const events: APIGatewayProxyEvent[] = [];
    const api = await startLocalHttpApi({
      handler: async (event) => {
        events.push(event);
        return {
          statusCode: 201,
          headers: { 'content-type': 'application/json', location: '/cases/x' },
          body: '{"ok":true}',
        };
      },
      authenticate: (h) =>
        h === 'Bearer good'
          ? { userArn: 'arn:aws:sts::000000000000:assumed-role/tax-officer/officer', name: 'officer', role: 'OFFICER' }
          : undefined,
      local: async (req) => (req.path === '/_local/ping' ? { status: 200, body: { pong: req.query.n } } : undefined),
    });
    try {
      const refused = await fetch(`${api.url}/cases`, { method: 'POST', body: '{}' });
      expect(refused.status).toBe(401);
      expect(events).toHaveLength(0);

      const answer = await fetch(`${api.url}/cases/c1/payments?city=cheongju&x=%2F`, {
        method: 'POST',
        headers: { authorization: 'Bearer good', 'content-type': 'application/json', 'idempotency-key': 'k1' },
        body: '{"a":1}',
      });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('location')).toBe('/cases/x');
      expect(await answer.json()).toEqual({ ok: true });
      const event = events[0]!;
      expect(event).toMatchObject({
        httpMethod: 'POST',
        path: '/cases/c1/payments',
        body: '{"a":1}',
        queryStringParameters: { city: 'cheongju', x: '/' },
      });
      expect(event.requestContext.identity.userArn).toBe('arn:aws:sts::000000000000:assumed-role/tax-officer/officer');
      expect(event.headers['idempotency-key']).toBe('k1');
      // The credential itself never reaches the handler.
      expect(event.headers.authorization).toBeUndefined();

      expect(
        await (await fetch(`${api.url}/_local/ping?n=3`, { headers: { authorization: 'Bearer good' } })).json(),
      ).toEqual({ pong: '3' });
      expect((await fetch(`${api.url}/_local/nothing`, { headers: { authorization: 'Bearer good' } })).status).toBe(
        404,
      );
    } finally {
      await api.close();
    }
  });

  it('serves the API reference without a key: the page, the router’s OpenAPI document, the renderer from node_modules, nothing else', async () => {
    const api = await startLocalHttpApi({
      handler: async () => ({ statusCode: 500, body: '' }),
      authenticate: () => undefined,
    });
    try {
      const page = await fetch(`${api.url}/docs/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('swagger-ui-bundle.js');
      expect(html).not.toMatch(/https?:\/\//);
      const document = await fetch(`${api.url}/docs/openapi.json`);
      expect(await document.text()).toBe(renderOpenApi());
      const bundle = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
      expect((await fetch(`${api.url}/docs`, { redirect: 'manual' })).headers.get('location')).toBe('/docs/');
      // Anything else under /docs is an ordinary request: without a key, refused.
      for (const path of ['/docs/package.json', '/docs/../package.json', '/docs/__proto__'])
        expect((await fetch(`${api.url}${path}`)).status).toBe(401);
    } finally {
      await api.close();
    }
  });
});
