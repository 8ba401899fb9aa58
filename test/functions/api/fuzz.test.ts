/**
 * Fuzzed input, nothing written (issue 13 §7). Requests are generated from the API's own zod
 * schemas (every route's path, query and body, through `z.toJSONSchema`), addressed to a real case,
 * then broken: wrong types, missing and extra fields, huge strings and arrays, control and
 * bidirectional characters, non-JSON content types and bodies, crafted list cursors, far-past,
 * far-future and not-yet-happened dates, unknown case ids, other cities' cases and callers, bad
 * Idempotency-Keys. Every broken request must get a 4xx problem+json that names the problem (for a
 * 400, the field), no write may succeed, and the table must be the same after the run.
 *
 * The API is driven in-process (the handler the Lambda exports is `createApi` over these stores)
 * against DynamoDB Local. Seeded: the seed is printed; `FUZZ_SEED=<n>` replays a run, `FUZZ_RUNS`
 * changes its length (default 10,000 requests).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { z } from 'zod';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { accessKeys } from '#adapters/self-service/access-keys';
import { createApi, type ApiHandler } from '../../../functions/api/app';
import { proxyEvent } from '../../../functions/api/proxy-event';
import { routes, type RouteDeps } from '../../../functions/api/routes';
import type { AnyRoute } from '../../../functions/api/router';
import { CALLERS, registration, testConfig } from '../../support/api';
import { TEST_CITY_SETTINGS, useCasesTable } from '../../support/dynamodb';
import { anyJson, validInput, type Json } from '../../support/schema-arbitrary';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const NOW = new Date('2025-09-01T03:00:00Z');
const CITY = 'cheongju';

const table = useCasesTable();
let client: DynamoDBClient;
let api: ApiHandler;
/** Writes that went through while the fuzzer ran (a refused conditional write writes nothing). */
const writes: string[] = [];
let watching = false;
const known = { caseId: '', inCustodyCaseId: '', otherCityCaseId: '' };

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

beforeAll(async () => {
  client = createDynamoDbClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (watching && WRITE_COMMANDS.has(context.commandName ?? '')) writes.push(context.commandName ?? '');
      return out;
    },
    { step: 'initialize', name: 'fuzzWriteWatch' },
  );
  const name = table.tableName;
  api = createApi({
    store: new DynamoDbCaseStore(client, name),
    settings: new DynamoDbCitySettings(client, name),
    releases: new DynamoDbReleaseStore(client, name),
    custody: new DynamoDbJournalStore(client, name),
    desks: new DeskStore(client, name),
    taxpayerCheck: {
      keys: () => Promise.resolve(accessKeys(randomBytes(48).toString('base64'))),
      store: new DynamoDbSelfServiceStore(client, name),
    },
    config: testConfig(name),
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
  });
  const register = async (cityId: string, who: Who) => {
    const res = await api(
      proxyEvent({
        method: 'POST',
        path: '/cases',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': `setup-${cityId}-${++keys}` },
        body: JSON.stringify(registration({ cityId })),
        userArn: CALLERS[who],
      }),
    );
    if (res.statusCode !== 201) throw new Error(res.body);
    return (JSON.parse(res.body) as { caseId: string }).caseId;
  };
  known.caseId = await register(CITY, 'city');
  known.otherCityCaseId = await register('sejong', 'sejongCity');
  // A second case further on (coins in custody): requests the first one's state refuses reach its rules.
  known.inCustodyCaseId = await register(CITY, 'city');
  const change = async (path: string, body: object) => {
    const res = await api(
      proxyEvent({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'Idempotency-Key': `setup-${path}` },
        body: JSON.stringify({ cityId: CITY, ...body }),
        userArn: CALLERS.city,
      }),
    );
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  await change(`/cases/${known.inCustodyCaseId}/seizures`, { seizures: [{ market: 'KRW-BTC', quantity: '0.5' }] });
  await change(`/cases/${known.inCustodyCaseId}/custody`, { market: 'KRW-BTC', quantity: '0.5' });
});
afterAll(() => client?.destroy());

type Who = keyof typeof CALLERS;
type Route = AnyRoute<RouteDeps>;
type Where = 'body' | 'query' | 'path' | 'header';

