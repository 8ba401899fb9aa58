/**
 * The daily deadline check at scale: 100,000 cases in DynamoDB Local, 1% of them past their
 * deadline. Compares the real check's read path (the sparse `byDeadline` index, through the store's
 * `dueByDeadline`) with a scan-based check over the same table, then runs the real deadline check
 * handler (createDeadlineCheck) over it, counting every DynamoDB request with ReturnConsumedCapacity.
 *
 *   npm run bench -- deadlines [--cases 100000] [--due-percent 1]
 *
 * Takes about 25 minutes at 100,000 cases on a 2-CPU machine: seeding about 3 minutes, and the scan
 * about 20 (DynamoDB Local pages a scan slowly; DynamoDB itself would not). `--cases 20000` for a quick look.
 *
 * Cases are real case items: walked through the domain (register, seizure, custody, pre-sale notice)
 * once per state, then cloned with their own ids and dates and marshalled by the store's own
 * `caseToItem`, written with parallel BatchWriteItem. Only CASE items are written (a live table
 * also holds audit, ledger and notice items, which a scan would read too: the scan figure here is a
 * lower bound).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand as DocScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  confirmCustody,
  registerCase,
  requestTransfer,
  sendPreSaleNotice,
  type Actor,
  type Case,
  type TransitionContext,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { kstDate, type LocalDate } from '#domain/dates';
import { decimal, won, ZERO } from '#domain/money';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient, documentClient } from '#adapters/dynamodb/client';
import { createCasesTable, startDynamoDbLocal } from '#adapters/dynamodb/local';
import { caseToItem, type Item } from '#adapters/dynamodb/marshal';
import type { SaleRequestMessage } from '#adapters/workflow/sale-requests';
import { createDeadlineCheck } from '../functions/check-deadlines/app';
import { machine, round, table, targetLines, writeResult, type Target } from './support/common';
import { DynamoMeter } from './support/dynamo-meter';
import { defineCommand, numberOption, progress } from '../local/cli';

const CITY = 'cheongju';
const settings = { ...DEFAULT_CITY_SETTINGS, cityId: CITY };
const actor: Actor = { kind: 'CITY_SYSTEM', id: 'arn:aws:iam::111122223333:role/city-tax-system' };
const ctx = (at: string): TransitionContext => ({ now: new Date(at), actor, settings });
/** Metrics go nowhere: the bench counts for itself. */
const silentMetrics = { addMetric: () => silentMetrics } as unknown as Pick<Metrics, 'addMetric'>;
/** The check runs on this day (09:00 KST); due cases' deadlines passed before it. */
const RUN_AT = new Date('2025-10-01T00:00:00Z');

export const command = defineCommand({
  name: 'npm run bench -- deadlines',
  about:
    'The daily deadline check at scale in DynamoDB Local: the sparse deadline index against a scan, then the real handler. About 25 minutes at 100,000 cases on 2 CPUs.',
  options: {
    cases: { type: 'string', value: 'N', description: 'cases in the table (default 100000; 20000 for a quick look)' },
    'due-percent': {
      type: 'string',
      value: 'P',
      description: 'share of cases past their deadline, in percent (default 1)',
    },
  },
  read: (v) => ({
    cases: numberOption(v.cases, 'cases', 100_000, { min: 1, integer: true }),
    duePercent: numberOption(v['due-percent'], 'due-percent', 1, { min: 0.001 }),
  }),
});

/** One template case per state a city's book holds, walked through the domain. */
function templates(): Record<'REGISTERED' | 'TRANSFER_REQUESTED' | 'IN_CUSTODY' | 'NOTICE_SENT', Case> {
  const at = '2025-08-01T01:00:00Z';
  const bill = (billId: string, tax: string, dueDate: string) => ({
    billId,
    taxItem: '지방소득세',
    provincial: false,
    dueDate,
    cost: ZERO,
    tax: won(tax),
    surcharge: won('30000'),
    surchargeAsOf: '2025-06-30' as LocalDate,
  });
  const t0 = registerCase(
    {
      cityId: CITY,
      caseId: 'template',
      cityCaseRef: 'CC-template',
      taxpayer: { ref: 'TP-0', name: '홍길동', contact: { phone: '010-0000-0000' } },
      bills: [bill('B1', '1000000', '2025-03-31'), bill('B2', '500000', '2025-01-31')],
    },
    ctx(at),
  );
  const t1 = requestTransfer(t0.case, [{ market: 'KRW-BTC', quantity: decimal('0.05') }], ctx(at));
  const t2 = confirmCustody(t1.case, { market: 'KRW-BTC', quantity: decimal('0.05') }, ctx(at));
  const t3 = sendPreSaleNotice(t2.case, [{ market: 'KRW-BTC', bid: decimal('140000000') }], ctx(at));
  return { REGISTERED: t0.case, TRANSFER_REQUESTED: t1.case, IN_CUSTODY: t2.case, NOTICE_SENT: t3.case };
}

