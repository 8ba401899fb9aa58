/**
 * `npm start`: the whole system on this machine. Starts the local stack, seeds a demo city like
 * Cheongju through the API, runs its months on the fast clock (transfer, notices, reminders,
 * deadline, sales, settlement), prints a summary, then keeps serving the API (schedules running on
 * the clock) until interrupted.
 *
 *   npm start                          demo, then serve
 *   npm start -- --exit-when-done      demo, summary, exit 0 (the last line is one JSON object)
 *   npm start -- --help                every option (START_COMMAND below)
 */
import './xray-manual-mode';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, kstDate, kstStartOfDay } from '#domain/dates';
import { readS3PrintBatch, S3PrintBatchChannel } from '#adapters/notice-channels/index';
import { OPEN_STATUSES } from '#domain/case';
import { DEFAULT_EXECUTION_POLICY } from '#domain/execution-policy';
import { decimal } from '#domain/money';
import { DEFAULT_WITHDRAWAL_FEES } from '#adapters/withdrawal-fees-env';
import { approvalsNeeded } from '#domain/four-eyes';
import { parseRefundFile, refundTotals } from '#domain/refunds';
import { ApiError } from './api-client';
import { API_REFERENCE_PATH } from './api-reference';
import { commandLine, defineCommand, numberOption, progress } from './cli';
import { DAY, HOUR, MINUTE, parseScheduleExpression } from './clock';
import { krw, table } from './format';
import { planDemoCity, seedDemoCity } from './seed';
import { startLocalStack, type LocalStack } from './stack';
import {
  readDeskFigures,
  readSaleQuality,
  readStatements,
  summarize,
  withMoneyOut,
  type DeskFiguresSummary,
  type RunSummary,
} from './summary';
import { runTimeline } from './timeline';

/** The command line (`npm start -- --help` prints it). */
export const START_COMMAND = defineCommand({
  name: 'npm start',
  about:
    'The whole system on this machine: starts the local stack, runs a demo city through its months on the fast clock, prints a summary, then serves the API until Ctrl-C.',
  options: {
    'exit-when-done': { type: 'boolean', description: 'exit 0 after the summary (the last line is one JSON object)' },
    port: { type: 'string', value: 'N', description: 'the API port (default: any free port)' },
    speed: { type: 'string', value: 'N', description: 'the clock rate while serving (default 10)' },
    cases: { type: 'string', value: 'N', description: 'demo cases (default 161)' },
    seed: { type: 'string', value: 'N', description: 'the demo and simulator seed' },
    'no-demo': { type: 'boolean', description: 'serve an empty city' },
    verbose: { type: 'boolean', description: 'log every API request and where the time went' },
  },
  read: (v) => ({
    exitWhenDone: v['exit-when-done'] ?? false,
    port: v.port === undefined ? undefined : numberOption(v.port, 'port', 0, { min: 1, integer: true }),
    speed: numberOption(v.speed, 'speed', 10),
    cases: numberOption(v.cases, 'cases', 161, { min: 1, integer: true }),
    seed: v.seed === undefined ? undefined : numberOption(v.seed, 'seed', 0, { integer: true }),
    demo: !v['no-demo'],
    verbose: v.verbose ?? false,
  }),
});

/**
 * The demo's calendar (KST): seizures mid-September, pre-sale notices mid-October (the city's 30
 * days after custody), sales from December. `noticeDate` is when the taxpayers' reactions start.
 */
export const DEMO_CALENDAR = {
  start: '2026-09-14T10:00:00+09:00',
  noticeDate: '2026-10-16',
  until: '2026-12-31T18:00:00+09:00',
} as const;

/** Schedules left out of the daily progress lines (what they did shows as notices sent, sales started). */
const ROUTINE = new Set([
  'poll-prices',
  'sweep-outbox',
  'send-reminders',
  'send-pre-sale-notices',
  'check-deadlines',
  'officer review',
  'print pickup',
]);

/** Open cases still on their way (a shortfall or a hold waits for people, not for the timeline). */
const OPEN_PROGRESSING = OPEN_STATUSES.filter((s) => s !== 'SHORTFALL' && s !== 'ON_HOLD');