interface Request {
  route: string;
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body?: Json;
  /** Sent as is instead of the JSON of `body`. */
  rawBody?: string;
  headers: Record<string, string>;
  who: Who;
  /** What was broken, and what the answer must say. */
  broken: string;
  names?: { in: Where; at: string };
  status?: readonly number[];
  /** A crafted cursor that is a well-formed position of this listing may be answered (this city's cases only). */
  mayList?: boolean;
}

const CALLER_OF: Record<string, Who> = { CITY_SYSTEM: 'city', OFFICER: 'officer', AUDITOR: 'auditor' };
const SEJONG_OF: Record<string, Who> = {
  CITY_SYSTEM: 'sejongCity',
  OFFICER: 'sejongOfficer',
  AUDITOR: 'sejongOfficer',
};
let keys = 0;

// ---------------------------------------------------------------- valid requests, from the schemas

function baseRequest(route: Route): fc.Arbitrary<Request> {
  const part = (schema: z.core.$ZodType | undefined) => (schema ? validInput(schema) : fc.constant(undefined));
  return fc
    .record({ params: part(route.params), query: part(route.query), body: part(route.body), inCustody: fc.boolean() })
    .map(({ params, query, body, inCustody }) => {
      const text = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
      const p = Object.fromEntries(
        Object.entries((params ?? {}) as Record<string, Json>).map(([k, v]) => [k, text(v)]),
      );
      if ('caseId' in p) p.caseId = inCustody ? known.inCustodyCaseId : known.caseId;
      const q = Object.fromEntries(Object.entries((query ?? {}) as Record<string, Json>).map(([k, v]) => [k, text(v)]));
      if ('city' in q) q.city = CITY;
      delete q.cursor;
      let b = body;
      if (b && typeof b === 'object' && !Array.isArray(b) && 'cityId' in b) b = { ...b, cityId: CITY };
      if (route.path === '/settings' && route.method === 'PUT')
        b = {
          cityId: CITY,
          expectedVersion: 999,
          settings: TEST_CITY_SETTINGS.find((s) => s.cityId === CITY) as unknown as Json,
        };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route.method !== 'GET') headers['Idempotency-Key'] = `fuzz-${SEED}-${++keys}`;
      return {
        route: `${route.method} ${route.path}`,
        method: route.method,
        params: p,
        query: q,
        ...(b === undefined ? {} : { body: b }),
        headers,
        who: CALLER_OF[route.roles[0]!]!,
        broken: '',
      };
    });
}

// ---------------------------------------------------------------- ways to break one

