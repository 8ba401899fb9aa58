import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
/**
 * The city's API against DynamoDB Local: registers cases through the real handler (the same
 * proxy events API Gateway sends, real SDK, one transaction per case), then reads them back.
 *
 *   npm run bench -- api [--cases 10000] [--concurrency 32] [--gets 5000]
 *
 * Prints registrations per second and GET latency p50/p99, and writes bench/results/api.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { createCasesTable, startDynamoDbLocal } from '#adapters/dynamodb/local';
import { createApi, type ApiHandler } from '../functions/api/app';
import { loadApiConfig } from '../functions/api/config';
import { proxyEvent } from '../functions/api/proxy-event';
import { defineCommand, numberOption } from '../local/cli';

const CITY_ROLE = 'arn:aws:iam::111122223333:role/city-tax-system';
const CALLER = 'arn:aws:sts::111122223333:assumed-role/city-tax-system/bench';

export const command = defineCommand({
  name: 'npm run bench -- api',
  about:
    'Registers cases through the real API handler against DynamoDB Local, then reads them back; prints registrations per second and GET latency.',
  options: {
    cases: { type: 'string', value: 'N', description: 'cases to register (default 10000)' },
    concurrency: { type: 'string', value: 'N', description: 'requests in flight (default 32)' },
    gets: { type: 'string', value: 'N', description: 'GET requests (default 5000)' },
  },
  read: (v) => ({
    cases: numberOption(v.cases, 'cases', 10_000, { min: 1, integer: true }),
    concurrency: numberOption(v.concurrency, 'concurrency', 32, { min: 1, integer: true }),
    gets: numberOption(v.gets, 'gets', 5_000, { min: 1, integer: true }),
  }),
});

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; returns each one's latency (ms). */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number[]> {
  const latencies = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const started = performance.now();
      await task(i);
      latencies[i] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

function registration(i: number) {
  const tax = String(100_000 + ((i * 7919) % 9_900_000));
  return {
    cityId: 'cheongju',
    cityCaseRef: `CJ-BENCH-${i}`,
    taxpayer: {
      ref: `TP-${String(i).padStart(6, '0')}`,
      name: `납세자${i}`,
      contact: { phone: '010-0000-0000', address: '충청북도 청주시 상당구 상당로 155' },
    },
    bills: [
      {
        billId: `B${i}-1`,
        taxItem: '지방소득세',
        dueDate: '2025-03-31',
        cost: '0',
        tax,
        surcharge: '30000',
        surchargeAsOf: '2025-06-30',
      },
      {
        billId: `B${i}-2`,
        taxItem: '자동차세',
        dueDate: '2025-01-31',
        cost: '5000',
        tax: '200000',
        surcharge: '6000',
        surchargeAsOf: '2025-06-30',
      },
    ],
  };
}

async function call(
  handler: ApiHandler,
  method: string,
  path: string,
  options: { body?: unknown; query?: Record<string, string>; key?: string },
) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.key ? { 'Idempotency-Key': options.key } : {}),
  };
  return handler(
    proxyEvent({
      method,
      path,
      headers,
      query: options.query ?? null,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      userArn: CALLER,
    }),
  );
}