/**
 * The book: every 100th case (by default) is NOTICE_SENT with a deadline before the run day (due);
 * of the rest, 40% are NOTICE_SENT with a deadline still ahead (in the index but not due), the
 * others are in states that wait on no date (not in the index at all).
 */
function caseItem(i: number, dueEvery: number, t: ReturnType<typeof templates>): { item: Item; due: boolean } {
  const caseId = `C${String(i).padStart(7, '0')}`;
  const taxpayer = { ...t.REGISTERED.taxpayer, ref: `TP-${i}` };
  let c: Case;
  const due = i % dueEvery === 0;
  if (due) c = { ...t.NOTICE_SENT, deadline: `2025-09-${String(1 + (i % 29)).padStart(2, '0')}` };
  else if (i % 5 < 2)
    c = { ...t.NOTICE_SENT, deadline: `2025-${i % 2 === 0 ? '10' : '11'}-${String(2 + (i % 27)).padStart(2, '0')}` };
  else c = i % 5 === 2 ? t.IN_CUSTODY : i % 5 === 3 ? t.TRANSFER_REQUESTED : t.REGISTERED;
  return { item: caseToItem({ ...c, caseId, cityCaseRef: `CC-${caseId}`, taxpayer }), due };
}

async function seed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cases: number,
  dueEvery: number,
  concurrency: number,
): Promise<{ due: number; seconds: number }> {
  const t = templates();
  let due = 0;
  let next = 0;
  let written = 0;
  const bar = progress('seeding cases', cases);
  const started = performance.now();
  const worker = async () => {
    for (let start = next, end = 0; start < cases; start = next) {
      end = Math.min(cases, start + 25);
      next = end;
      const batch: Item[] = [];
      for (let i = start; i < end; i++) {
        const { item, due: isDue } = caseItem(i, dueEvery, t);
        if (isDue) due++;
        batch.push(item);
      }
      let requests: { PutRequest: { Item: Item } }[] = batch.map((item) => ({ PutRequest: { Item: item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 20) throw new Error('BatchWriteItem kept returning unprocessed items');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
      written += batch.length;
      bar.update(written);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker)).finally(() => bar.stop());
  return { due, seconds: (performance.now() - started) / 1000 };
}

/** What a check without the index would do: scan the whole table for waiting cases past their date. */
async function scanCheck(client: DynamoDBClient, tableName: string, before: LocalDate, cases: number): Promise<number> {
  const doc = documentClient(client);
  let found = 0;
  let scanned = 0;
  let key: Record<string, unknown> | undefined;
  const bar = progress('scanning', cases);
  do {
    const out = await doc.send(
      new DocScanCommand({
        TableName: tableName,
        FilterExpression: 'recordType = :case AND #s IN (:notice, :due) AND waitDate < :before',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':case': 'CASE', ':notice': 'NOTICE_SENT', ':due': 'DUE', ':before': before },
        ProjectionExpression: 'cityId, caseId, #s, waitDate',
        ...(key ? { ExclusiveStartKey: key } : {}),
      }),
    );
    found += out.Count ?? 0;
    scanned += out.ScannedCount ?? 0;
    bar.update(Math.min(scanned, cases), `${found} found`);
    key = out.LastEvaluatedKey;
  } while (key);
  bar.stop();
  return found;
}

export default async function bench({ cases, duePercent }: ReturnType<typeof command.read>): Promise<void> {
  const m = machine();
  const dueEvery = Math.round(100 / duePercent);
  // The JVM as it comes (its optimizing compiler): a benchmark runs long enough to profit from it.
  const local = await startDynamoDbLocal({ jvmOptions: [] });
  try {
    const client = createDynamoDbClient({ DYNAMODB_ENDPOINT: local.endpoint });
    const meter = new DynamoMeter().attach(client);
    const tableName = 'cases-deadlines-bench';
    await createCasesTable(client, tableName);
    const seeded = await seed(documentClient(client), tableName, cases, dueEvery, 16);
    process.stdout.write(`seeded ${cases} cases (${seeded.due} due) in ${round(seeded.seconds)} s\n`);
    const today = kstDate(RUN_AT);
    const store = new DynamoDbCaseStore(client, tableName);

    // 1. The deadline check's read path: the store's own paged index query (page size as the handler).
    meter.reset();
    let started = performance.now();
    let indexEntries = 0;
    let cursor: string | undefined;
    do {
      const page = await store.dueByDeadline(today, { limit: 100, ...(cursor ? { cursor } : {}) });
      indexEntries += page.items.length;
      cursor = page.cursor;
    } while (cursor);
    const indexMs = performance.now() - started;
    const index = meter.total();
    process.stdout.write(
      `index query: ${indexEntries} entries, ${index.itemsRead} items read in ${round(indexMs)} ms\n`,
    );

    // 2. The same question by scanning.
    meter.reset();
    started = performance.now();
    const scanFound = await scanCheck(client, tableName, today, cases);
    const scanMs = performance.now() - started;
    const scan = meter.total();
    process.stdout.write(`scan: ${scanFound} found, ${scan.itemsRead} items read in ${round(scanMs)} ms\n`);

    // 3. The real handler end to end (marks each due case DUE in its own transaction, queues a sale request).
    meter.reset();
    const requests: SaleRequestMessage[] = [];
    const check = createDeadlineCheck({
      store,
      saleRequests: { send: async (r) => void requests.push(r) },
      publishNotices: async () => undefined,
      settings: { get: async (cityId: string) => ({ ...settings, cityId }) },
      clock: () => RUN_AT,
      maxSaleAttempts: 3,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: silentMetrics,
    });
    started = performance.now();
    const summary = await check({});
    const handlerMs = performance.now() - started;
    const handler = { total: meter.total(), byOperation: meter.snapshot() };
    client.destroy();

    const due = seeded.due;
    const perDue = round(index.itemsRead / Math.max(due, 1), 3);
    const ratio = round(scan.itemsRead / Math.max(index.itemsRead, 1), 1);
    const figures = {
      cases,
      due,
      inIndexNotDue: Math.round(cases * 0.4 - due * 0.4),
      seedSeconds: round(seeded.seconds, 1),
      seedItemsPerSecond: Math.round(cases / seeded.seconds),
      index: {
        entriesFound: indexEntries,
        itemsRead: index.itemsRead,
        requests: index.requests,
        readUnits: round(index.readUnits, 1),
        ms: round(indexMs),
        itemsReadPerDueCase: perDue,
      },
      scan: {
        casesFound: scanFound,
        itemsRead: scan.itemsRead,
        requests: scan.requests,
        readUnits: round(scan.readUnits, 1),
        ms: round(scanMs),
      },
      handler: { summary, ms: round(handlerMs), saleRequestsQueued: requests.length, ...handler },
    };
    const targets: Target[] = [
      {
        name: 'items read per due case (index query)',
        goal: '≈ 1 (<= 1.1)',
        value: perDue,
        met: perDue <= 1.1 && indexEntries === due,
      },
      { name: 'items read by the scan / by the index query', goal: '>= 50', value: ratio, met: ratio >= 50 },
    ];
    process.stdout.write(
      [
        '',
        table([
          ['path', 'found', 'items read', 'requests', 'read units', 'ms'],
          [
            'index (dueByDeadline)',
            indexEntries,
            index.itemsRead,
            index.requests,
            round(index.readUnits, 1),
            round(indexMs),
          ],
          ['scan', scanFound, scan.itemsRead, scan.requests, round(scan.readUnits, 1), round(scanMs)],
          [
            'handler (index + get + commit each)',
            summary.checked,
            handler.total.itemsRead,
            handler.total.requests,
            round(handler.total.readUnits, 1),
            round(handlerMs),
          ],
        ]),
        `handler: ${summary.markedDue} marked due, ${requests.length} sale requests; write units ${round(handler.total.writeUnits, 1)}`,
        targetLines(targets),
        '',
      ].join('\n'),
    );
    const file = writeResult('deadlines', m, {
      backend:
        'DynamoDB Local (in memory) via the AWS SDK v3; counts from ReturnConsumedCapacity, ScannedCount and Count',
      figures,
      targets,
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await local.stop();
  }
}