interface Spot {
  pointer: string;
  value: Json;
}
/** Every value in a body, with its JSON pointer (the root is ''). */
function spots(value: Json, pointer = ''): Spot[] {
  const here = [{ pointer, value }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => spots(v, `${pointer}/${i}`))];
  if (value && typeof value === 'object')
    return [
      ...here,
      ...Object.entries(value).flatMap(([k, v]) =>
        spots(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`),
      ),
    ];
  return here;
}
const unescape = (p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~');
function setAt(root: Json, pointer: string, f: (v: Json) => Json | undefined): Json {
  if (pointer === '') return f(root) ?? null;
  const copy = structuredClone(root);
  const parts = pointer.slice(1).split('/').map(unescape);
  let node = copy as Record<string, Json>;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, Json>;
  const last = parts[parts.length - 1]!;
  const next = f(node[last]!);
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = next;
  return copy;
}

const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const otherType = (v: Json): fc.Arbitrary<Json> =>
  fc.constantFrom<Json>(150000, 1.5, -1, true, null, {}, [], 'text', [1, 2]).filter((w) => typeOf(w) !== typeOf(v));
const CONTROL = ['\u0000', '\u0007', '\b', '\u001b', '\u007f', '\u0085', '\u009b', '\r', '\n', '\t'];
const BIDI = [
  '\u202e',
  '\u202d',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
];
const HUGE = fc.constantFrom('x'.repeat(100_000), '가'.repeat(50_000), 'A1-'.repeat(20_000), ' '.repeat(70_000) + 'y');
const FAR = ['0001-01-01', '1000-06-15', '1899-12-31', '1969-12-31', '2999-12-31', '9999-12-31'];
const NOT_YET = ['2025-09-02', '2025-12-31', '2026-03-01'];
/** Fields that record something that already happened: a later date cannot be true. */
const HAPPENED = /\/(receivedOn|on|postedOn|receivedAt)$/;
const related = (a: string, b: string) =>
  a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`) || a === '' || b === '';

function bodyBreaks(route: Route, base: Request): fc.Arbitrary<Request>[] {
  if (base.body === undefined) return [];
  const body = base.body;
  const all = spots(body);
  const strings = all.filter((s) => typeof s.value === 'string');
  const objects = all.filter((s) => s.value !== null && typeof s.value === 'object' && !Array.isArray(s.value));
  const arrays = all.filter((s) => Array.isArray(s.value));
  const stillValid = (b: Json) => route.body!.safeParse(b).success;
  const optionalOrNot = objects
    .flatMap((o) => Object.keys(o.value as object).map((k) => `${o.pointer}/${k}`))
    .filter((p) => !stillValid(setAt(body, p, () => undefined)));
  const put = (
    broken: string,
    pointer: string,
    f: (v: Json) => Json | undefined,
    extra: Partial<Request> = {},
  ): Request => ({
    ...base,
    body: setAt(body, pointer, f),
    broken: `${broken} at body ${pointer || '(root)'}`,
    names: { in: 'body', at: pointer },
    ...extra,
  });
  const out: fc.Arbitrary<Request>[] = [];
  out.push(fc.constantFrom(...all).chain((s) => otherType(s.value).map((w) => put('wrong type', s.pointer, () => w))));
  // A field that is one of several alternatives may be named by its sibling ("a postal address or an e-mail"): the object is named.
  if (optionalOrNot.length > 0)
    out.push(
      fc.constantFrom(...optionalOrNot).map((p) => ({
        ...put('missing', p, () => undefined),
        names: { in: 'body' as const, at: p.slice(0, p.lastIndexOf('/')) },
      })),
    );
  if (objects.length > 0) {
    out.push(
      fc.tuple(fc.constantFrom(...objects), fc.string({ minLength: 1, maxLength: 12 }), anyJson).map(([o, k, v]) => {
        const key = `zz${k}`;
        return {
          ...base,
          body: setAt(body, o.pointer, (x) => ({ ...(x as object), [key]: v })),
          broken: `extra field ${key} at body ${o.pointer || '(root)'}`,
          names: { in: 'body' as const, at: o.pointer },
        };
      }),
    );
  }
  if (strings.length > 0) {
    out.push(fc.tuple(fc.constantFrom(...strings), HUGE).map(([s, h]) => put('huge string', s.pointer, () => h)));
    out.push(
      fc.tuple(fc.constantFrom(...strings), fc.constantFrom(...CONTROL, ...BIDI), fc.nat()).map(([s, c, at]) => {
        const v = s.value as string;
        const i = at % (v.length + 1);
        return put(
          `character U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
          s.pointer,
          () => v.slice(0, i) + c + v.slice(i),
        );
      }),
    );
  }
  if (arrays.length > 0) {
    out.push(
      fc
        .tuple(fc.constantFrom(...arrays), fc.constantFrom(501, 2_000))
        .map(([a, n]) =>
          put(`array of ${n}`, a.pointer, (v) => Array.from({ length: n }, () => (v as Json[])[0] ?? 'x')),
        ),
    );
  }
  const dates = strings.filter((s) => /^\d{4}-\d{2}-\d{2}/.test(s.value as string));
  if (dates.length > 0) {
    const asLike = (s: Spot, d: string) => ((s.value as string).length > 10 ? `${d}T00:00:00.000Z` : d);
    out.push(
      fc
        .tuple(fc.constantFrom(...dates), fc.constantFrom(...FAR))
        // Only a date the field refuses is a break: 1969-12-31 is a fine date of birth.
        .filter(([s, d]) => !stillValid(setAt(body, s.pointer, () => asLike(s, d))))
        .map(([s, d]) => put(`date ${d}`, s.pointer, () => asLike(s, d))),
    );
    const happened = dates.filter((s) => HAPPENED.test(s.pointer));
    if (happened.length > 0)
      out.push(
        fc
          .tuple(fc.constantFrom(...happened), fc.constantFrom(...NOT_YET))
          .map(([s, d]) => ({ ...put(`not yet happened ${d}`, s.pointer, () => asLike(s, d)), names: undefined })),
      );
  }
  // The body is not JSON.
  out.push(
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/html; charset=utf-8',
      )
      .map((type) => ({
        ...base,
        headers: { ...base.headers, 'content-type': type },
        broken: `content-type ${type}`,
        status: [415],
      })),
  );
  out.push(
    fc.constantFrom('{', 'cityId=cheongju', '<case/>', '{"cityId":"cheongju",}', '\u0000', 'null x').map((raw) => ({
      ...base,
      rawBody: raw,
      broken: `body ${JSON.stringify(raw)}`,
      names: { in: 'body' as const, at: '' },
      status: [400],
    })),
  );
  return out;
}

function queryAndPathBreaks(route: Route, base: Request): fc.Arbitrary<Request>[] {
  const out: fc.Arbitrary<Request>[] = [];
  const bad = fc.constantFrom(
    '',
    ' ',
    '-1',
    '∅',
    'a b',
    '<script>',
    'x'.repeat(3000),
    '\u202e' + 'cheongju',
    'cheongju\u0000',
    '1e3',
    '0x10',
  );
  if (route.query) {
    const keys = Object.keys(base.query);
    // A value the route's own schema accepts (a free-text search such as "-1") breaks nothing.
    const query = route.query;
    if (keys.length > 0)
      out.push(
        fc
          .tuple(fc.constantFrom(...keys), bad)
          .filter(([k, v]) => !query.safeParse({ ...base.query, [k]: v }).success)
          .map(([k, v]) => ({
            ...base,
            query: { ...base.query, [k]: v },
            broken: `query ${k}=${JSON.stringify(v.slice(0, 20))}`,
            names: { in: 'query' as const, at: k },
          })),
      );
    out.push(
      fc.string({ minLength: 1, maxLength: 10 }).map((k) => ({
        ...base,
        query: { ...base.query, [`zz${k}`]: '1' },
        broken: `extra query zz${k}`,
        names: { in: 'query' as const, at: `zz${k}` },
      })),
    );
    if ('city' in base.query)
      out.push(
        fc.constant({
          ...base,
          query: Object.fromEntries(Object.entries(base.query).filter(([k]) => k !== 'city')),
          broken: 'query city missing',
          names: { in: 'query' as const, at: 'city' },
        }),
      );
  }
  const params = Object.keys(base.params);
  if (params.length > 0) {
    out.push(
      fc
        .tuple(
          fc.constantFrom(...params),
          fc.constantFrom('x'.repeat(5000), 'a b', 'case\u0000', '\u202ecase', '..', 'é', '<x>'),
        )
        .map(([k, v]) => ({
          ...base,
          params: { ...base.params, [k]: v },
          broken: `path ${k}=${JSON.stringify(v.slice(0, 20))}`,
          names: { in: 'path' as const, at: k },
        })),
    );
  }
  // The routes that take a cursor get more of the runs.
  if (route.method === 'GET' && (route.path === '/cases' || route.path === '/audit-trails/{caseId}/taxpayer-access'))
    out.push(...Array.from({ length: 6 }, () => craftedCursor(base)));
  return out;
}

/** A list cursor crafted by the caller: garbage, a foreign position, or a position of the right shape. */
function craftedCursor(base: Request): fc.Arbitrary<Request> {
  const key = fc.dictionary(
    fc.constantFrom('PK', 'SK', 'GSI2PK', 'GSI2SK', 'GSI1PK', 'GSI1SK', 'x'),
    fc.oneof(
      fc.constantFrom(
        '',
        `CITY#${CITY}#STATUS#REGISTERED`,
        'CITY#sejong#STATUS#REGISTERED',
        `CASE#${CITY}#${known.caseId}`,
      ),
      fc.string(),
      fc.integer(),
      fc.constant(null),
    ),
    { maxKeys: 5 },
  );
  const state = fc.record(
    {
      p: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double(), fc.string(), fc.constant(null)),
      k: fc.oneof(key, anyJson),
    },
    { requiredKeys: [] },
  );
  const cursor = fc.oneof(
    state.map((s) => Buffer.from(JSON.stringify(s)).toString('base64url')),
    anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
    fc.string({ maxLength: 80 }),
    fc.constantFrom('x'.repeat(2001), '%%%', 'e30', 'bnVsbA', 'W10'),
  );
  return cursor.map((c) => ({
    ...base,
    query: { ...base.query, cursor: c },
    broken: `cursor ${JSON.stringify(c.slice(0, 60))}`,
    names: { in: 'query' as const, at: 'cursor' },
    mayList: true,
  }));
}

function whoAndWhichCase(route: Route, base: Request): fc.Arbitrary<Request>[] {
  const out: fc.Arbitrary<Request>[] = [];
  const withCity = (city: string): Request => {
    const body =
      base.body && typeof base.body === 'object' && !Array.isArray(base.body) && 'cityId' in base.body
        ? { ...base.body, cityId: city }
        : base.body;
    const query = 'city' in base.query ? { ...base.query, city } : base.query;
    return { ...base, ...(body === undefined ? {} : { body }), query };
  };
  out.push(fc.constant({ ...withCity('sejong'), broken: 'another city named', status: [403] }));
  out.push(fc.constant({ ...withCity('busan'), broken: 'a city not served', status: [400] }));
  out.push(fc.constant({ ...base, who: SEJONG_OF[route.roles[0]!]!, broken: 'another city’s caller', status: [403] }));
  out.push(
    fc
      .constantFrom<Who>('stranger', 'auditor', 'city', 'officer')
      .filter((w) => !route.roles.includes(roleOf(w)))
      .map((w) => ({ ...base, who: w, broken: `caller ${w} without the role`, status: [403] })),
  );
  if ('caseId' in base.params) {
    out.push(
      fc.constant({
        ...base,
        params: { ...base.params, caseId: known.otherCityCaseId },
        broken: 'another city’s case',
        status: [403, 404],
      }),
    );
    out.push(
      UNKNOWN_CASE_ID.map((id) => ({
        ...base,
        params: { ...base.params, caseId: id },
        broken: `unknown case ${id}`,
        status: [404, 409, 422],
      })),
    );
  }
  if (route.method !== 'GET') {
    out.push(
      fc
        .constantFrom<string | undefined>(
          undefined,
          '',
          '  ',
          'k'.repeat(300),
          'key with spaces',
          'ключ',
          'key\u0000',
          '\u202ekey',
        )
        .map((k) => {
          const headers = { ...base.headers };
          if (k === undefined) delete headers['Idempotency-Key'];
          else headers['Idempotency-Key'] = k;
          return {
            ...base,
            headers,
            broken: `Idempotency-Key ${JSON.stringify(k)}`,
            names: { in: 'header' as const, at: 'Idempotency-Key' },
            status: [400],
          };
        }),
    );
  }
  return out;
}

/** An id of the API's shape that no case has. */
const UNKNOWN_CASE_ID = fc
  .array(fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), { minLength: 26, maxLength: 26 })
  .map((cs) => `c${cs.join('')}`);
const roleOf = (who: Who) =>
  who === 'city' ? 'CITY_SYSTEM' : who === 'auditor' ? 'AUDITOR' : who === 'stranger' ? ('NONE' as never) : 'OFFICER';

function brokenRequest(route: Route): fc.Arbitrary<Request> {
  return baseRequest(route).chain((base) =>
    fc.oneof(...bodyBreaks(route, base), ...queryAndPathBreaks(route, base), ...whoAndWhichCase(route, base)),
  );
}

// ---------------------------------------------------------------- sending and judging

async function send(r: Request) {
  const path = routes
    .find((x) => `${x.method} ${x.path}` === r.route)!
    .path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(r.params[k] ?? ''));
  const body = r.rawBody ?? (r.body === undefined ? null : JSON.stringify(r.body));
  const res = await api(
    proxyEvent({ method: r.method, path, headers: r.headers, query: r.query, body, userArn: CALLERS[r.who] }),
  );
  return { ...res, path };
}

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: { in: string; pointer?: string; name?: string; detail: string }[];
  items?: { caseId?: string }[];
}