const print = (line = '') => process.stdout.write(`${line}\n`);
/** Where the stack's own lines go: above the progress bar while the timeline runs. */
let out: (line: string) => void = (line) => void print(line);

let stack: LocalStack | undefined;
/** Set once Ctrl-C (or SIGTERM) began stopping the stack: failures after that are the stop's doing. */
let stopping = false;

async function main(): Promise<void> {
  const started = Date.now();
  const args = commandLine(START_COMMAND, process.argv.slice(2));
  print('== crypto-tax-recovery: local stack ==');
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stack?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(130));
  process.once('SIGTERM', () => void shutdown(143));

  stack = await startLocalStack({
    start: DEMO_CALENDAR.start,
    log: (l) => out(`  ${l}`),
    logRequests: args.verbose,
    ...(args.port ? { apiPort: args.port } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  const s = stack;
  for (const line of s.describe()) print(`  ${line}`);
  print(
    `  API reference: ${s.api.url}${API_REFERENCE_PATH} (OpenAPI document at ${s.api.url}${API_REFERENCE_PATH}openapi.json)`,
  );
  print(
    s.marketData.present
      ? `  market data: recorded candles from ${s.marketData.dir} for ${s.marketData.real.join(', ') || 'no market'}; seeded synthetic paths for ${s.marketData.synthetic.join(', ') || 'none'}`
      : `  market data: ${s.marketData.dir} is absent: every market runs on the simulator's seeded synthetic fallback`,
  );
  print(
    `  credentials: ${s.credentialsPath}${s.credentialsCreated ? ' (created now: per city a city-system key and three officer keys, and an auditor key)' : ''}`,
  );
  print(
    `  started in ${((Date.now() - started) / 1000).toFixed(1)} s; simulated clock at ${s.clock.now().toISOString()}`,
  );

  let summary: (RunSummary & { desk?: DeskFiguresSummary }) | undefined;
  let otherCities: RunSummary[] = [];
  if (args.demo) {
    const [cityId = 'cheongju', ...others] = s.cities;
    // The first city gets the full demo; every other city (settings of its own, local/cities.ts) a smaller one.
    for (const [i, id] of [cityId, ...others].entries()) {
      print();
      print(`== seeding demo city ${id} through the API ==`);
      const seed = (args.seed ?? 1) + i * 1000;
      const plan = planDemoCity({
        cases: i === 0 ? args.cases : Math.max(8, Math.round(args.cases / 8)),
        registeredOn: kstDate(s.clock.now()),
        seed,
      });
      const callers = s.callersOf(id);
      const seeded = await seedDemoCity(plan, {
        cityId: id,
        city: callers.city,
        officer: callers.officers[0] ?? s.officer,
        scheduler: s.scheduler,
        bids: (markets) => s.bids(markets),
        creditCityAccount: (market, quantity) =>
          s.exchange.accounts.credit(market.replace(/^KRW-/, ''), quantity, s.exchangeKeys.accessKey),
        noticeDate: DEMO_CALENDAR.noticeDate,
        log: (l) => print(`  ${l}`),
      });
      // The city's officers look at running sales every morning and approve those waiting for them.
      s.scheduler.add({
        name: `officer review ${id}`,
        recurrence: parseScheduleExpression('cron(0 10 * * ? *)', 'Asia/Seoul'),
        run: async () => (await approveWaitingSales(s, id)) + (await approveReleases(s, id)),
      });

      // The print contractor collects the day's batch every evening; the post office reports each
      // letter's delivery a few days later, which the city's system relays (a few addresses are wrong).
      const wrongAddress = new Set(
        seeded.filter((c) => c.behaviour === 'FORCED_SALE' && c.index % 10 === 5).map((c) => c.caseId),
      );
      s.scheduler.add({
        name: `print pickup ${id}`,
        recurrence: parseScheduleExpression('cron(0 18 * * ? *)', 'Asia/Seoul'),
        run: () => collectPrintBatch(s, id, wrongAddress),
      });
      // The finance office pays the refunds of the morning's file and its system confirms each; an
      // officer moves the proceeds to the treasury at the exchange (second factor) and confirms it.
      s.scheduler.add({
        name: `finance office ${id}`,
        recurrence: parseScheduleExpression('cron(0 14 * * ? *)', 'Asia/Seoul'),
        run: () => payRefunds(s, id),
      });
      s.scheduler.add({
        name: `treasury transfer ${id}`,
        recurrence: parseScheduleExpression('cron(0 16 * * ? *)', 'Asia/Seoul'),
        run: () => moveProceeds(s, id),
      });
    }

    print();
    print(`== the timeline, on the fast clock (${((Date.now() - started) / 1000).toFixed(1)} s so far) ==`);
    // On a terminal, a bar follows the simulated calendar; the day lines print above it.
    const from = s.clock.nowMs();
    const bar = progress('simulated days', Math.ceil((new Date(DEMO_CALENDAR.until).getTime() - from) / DAY));
    const tick = setInterval(() => bar.update(Math.floor((s.clock.nowMs() - from) / DAY), kstDate(s.clock.now())), 250);
    out = bar.log;
    let lastRuns = new Map(s.scheduler.runs);
    let lastMetrics = new Map(s.metrics.counts);
    const result = await runTimeline(s, {
      until: new Date(DEMO_CALENDAR.until),
      done: async () => {
        for (const id of s.cities) {
          const totals = await s.store.cityTotals(id);
          if (!OPEN_PROGRESSING.every((st) => !totals.byStatus[st])) return false;
          const releasing = (await s.releases.open(id)).filter((r) => r.status !== 'FAILED').length;
          if (releasing > 0) return false;
          // Every refund made payable in a file and paid (a sum that is not positive waits for the next line).
          const refunds = refundTotals(await s.journal.refundLines(id), await s.journal.instructions(id));
          if (refunds.payable.gt(0) || refunds.instructed.gt(0)) return false;
        }
        return (await s.pendingNotices()) === 0;
      },
      onDay: async (date) => {
        const fired: Record<string, number> = {};
        for (const [name, n] of s.scheduler.runs) {
          const diff = n - (lastRuns.get(name) ?? 0);
          const kind = name
            .replace(/ \d+$/, '')
            .replace(/^(officer review|print pickup|finance office|treasury transfer) .*/, '$1');
          if (diff > 0 && !ROUTINE.has(kind)) fired[kind] = (fired[kind] ?? 0) + diff;
        }
        lastRuns = new Map(s.scheduler.runs);
        const metric = (name: string) => (s.metrics.counts.get(name) ?? 0) - (lastMetrics.get(name) ?? 0);
        const work = [
          metric('SalesStarted') > 0 ? `sales started ${metric('SalesStarted')}` : '',
          metric('OrdersPlaced') > 0 ? `orders ${metric('OrdersPlaced')}` : '',
          metric('SaleSettled') > 0 ? `settled ${metric('SaleSettled')}` : '',
          metric('NoticeSent') > 0 ? `notices sent ${metric('NoticeSent')}` : '',
        ].filter(Boolean);
        lastMetrics = new Map(s.metrics.counts);
        const totals = await s.store.cityTotals(cityId);
        const states = Object.entries(totals.byStatus)
          .filter(([, n]) => n && n > 0)
          .map(([st, n]) => `${st} ${n}`)
          .join(', ');
        const what = Object.entries(fired)
          .map(([k, n]) => (n > 1 ? `${k} ×${n}` : k))
          .join(', ');
        // Quiet days (only the routine daily runs, finding nothing to do) are left out.
        if (what || work.length > 0) bar.log(`  ${date}  ${[what, ...work].filter(Boolean).join('; ')}  |  ${states}`);
      },
    }).finally(() => {
      clearInterval(tick);
      bar.stop();
      out = (line) => void print(line);
    });
    print(
      `  timeline ${result.reason === 'done' ? 'complete' : 'stopped at its end date'}: ${result.endedAt.toISOString()} (${result.steps} steps, ${result.busySteps} while work was in flight)`,
    );
    if (s.scheduler.errors.length > 0) print(`  ${s.scheduler.errors.length} scheduled runs failed (see above)`);
    if (args.verbose) {
      const runs = new Map<string, number>();
      for (const [name, n] of s.scheduler.runs)
        runs.set(name.replace(/ \d+$/, ''), (runs.get(name.replace(/ \d+$/, '')) ?? 0) + n);
      print(
        `  real time spent: ${[...s.scheduler.spentMs].map(([k, ms]) => `${k} ×${runs.get(k) ?? 0} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
      );
      const statuses = new Map<string, number>();
      for (const r of s.exchange.requests)
        statuses.set(`${r.method} ${r.path} ${r.status}`, (statuses.get(`${r.method} ${r.path} ${r.status}`) ?? 0) + 1);
      print(
        `  exchange: ${s.exchange.orders.all().length} orders; requests ${[...statuses].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
      );
      print(
        `  sale executions: ${s.workflow.starter.executions.size}; metrics ${[...s.metrics.counts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      );
    }

    // The custody reconciliation once more at the end (as after the last settlement), then its record:
    // one exchange account holds every city's coins.
    const reconciliation = await s.reconcileCustody();
    for (const d of reconciliation.differences)
      print(
        `  custody difference: ${d.currency} exchange ${d.exchange.toFixed()} ledger ${d.ledger.toFixed()} (${d.difference.toFixed()})`,
      );
    const summaries: RunSummary[] = [];
    for (const id of s.cities) {
      const statements = await readStatements(s.store, id);
      // The desks this city's sales went through (their executions' inputs name them).
      const deskRefs = [...(s.workflow.deskStarter?.executions.values() ?? [])]
        .map((e) => e.input as unknown as { cityId: string; deskId: string })
        .filter((r) => r.cityId === id);
      const citySummary = {
        ...(await withMoneyOut(summarize(id, statements, await readSaleQuality(s.sales, statements)), s.journal)),
        desk: await readDeskFigures(s.desks, deskRefs),
        reconciliation: {
          exchangeMatchesLedger: reconciliation.differences.length === 0,
          differences: reconciliation.differences.length,
        },
      };
      for (const r of await s.releases.open(id))
        print(
          `  release ${r.releaseId} ${r.market} ${r.quantity.toFixed()} ${r.status}${r.failure ? `: ${r.failure}` : ''}`,
        );
      await writeStatements(s, id);
      printSummary(s, citySummary);
      summaries.push(citySummary);
    }
    summary = summaries[0];
    otherCities = summaries.slice(1);
  }

  const elapsedSeconds = Math.round((Date.now() - started) / 100) / 10;
  if (args.exitWhenDone) {
    print(`done in ${elapsedSeconds} s`);
    await s.stop();
    print(
      JSON.stringify(
        summary
          ? {
              ...jsonLine(summary, elapsedSeconds),
              otherCities: otherCities.map((o) => ({
                cityId: o.cityId,
                cases: o.cases,
                byState: o.byState,
                balanced: o.balanced,
              })),
            }
          : { cases: 0, elapsedSeconds },
      ),
    );
    process.exit(0);
  }
  s.serve(args.speed);
  print();
  print(
    `serving the API at ${s.api.url} (clock at ${args.speed}x; schedules running). Officers: npm run ops -- help. Ctrl-C stops.`,
  );
}

/**
 * Releases, as a city's staff do them: the taxpayer's address is registered on the exchange's website
 * (here in the simulator), one officer records it as the destination, a second officer approves too.
 * Coins that do not cover the withdrawal fee to another exchange (dust below the minimum order) go
 * back to the taxpayer's own account at this exchange: an internal transfer, which carries no fee
 * (docs/SALE-DESK.md); sent elsewhere, such a release could only fail (BELOW_FEE).
 */
async function approveReleases(s: LocalStack, cityId: string): Promise<number> {
  let approved = 0;
  const [first = s.officer, second = s.secondOfficer] = s.callersOf(cityId).officers;
  const { items } = await first.get<{
    items: {
      caseId: string;
      releaseId: string;
      market: string;
      quantity: string;
      status: string;
      destination?: unknown;
    }[];
  }>('/releases', { city: cityId });
  for (const r of items.filter((x) => x.status === 'PENDING')) {
    const currency = r.market.replace(/^KRW-/, '');
    const address = `demo-${r.caseId}`.slice(0, 60);
    s.exchange.withdrawals.allow({ currency, netType: currency, address }, s.exchangeKeys.accessKey);
    const base = `/cases/${r.caseId}/releases/${r.releaseId}`;
    const fee = decimal(DEFAULT_WITHDRAWAL_FEES[currency] ?? '0');
    const exchange = decimal(r.quantity).lte(fee) ? 'upbit' : 'another-exchange';
    if (!r.destination)
      await first.put(`${base}/destination`, { cityId, exchange, netType: currency, address }, `dest-${r.releaseId}`);
    await first.post(`${base}/approvals`, { cityId }, `approve-1-${r.releaseId}`);
    await second.post(`${base}/approvals`, { cityId }, `approve-2-${r.releaseId}`);
    approved++;
  }
  return approved;
}

/**
 * The finance office, as the demo's world: it collects the refund file written this morning (for
 * yesterday), pays each refund, and its system confirms each payment through the API.
 */
async function payRefunds(s: LocalStack, cityId: string): Promise<number> {
  const today = kstDate(s.clock.now());
  const content = await s.refundFiles.read(s.refundFiles.key(cityId, addDays(today, -1)));
  if (!content) return 0;
  const { city } = s.callersOf(cityId);
  const rows = parseRefundFile(content);
  for (const r of rows)
    await city.post(
      `/refunds/${r.instructionId}/payment`,
      { cityId, paidOn: today, reference: `FIN-${r.instructionId}` },
      `refund-paid-${r.instructionId}`,
    );
  return rows.length;
}

/**
 * The proceeds up to yesterday to the treasury: an officer reads what to move, withdraws it at the
 * exchange's website (the simulator's own hook: Upbit asks for the holder's second factor) and
 * confirms the transfer through the API.
 */
async function moveProceeds(s: LocalStack, cityId: string): Promise<number> {
  const day = addDays(kstDate(s.clock.now()), -1);
  const [officer = s.officer] = s.callersOf(cityId).officers;
  const position = await officer.get<{ toMoveKrw: string }>('/treasury', { city: cityId, day });
  if (position.toMoveKrw === '0') return 0;
  s.exchange.accounts.debit('KRW', position.toMoveKrw, s.exchangeKeys.accessKey);
  await officer.post(
    '/treasury/transfers',
    { cityId, day, amount: position.toMoveKrw, reference: `KRW-${cityId}-${day.replaceAll('-', '')}` },
    `treasury-${cityId}-${day}`,
  );
  return 1;
}

/**
 * The print contractor's evening pickup and what follows from it, as the demo's world: each
 * registered letter reaches the taxpayer 2-4 days later, and the city's system relays the post
 * office's result through the API; a letter to a wrong address comes back, and the next morning an
 * officer orders public notice. Only the pre-sale notice's result matters to its deadline.
 */
async function collectPrintBatch(s: LocalStack, cityId: string, wrongAddress: ReadonlySet<string>): Promise<number> {
  const key = new S3PrintBatchChannel(s.printBatches.s3, s.printBatches.bucket).batchKey(cityId, s.clock.now());
  let records;
  try {
    records = await readS3PrintBatch(s.printBatches.s3, s.printBatches.bucket, key);
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return 0;
    throw error;
  }
  const today = kstDate(s.clock.now());
  const { city, officers } = s.callersOf(cityId);
  const [officer = s.officer] = officers;
  const relay = async (path: string, body: unknown, key: string) => {
    try {
      await city.post(path, body, key);
    } catch (error) {
      // The case closed meanwhile (paid, cancelled): its letter's result no longer matters.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  };
  let letters = 0;
  for (const r of records.filter((x) => x.kind === 'PRE_SALE')) {
    letters++;
    const on = addDays(today, 2 + (r.seq % 3));
    const at = kstStartOfDay(on).getTime() + 15 * HOUR + (r.seq % 60) * MINUTE;
    const path = `/cases/${r.caseId}/notices/${r.noticeId}`;
    if (wrongAddress.has(r.caseId)) {
      s.scheduler.at(at, `returned letter ${r.seq}`, async () => {
        await relay(
          `${path}/delivery`,
          { cityId, outcome: 'FAILED', on, reason: '수취인 불명 (반송)' },
          `delivery-${r.noticeId}`,
        );
        const posted = addDays(on, 1);
        s.scheduler.at(kstStartOfDay(posted).getTime() + 10 * HOUR, `public notice ${r.seq}`, async () => {
          try {
            await officer.post(`${path}/public-notice`, { cityId, postedOn: posted }, `public-notice-${r.noticeId}`);
          } catch (error) {
            if (!(error instanceof ApiError && error.status === 409)) throw error;
          }
        });
      });
    } else {
      s.scheduler.at(at, `delivery ${r.seq}`, () =>
        relay(`${path}/delivery`, { cityId, outcome: 'DELIVERED', on }, `delivery-${r.noticeId}`),
      );
    }
  }
  return letters;
}

/**
 * What the city's officers do from the console: approve each running sale that waits for them.
 * Four eyes (shared/domain/four-eyes.ts): an officer who last changed the case's holds is refused
 * and another approves; a sale at or above the second threshold gets two different officers.
 */
async function approveWaitingSales(s: LocalStack, cityId: string): Promise<number> {
  const { officers } = s.callersOf(cityId);
  const [reader = s.officer] = officers;
  let approved = 0;
  let cursor: string | undefined;
  do {
    const page: { items: { caseId: string }[]; cursor?: string } = await reader.get('/cases', {
      city: cityId,
      status: 'SELLING',
      limit: '100',
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items) {
      const c = await reader.get<{ saleId?: string }>(`/cases/${item.caseId}`, { city: cityId });
      if (!c.saleId) continue;
      const sale = await s.sales.get(cityId, item.caseId, c.saleId);
      if (!sale?.approval || sale.approval.approvedAt) continue;
      let needed = Math.max(1, approvalsNeeded(sale.approval.plannedValueKrw, DEFAULT_EXECUTION_POLICY));
      for (const [n, officer] of officers.entries()) {
        if (needed === 0) break;
        try {
          await officer.post(
            `/cases/${item.caseId}/sales/${c.saleId}/approval`,
            { cityId },
            `approve-${c.saleId}-${n}`,
          );
          approved++;
          needed--;
        } catch (error) {
          // This officer may not (four eyes) or already did: the next one looks.
          if (!(error instanceof ApiError && ['ALREADY_APPROVED', 'FOUR_EYES'].includes(error.problem.code ?? '')))
            throw error;
        }
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return approved;
}

async function writeStatements(s: LocalStack, cityId: string): Promise<void> {
  const [officer = s.officer] = s.callersOf(cityId).officers;
  let cursor: string | undefined;
  do {
    const page: { items: { caseId: string }[]; cursor?: string } = await officer.get('/cases', {
      city: cityId,
      limit: '100',
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items) {
      const statement = await officer.get(`/cases/${item.caseId}/statement`, { city: cityId });
      writeFileSync(join(s.dirs.statements, `${item.caseId}.json`), JSON.stringify(statement, null, 2) + '\n');
    }
    cursor = page.cursor;
  } while (cursor);
}

function printSummary(s: LocalStack, sum: RunSummary): void {
  print();
  print(`== summary: ${sum.cityId} ==`);
  const rows = Object.entries(sum.byState)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([st, n]) => [`  ${st}`, String(n)]);
  for (const line of table([['  cases by final state', String(sum.cases)], ...rows])) print(line);
  print(`  owed at registration   ${krw(sum.owedKrw)}`);
  print(
    `  recovered              ${krw(sum.recoveredKrw)} (sales ${krw(sum.recoveredBySaleKrw)}, payments ${krw(sum.recoveredByPaymentKrw)})`,
  );
  print(`  refunded (surplus)     ${krw(sum.refundedKrw)}`);
  print(`  sales: gross ${krw(sum.saleGrossKrw)}, exchange fees ${krw(sum.feesKrw)}, rounding ${krw(sum.roundingKrw)}`);
  print(`  still owed (open)      ${krw(sum.outstandingKrw)}`);
  const released = Object.entries(sum.releasedCoins).map(([m, q]) => `${m.replace(/^KRW-/, '')} ${q}`);
  print(
    `  coins released         ${released.join(', ') || 'none'} (${
      Object.entries(sum.releasesByReason)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || '-'
    })`,
  );
  const q = sum.saleQuality;
  print(
    `  sale quality           ${q.sales} sales, ${q.slices ?? 0} slices, ${q.pauses ?? 0} pauses; ` +
      (q.measured > 0
        ? `arrival slippage ${q.arrivalSlippageBps ?? '-'} bps, implementation shortfall ${q.implementationShortfallBps} bps (value-weighted; worst sale ${q.worstShortfallBps} bps), overshoot ${krw(q.overshootKrw ?? '0')} (from the ${q.source})`
        : 'no sale recorded quality figures'),
  );
  const d = (sum as RunSummary & { desk?: DeskFiguresSummary }).desk;
  if (d)
    print(
      `  sale desks             ${d.desks} desks (${d.runs} runs), ${d.orders} orders; implementation shortfall ${d.implementationShortfallBps ?? '-'} bps (value-weighted), max participation ${d.maxParticipationPerMinute} of a minute's volume`,
    );
  print(`  releases               ${sum.releases.requested} requested, ${sum.releases.done} done`);
  if (sum.refunds)
    print(
      `  refunds                payable ${krw(sum.refunds.payable)}, instructed ${krw(sum.refunds.instructed)}, paid ${krw(sum.refunds.paid)}, outstanding ${krw(sum.refunds.outstanding)} (files under refunds/ for the finance system)`,
    );
  if (sum.treasury)
    print(
      `  proceeds to treasury   moved ${krw(sum.treasury.movedKrw)}, still at the exchange ${sum.treasury.atExchangeKrw} KRW`,
    );
  if (sum.reconciliation)
    print(
      `  custody reconciliation ${sum.reconciliation.exchangeMatchesLedger ? 'the exchange account holds what the ledger says' : `${sum.reconciliation.differences} difference(s): see the reconcile-custody record`}`,
    );
  print(
    `  notices                ${sum.notices.total} (${Object.entries(sum.notices.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}); ${sum.notices.delivered} delivered (print batches, e-mail), ${sum.notices.pending} pending`,
  );
  print(
    `  balanced               ${sum.balanced ? 'yes: every sale and payment is fully accounted for, to the won' : `NO: ${sum.unbalanced.slice(0, 5).join('; ')}`}`,
  );
  print(`  statements             ${s.dirs.statements}/<caseId>.json`);
  print(
    `  print batches          s3://${s.printBatches.bucket}/print/ on the local S3 (stopped with the stack); e-mails in the local SES viewer while serving: ${s.ses.endpoint}`,
  );
}

function jsonLine(sum: RunSummary & { desk?: DeskFiguresSummary }, elapsedSeconds: number) {
  return {
    cases: sum.cases,
    byState: sum.byState,
    owedKrw: sum.owedKrw,
    recoveredKrw: sum.recoveredKrw,
    refundedKrw: sum.refundedKrw,
    feesKrw: sum.feesKrw,
    outstandingKrw: sum.outstandingKrw,
    releasedCoins: sum.releasedCoins,
    saleQuality: sum.saleQuality,
    ...(sum.desk ? { desk: sum.desk } : {}),
    notices: sum.notices.total,
    releases: sum.releases,
    refunds: sum.refunds,
    treasury: sum.treasury,
    reconciliation: sum.reconciliation,
    noticesDelivered: sum.notices.delivered,
    balanced: sum.balanced,
    elapsedSeconds,
  };
}

main().catch(async (error: unknown) => {
  if (stopping) return;
  process.stderr.write(`npm start failed: ${(error as Error).stack ?? String(error)}\n`);
  await stack?.stop().catch(() => {});
  process.exit(1);
});