export default async function bench(options: ReturnType<typeof command.read>): Promise<void> {
  // Other work on the machine shares the CPUs with DynamoDB Local: recorded with the figures.
  const loadBefore = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const { cases, concurrency, gets } = options;
  // The JVM as it comes (its optimizing compiler): a benchmark runs long enough to profit from it.
  const local = await startDynamoDbLocal({ jvmOptions: [] });
  try {
    const client = createDynamoDbClient({ DYNAMODB_ENDPOINT: local.endpoint });
    const tableName = 'cases-bench';
    await createCasesTable(client, tableName);
    const settings = new DynamoDbCitySettings(client, tableName);
    await settings.put(DEFAULT_CITY_SETTINGS, { expectedVersion: null, by: 'bench', at: new Date().toISOString() });
    const config = loadApiConfig({
      TABLE_NAME: tableName,
      SERVED_CITIES: 'cheongju',
      CALLERS: JSON.stringify([{ principal: CITY_ROLE, role: 'CITY_SYSTEM', cities: ['cheongju'] }]),
    });
    const handler = createApi({
      store: new DynamoDbCaseStore(client, tableName),
      settings,
      config,
      logger: new Logger({ logLevel: 'SILENT' }),
    });

    // Warm up the JVM and the handler's code paths; these cases are not counted.
    await pool(200, concurrency, async (i) => {
      await call(handler, 'POST', '/cases', { body: registration(1_000_000 + i), key: `warm-${i}` });
    });

    const ids: string[] = new Array<string>(cases);
    let failures = 0;
    const started = performance.now();
    const postLatencies = await pool(cases, concurrency, async (i) => {
      const result = await call(handler, 'POST', '/cases', { body: registration(i), key: `bench-${i}` });
      if (result.statusCode !== 201) failures++;
      else ids[i] = (JSON.parse(result.body) as { caseId: string }).caseId;
    });
    const seconds = (performance.now() - started) / 1000;
    const registered = ids.filter((id) => id !== undefined);

    let getFailures = 0;
    const getOne = async (i: number) => {
      const id = registered[(i * 7919) % registered.length] ?? '';
      const result = await call(handler, 'GET', `/cases/${id}`, { query: { city: 'cheongju' } });
      if (result.statusCode !== 200) getFailures++;
    };
    const getsStarted = performance.now();
    const getLatencies = await pool(gets, concurrency, getOne);
    const getSeconds = (performance.now() - getsStarted) / 1000;
    const sequentialLatencies = await pool(Math.min(1000, gets), 1, getOne);
    client.destroy();

    const figures = {
      registrations: {
        cases,
        concurrency,
        failures,
        seconds: Math.round(seconds * 100) / 100,
        casesPerSecond: Math.round(registered.length / seconds),
        postP50Ms: percentile(postLatencies, 50),
        postP99Ms: percentile(postLatencies, 99),
      },
      gets: {
        requests: gets,
        concurrency,
        failures: getFailures,
        perSecond: Math.round(gets / getSeconds),
        p50Ms: percentile(getLatencies, 50),
        p99Ms: percentile(getLatencies, 99),
      },
      getsSequential: {
        requests: sequentialLatencies.length,
        p50Ms: percentile(sequentialLatencies, 50),
        p99Ms: percentile(sequentialLatencies, 99),
      },
    };
    // Goals from use: a large city's backlog (10,000 cases) registered in under two minutes; an
    // officer's console reading a case well within interactive time even while the city's batch runs.
    const targets = [
      {
        name: 'registrations per second (DynamoDB Local, concurrency 32)',
        goal: '>= 100',
        value: figures.registrations.casesPerSecond,
        met: figures.registrations.casesPerSecond >= 100,
      },
      { name: 'registrations refused or failed', goal: '0', value: failures, met: failures === 0 },
      {
        name: 'GET /cases/{caseId} p50 ms under load',
        goal: '<= 25',
        value: figures.gets.p50Ms,
        met: figures.gets.p50Ms <= 25,
      },
      {
        name: 'GET /cases/{caseId} p99 ms under load',
        goal: '<= 100',
        value: figures.gets.p99Ms,
        met: figures.gets.p99Ms <= 100,
      },
      {
        name: 'GET /cases/{caseId} p99 ms one at a time',
        goal: '<= 25',
        value: figures.getsSequential.p99Ms,
        met: figures.getsSequential.p99Ms <= 25,
      },
    ];
    const result = {
      name: 'api',
      at: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        platform: process.platform,
        loadAverageBefore: loadBefore,
      },
      backend: 'DynamoDB Local (in memory) via the AWS SDK v3, handler in process',
      figures,
      targets,
    };
    process.stdout.write(
      [
        `registered ${registered.length}/${cases} cases in ${figures.registrations.seconds}s: ${figures.registrations.casesPerSecond} cases/s (concurrency ${concurrency}; POST p50 ${figures.registrations.postP50Ms} ms, p99 ${figures.registrations.postP99Ms} ms)`,
        `GET /cases/{caseId}: p50 ${figures.gets.p50Ms} ms, p99 ${figures.gets.p99Ms} ms at concurrency ${concurrency} (${figures.gets.perSecond} GET/s); p50 ${figures.getsSequential.p50Ms} ms, p99 ${figures.getsSequential.p99Ms} ms one at a time`,
        ...targets.map((t) => `  ${t.met ? 'met ' : 'MISS'} ${t.name}: ${t.value} (goal ${t.goal})`),
        '',
      ].join('\n'),
    );
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'api.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await local.stop();
  }
}