function judge(r: Request, res: Awaited<ReturnType<typeof send>>): string | undefined {
  const body = JSON.parse(res.body) as ProblemBody;
  if (r.mayList && res.statusCode === 200)
    return body.items?.every((i) => [known.caseId, known.inCustodyCaseId].includes(i.caseId ?? ''))
      ? undefined
      : 'a crafted cursor listed another city’s cases';
  if (res.statusCode < 400 || res.statusCode >= 500) return `answered ${res.statusCode}`;
  if (res.headers?.['content-type'] !== 'application/problem+json')
    return `content-type ${String(res.headers?.['content-type'])}`;
  if (
    body.status !== res.statusCode ||
    typeof body.type !== 'string' ||
    typeof body.title !== 'string' ||
    typeof body.detail !== 'string' ||
    body.detail.length === 0
  )
    return 'not a problem+json naming the problem';
  if (r.status && !r.status.includes(res.statusCode))
    return `answered ${res.statusCode}, expected ${r.status.join(' or ')}`;
  if (res.statusCode === 400 && r.names) {
    const { in: where, at } = r.names;
    const named = (body.errors ?? []).some(
      (e) => e.in === where && (where === 'body' ? related(e.pointer ?? '', at) : e.name === at),
    );
    if (!named) return `the 400 does not name ${where} ${at || '(root)'}`;
  }
  return undefined;
}

