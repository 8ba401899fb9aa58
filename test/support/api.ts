/** Drives the API handler with real API Gateway proxy events against the test table. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApi, type ApiDeps, type ApiHandler } from '../../functions/api/app';
import { loadApiConfig, type ApiConfig } from '../../functions/api/config';
import { proxyEvent } from '../../functions/api/proxy-event';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { DEFAULT_WITHDRAWAL_FEES } from '#adapters/withdrawal-fees-env';
import type { SaleExecutions } from '#adapters/workflow/execution-history';
import type { TestTable } from './dynamodb';

export const ACCOUNT = '111122223333';
export const CALLERS = {
  city: `arn:aws:sts::${ACCOUNT}:assumed-role/city-tax-system/relay-1`,
  officer: `arn:aws:sts::${ACCOUNT}:assumed-role/tax-officer/kim.officer`,
  /** A second officer of the same city (four eyes). */
  officer2: `arn:aws:sts::${ACCOUNT}:assumed-role/tax-officer/lee.officer`,
  officer3: `arn:aws:sts::${ACCOUNT}:assumed-role/tax-officer/park.officer`,
  sejongCity: `arn:aws:sts::${ACCOUNT}:assumed-role/sejong-tax-system/relay-9`,
  sejongOfficer: `arn:aws:sts::${ACCOUNT}:assumed-role/sejong-officer/choi.officer`,
  auditor: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/han.auditor`,
  stranger: `arn:aws:sts::${ACCOUNT}:assumed-role/someone-else/x`,
} as const;

/** Each test principal's role and cities: Cheongju's system and officers, Sejong's, an auditor of both. */
export const TEST_GRANTS = [
  { principal: `arn:aws:iam::${ACCOUNT}:role/city-tax-system`, role: 'CITY_SYSTEM', cities: ['cheongju'] },
  { principal: `arn:aws:iam::${ACCOUNT}:role/staff/tax-officer`, role: 'OFFICER', cities: ['cheongju'] },
  { principal: `arn:aws:iam::${ACCOUNT}:role/sejong-tax-system`, role: 'CITY_SYSTEM', cities: ['sejong'] },
  { principal: `arn:aws:iam::${ACCOUNT}:role/sejong-officer`, role: 'OFFICER', cities: ['sejong'] },
  { principal: `arn:aws:iam::${ACCOUNT}:role/auditor`, role: 'AUDITOR', cities: ['cheongju', 'sejong'] },
] as const;
export type Who = keyof typeof CALLERS | 'anonymous';

export function testConfig(tableName: string): ApiConfig {
  return loadApiConfig({
    TABLE_NAME: tableName,
    SERVED_CITIES: 'cheongju,sejong',
    CALLERS: JSON.stringify(TEST_GRANTS),
    // The release function's fee table and exchange, as the stack gives the API both.
    WITHDRAWAL_FEES: JSON.stringify(DEFAULT_WITHDRAWAL_FEES),
    EXCHANGE_ID: 'upbit',
  });
}

export interface CallOptions {
  body?: unknown;
  /** A raw body string, sent as is. */
  rawBody?: string;
  query?: Record<string, string>;
  as?: Who;
  /** An idempotency key; a fresh one is made for changes when absent, none is sent when null. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | number | boolean>;
  // Tests read whatever the answer holds.
  body: Record<string, unknown> & { [k: string]: unknown };
}

let keys = 0;

export function event(method: string, path: string, options: CallOptions = {}): APIGatewayProxyEvent {
  const who = options.as ?? 'city';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  if (method !== 'GET' && options.key !== null)
    headers['Idempotency-Key'] = options.key ?? `test-key-${process.pid}-${++keys}-${Date.now()}`;
  return proxyEvent({
    method,
    path,
    headers,
    query: options.query ?? null,
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    userArn: who === 'anonymous' ? null : CALLERS[who],
    requestId: `req-${keys}`,
  });
}

export interface TestApi {
  handler: ApiHandler;
  clock: { now: Date };
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
}

/** `extra`: dependencies beyond the table's (the self-service page's second check, say). */
export function testApi(table: TestTable, start = '2025-09-01T00:00:00Z', extra: Partial<ApiDeps> = {}): TestApi {
  const clock = { now: new Date(start) };
  let handler: ApiHandler | undefined;
  const get = (): ApiHandler => {
    const config = testConfig(table.tableName);
    handler ??= createApi({
      policy: config.policy,
      store: table.store,
      settings: table.settings,
      releases: new DynamoDbReleaseStore(table.client, table.tableName),
      sales: new DynamoDbSaleStore(table.client, table.tableName),
      custody: new DynamoDbJournalStore(table.client, table.tableName),
      config,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock.now,
      ...extra,
    });
    return handler;
  };
  return {
    get handler() {
      return get();
    },
    clock,
    async call(method, path, options = {}) {
      const result = await get()(event(method, path, options));
      return {
        status: result.statusCode,
        headers: result.headers ?? {},
        body: result.body ? (JSON.parse(result.body) as Answer['body']) : {},
      };
    },
  };
}

let registrations = 0;
/** A registration body; each call has a city reference of its own unless `cityCaseRef` is given. */
export const registration = (overrides: Record<string, unknown> = {}) => ({
  cityId: 'cheongju',
  cityCaseRef: `CH-TEST-${++registrations}`,
  taxpayer: {
    ref: 'TP-0001',
    name: '김납세',
    contact: { phone: '010-1234-5678', address: '충청북도 청주시 상당구 상당로 155' },
  },
  bills: [
    {
      billId: 'B1',
      taxItem: '지방소득세',
      dueDate: '2025-03-31',
      cost: '0',
      tax: '1000000',
      surcharge: '30000',
      surchargeAsOf: '2025-06-30',
    },
    {
      billId: 'B2',
      taxItem: '자동차세',
      dueDate: '2025-01-31',
      cost: '5000',
      tax: '200000',
      surcharge: '6000',
      surchargeAsOf: '2025-06-30',
    },
  ],
  ...overrides,
});

/** Registers a case through the API and returns its id. */
export async function registerCaseVia(api: TestApi, overrides: Record<string, unknown> = {}): Promise<string> {
  // Each city's own system registers its cases.
  const answer = await api.call('POST', '/cases', {
    body: registration(overrides),
    as: overrides.cityId === 'sejong' ? 'sejongCity' : 'city',
  });
  if (answer.status !== 201) throw new Error(`registration failed: ${JSON.stringify(answer.body)}`);
  return String(answer.body.caseId);
}

/**
 * Executions' states as the API's port reads them (Step Functions is not available here; the
 * adapter over it is tested on its own): each known execution has one visit; `asked` records the
 * names the API read.
 */
export function knownExecutions(names: readonly string[]): SaleExecutions & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async states(name) {
      asked.push(name);
      if (!names.includes(name)) return undefined;
      return {
        name,
        status: 'SUCCEEDED',
        startedAt: '2026-09-15T00:30:00.000Z',
        states: [
          { state: 'Settle', type: 'Task', enteredAt: '2026-09-15T00:31:00.000Z', status: 'SUCCEEDED', failures: 0 },
        ],
        truncated: false,
      };
    },
  };
}