/** What was broken, for the tally. */
const KINDS: [RegExp, string][] = [
  [/^wrong type/, 'wrong type'],
  [/^missing/, 'missing field'],
  [/^extra field/, 'extra field'],
  [/^huge string/, 'huge string'],
  [/^array of/, 'huge array'],
  [/^character/, 'control or bidi character'],
  [/^date /, 'far date'],
  [/^not yet/, 'future date'],
  [/^content-type/, 'non-JSON content type'],
  [/^body /, 'non-JSON body'],
  [/^extra query/, 'extra query parameter'],
  [/^query/, 'bad query value'],
  [/^path/, 'bad path parameter'],
  [/^cursor/, 'crafted cursor'],
  [/^another city named/, 'other city named'],
  [/^a city not served/, 'city not served'],
  [/^another city’s caller/, 'other city’s caller'],
  [/^another city’s case/, 'other city’s case'],
  [/^caller/, 'caller without the role'],
  [/^unknown case/, 'unknown case'],
  [/^Idempotency-Key/, 'bad Idempotency-Key'],
];

async function tableDigest(): Promise<{ count: number; digest: string }> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ...(start ? { ExclusiveStartKey: start as never } : {}) }),
    );
    items.push(...(out.Items ?? []).map((i) => JSON.stringify(i)));
    start = out.LastEvaluatedKey;
  } while (start);
  return { count: items.length, digest: createHash('sha256').update(items.sort().join('\n')).digest('hex') };
}

describe('fuzzed input, nothing written', () => {
  it(`${RUNS} broken requests generated from the API’s schemas: each a 4xx problem+json naming the problem, no write, the table unchanged`, async () => {
    console.info(
      `API fuzz: seed ${SEED}, ${RUNS} requests (replay: FUZZ_SEED=${SEED} npx jest test/functions/api/fuzz.test.ts)`,
    );
    const before = await tableDigest();
    const tally = new Map<string, { n: number; ms: number }>();
    watching = true;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes).chain((route) => brokenRequest(route)),
          async (r) => {
            writes.length = 0;
            const started = performance.now();
            const res = await send(r);
            const problem = judge(r, res) ?? (writes.length > 0 ? `wrote (${writes.join(', ')})` : undefined);
            const kind = KINDS.find(([re]) => re.test(r.broken))?.[1] ?? r.broken;
            const t = tally.get(kind) ?? { n: 0, ms: 0 };
            tally.set(kind, { n: t.n + 1, ms: t.ms + performance.now() - started });
            if (problem)
              throw new Error(
                `${r.route} (${r.broken}) as ${r.who}: ${problem}\n${res.statusCode} ${res.body.slice(0, 600)}`,
              );
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } finally {
      watching = false;
      console.info(
        `API fuzz, requests by what was broken (count, ms in the API): ${[...tally].map(([k, t]) => `${k} ${t.n} ${Math.round(t.ms)}`).join(', ')}`,
      );
    }
    expect([...tally.values()].reduce((a, t) => a + t.n, 0)).toBeGreaterThanOrEqual(RUNS);
    expect(await tableDigest()).toEqual(before);
  }, 300_000);
});
