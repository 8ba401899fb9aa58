/**
 * The local stack: the whole system in one process tree on this machine, with the same handler
 * code as on AWS (each handler's factory from functions/, given local clients and the shared clock,
 * composed with middy and Powertools by functions/lambda.ts exactly as each handler.ts does).
 *
 *   DynamoDB Local (Java child)     the cases table, created from the shared table definition
 *   local SQS (fauxqs, Node child)  notice and sale-request FIFO queues with DLQs, as the stack
 *                                   defines them; pollers hand real SQSEvents to dispatch-notice
 *                                   and start-sale (Lambda's event source mapping)
 *   sale workflow                   the state machine CDK synthesizes, in aws-local-stepfunctions,
 *                                   its Task states bound to the real case and market steps
 *   exchange simulator              the Upbit protocol over node:http, on the shared clock
 *   city API                        node:http → API Gateway proxy events → functions/api, callers
 *                                   from .local/credentials.json; plus the officers' local console
 *   schedules                       price poll, deadline check, reminders, pre-sale notices, outbox
 *                                   sweep: timers on the shared clock, at the stack's expressions
 *   notices                         the dispatcher's real channels: postal print batches in S3
 *                                   (fauxqs emulates S3 beside SQS), e-mail through SES v2
 *                                   (aws-ses-v2-local, in this process)
 *
 * It runs only what the CDK stack deploys: `deployed` lists the schedules, queue consumers, state
 * machines and API routes it registered, and a test compares them with the synthesized template.
 *
 * Every part is started here and stopped by `stop()`, newest first (schedules first of all); a part
 * that fails to start stops those already running. DynamoDB Local, the SQS server and the state
 * machine's synth start side by side.
 */
import './xray-manual-mode';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { createCasesTable, startDynamoDbLocal, type DynamoDbLocal } from '#adapters/dynamodb/local';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { rateBudgetFromEnv } from '#adapters/dynamodb/rate-budget-store';
import { ENV } from '#adapters/env';
import type { Decimal } from '#domain/money';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { DynamoDbLatestPrices, DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import {
  SALE_REQUEST_DELAY_SECONDS,
  saleRequestPublisher,
  SqsSaleRequestQueue,
} from '#adapters/workflow/sale-requests';
import { noticePublisher, sendNoticeMessages, type NoticeMessage } from '#adapters/sqs/notice-queue';
import { executionPolicy } from '#domain/execution-policy';
import { lambdaHandler } from '../functions/lambda';
import { createApi } from '../functions/api/app';
import { createPollHandler } from '../functions/poll-prices/app';
import { createNoticeDispatcher } from '../functions/dispatch-notice/app';
import { channelsFor } from '../functions/dispatch-notice/channels';
import { loadDispatcherConfig } from '../functions/dispatch-notice/config';
import { createOutboxSweeper } from '../functions/sweep-outbox/app';
import { loadSweeperConfig } from '../functions/sweep-outbox/config';
import { createReminderRun } from '../functions/send-reminders/app';
import { createDeadlineCheck } from '../functions/check-deadlines/app';
import { createCaseSteps } from '../functions/sale/case-steps';
import { createReleaseRun } from '../functions/release-coins/app';
import { RELEASE_RATE } from '../functions/release-coins/config';
import { DEFAULT_WITHDRAWAL_FEES, withdrawalFees } from '#adapters/withdrawal-fees-env';
import { createCustodyReconciliation } from '../functions/reconcile-custody/app';
import { RECONCILE_CRON } from '../functions/reconcile-custody/config';
import { decimal } from '#domain/money';
import type { Reconciliation } from '#domain/reconciliation';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { S3RefundFiles } from '#adapters/refund-files';
import { createRefundInstructions } from '../functions/instruct-refunds/app';
import { REFUND_INSTRUCTIONS_CRON } from '../functions/instruct-refunds/config';
import { loadSaleConfig, MARKET_STEPS_CONCURRENCY } from '../functions/sale/config';
import { DEFAULT_MAX_RUNNING_SALES } from '../functions/start-sale/config';
import type { SaleDeps } from '../functions/sale/context';
import { stepDispatcher } from '../functions/sale/dispatch';
import { createMarketSteps } from '../functions/sale/market-steps';
import { createOrderSweep, ORDERS_IN_DOUBT_SWEEP_RATE, SWEEP_SERVICE } from '../functions/sale/sweep';
import { createDeskSteps } from '../functions/sale/desk-steps';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { queueNoticePublisher } from '../functions/sale/notices';
import { createSaleStarter } from '../functions/start-sale/app';
import { loadApiConfig, type ApiConfig } from '../functions/api/config';
import { ulid } from '../functions/api/ids';
import { ApiClient } from './api-client';
import { DAY, parseScheduleExpression, StackClock, Scheduler, type JobRun } from './clock';
import {
  authenticator,
  keyFor,
  loadOrCreateCredentials,
  roleEnv,
  withSecondOfficer,
  type Credentials,
} from './credentials';
import { DEMO_CITY_SETTINGS } from './cities';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import type { CitySettings } from '#domain/city-settings';
import { defaultDataDir, startExchangeSimulator, type ExchangeSimulator } from './exchange-sim';
import { localConsole } from './console';
import { DEFAULT_STATE_DIR, REPO_ROOT } from './paths';
import { startLocalHttpApi, type LocalHttpApi } from './http-api';
import { CONSOLE_ROUTES, startLocalConsole, type LocalConsole } from './console-site';
import {
  loadOrCreateAccessKeys,
  startLocalTaxpayerGateway,
  startLocalTaxpayerSite,
  type LocalTaxpayerGateway,
} from './taxpayer-page';
import type { LocalWebSite } from './web-site';
import type { AccessKeys } from '#adapters/self-service/access-keys';
import { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { selfServiceLinker } from '../functions/dispatch-notice/self-service-link';
import { createTaxpayerApi } from '../functions/taxpayer-api/app';
import { createTaxpayerAuthorizer } from '../functions/taxpayer-api/authorizer';
import { taxpayerRoutes } from '../functions/taxpayer-api/routes';
import { createPreSaleNoticeRun } from '../functions/send-pre-sale-notices/app';
import { loadPreSaleNoticeConfig } from '../functions/send-pre-sale-notices/config';
import { preSaleReceiptRecorder } from '../functions/dispatch-notice/receipts';
import { routes as apiRoutes } from '../functions/api/routes';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSesClient } from '#adapters/notice-channels/clients';
import { startLocalSes, type LocalSes } from './ses-local';
import {
  concurrencyLimit,
  createLocalSaleWorkflow,
  loadSaleDefinition,
  SimTimeGate,
  type LocalSaleWorkflow,
} from './sale-workflow';
import {
  createFifoQueueWithDlq,
  lambdaContext,
  queueDepth,
  SqsEventSource,
  startLocalSqs,
  type LocalQueueWithDlq,
  type LocalSqs,
  type SqsHandler,
} from './sqs';

export { DEFAULT_STATE_DIR, REPO_ROOT };
export const CITY_ID = 'cheongju';
/** Markets the demo city's seizures are in; the simulator serves each. */
export const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN'] as const;

export interface LocalStackOptions {
  /** Where credentials, the outbox and statements live (default `<repo>/.local`). */
  stateDir?: string;
  /** The simulated instant the stack starts at. */
  start: string | Date;
  /** Clock rate once started (0: paused until the caller moves it). */
  rate?: number;
  /** API port (0 or absent: a free one). */
  apiPort?: number;
  /** Seed of the exchange simulator's synthetic markets and book noise. */
  seed?: number;
  /** Market data folder (default: the simulator's, `../shared/data/market/` or MARKET_DATA_DIR). */
  dataDir?: string;
  /** The cities served and their settings (default: Cheongju and a second demo city, Sejong). */
  citySettings?: readonly CitySettings[];
  log?: (line: string) => void;
  /** Log each API request (method, path, status, ms). */
  logRequests?: boolean;
  /** Days after custody before the pre-sale notice goes out, for every city (default: each city's settings). */
  preSaleNoticeAfterCustodyDays?: number;
  /** Sales running at once before the starter defers new ones (default as deployed, DEFAULT_MAX_RUNNING_SALES). */
  maxRunningSales?: number;
  /** Keep the statements of the previous run (default: cleared at start). */
  keepFiles?: boolean;
  /** The web console's port (0 or absent: a free one). */
  consolePort?: number;
}

export interface LocalStack {
  readonly clock: StackClock;
  readonly scheduler: Scheduler;
  readonly store: DynamoDbCaseStore;
  readonly tableName: string;
  readonly dynamodb: DynamoDbLocal;
  readonly exchange: ExchangeSimulator;
  /** The city's own client of the exchange (the same adapter the sale steps use), with the local keys. */
  readonly exchangeClient: UpbitExchange;
  readonly exchangeKeys: { accessKey: string; secretKey: string };
  /** Best bid per market now. */
  bids(markets: readonly string[]): Promise<Record<string, Decimal>>;
  /** Which markets replay recorded candles and which run on the seeded synthetic fallback. */
  readonly marketData: { dir: string; present: boolean; real: string[]; synthetic: string[] };
  readonly api: LocalHttpApi;
  readonly apiConfig: ApiConfig;
  /** The officers' web console: its site, user pool accounts and API. */
  readonly console: LocalConsole;
  /** The taxpayer's self-service page: its site (the notices' links point at `pageUrl`), its public API, the keys. */
  readonly taxpayer: {
    site: LocalWebSite & { pageUrl: string };
    api: LocalTaxpayerGateway;
    keys: AccessKeys;
    records: DynamoDbSelfServiceStore;
  };
  readonly priceStore: DynamoDbPriceStore;
  /** Metrics the handlers emitted, counted. */
  readonly metrics: LocalMetrics;
  readonly credentials: Credentials;
  readonly credentialsPath: string;
  readonly credentialsCreated: boolean;
  /** The first city's tax system and an officer, as API clients with their local keys. */
  readonly city: ApiClient;
  readonly officer: ApiClient;
  /** Each city's system and its officers (three: four eyes), as API clients. */
  callersOf(cityId: string): { city: ApiClient; officers: ApiClient[] };
  /** An auditor of every city. */
  readonly auditor: ApiClient;
  /** The cities' settings, read as the functions read them. */
  readonly citySettings: DynamoDbCitySettings;
  /** Another officer of the first city: the second pair of eyes on a release. */
  readonly secondOfficer: ApiClient;
  readonly releases: DynamoDbReleaseStore;
  readonly journal: DynamoDbJournalStore;
  /** Runs the custody reconciliation now (as after a settlement). */
  reconcileCustody(): Promise<Reconciliation>;
  readonly dirs: { state: string; statements: string };
  readonly cities: readonly string[];
  /**
   * Work in flight: queued messages and running sales. A fast-forward waits for it, and lets
   * simulated time pass meanwhile only where the work needs it (sales wait between slices).
   */
  pendingWork(): Promise<PendingWork>;
  /** Lets sale executions whose wait has passed go on; call after moving the clock. */
  wake(): number;
  /** Sale executions running a step now (in this process: no queue is asked). */
  activeSteps(): number;
  /** Settles when a sale step parks for simulated time or an execution ends, or after `timeoutMs`. */
  workChanged(timeoutMs: number): Promise<void>;
  /** Runs the clock at `rate` with the schedules and sale waits on real-time timers (serving the API). */
  serve(rate: number): void;
  readonly sales: DynamoDbSaleStore;
  /** The sale desks' records (docs/SALE-DESK.md). */
  readonly desks: DeskStore;
  readonly workflow: LocalSaleWorkflow;
  /** Notice records not yet sent (0 or more; stops at the first found). */
  pendingNotices(): Promise<number>;
  readonly sqs: LocalSqs;
  readonly queues: { notices: LocalQueueWithDlq; saleRequests: LocalQueueWithDlq };
  readonly ses: LocalSes;
  /** The print batches' bucket on the local S3 (fauxqs), and a client of it (the print contractor's view). */
  readonly printBatches: { bucket: string; s3: ReturnType<typeof createS3Client> };
  /** The refund instruction files (refunds/ in the same bucket), as the finance system collects them. */
  readonly refundFiles: S3RefundFiles;
  /** What this stack runs, as the CDK stack deploys it (compared with the template by a test). */
  readonly deployed: DeployedParts;
  /** Which parts run, one line each, for the start banner. */
  describe(): string[];
  stop(): Promise<void>;
}

type Stopper = { name: string; stop: () => Promise<void> };

/** The parts of the deployment the local stack runs: function names as the stack names them (`ctr-<stage>-<name>`). */
export interface DeployedParts {
  schedules: { function: string; expression: string; timezone: string }[];
  consumers: { function: string; queue: 'noticeDispatch' | 'saleRequest' }[];
  stateMachines: string[];
  routes: { method: string; path: string }[];
}

export interface PendingWork {
  /** Messages queued or being handled. */
  messages: number;
  /**
   * Messages the queue holds back for its delivery delay (real seconds), such as sale requests the
   * starter deferred at the cap on running sales: they wait for running sales to end, so they hold
   * the clock only when no sale is waiting for it.
   */
  delayed: number;
  /** Sale executions running a step now. */
  active: number;
  /** Sale executions waiting for simulated time to pass (a Wait state). */
  waiting: number;
  /** When the first of them wakes up. */
  nextWake?: number;
}

/** The local print batches' bucket (a deployment names its own). */
export const PRINT_BATCH_BUCKET = 'ctr-local-print-batches';
/** As the stack's queues (infra/constructs/queues.ts). */
const MAX_RECEIVE_COUNT = 5;
/** The release schedule's period: how often the timeline steps while releases are in flight. */
const RELEASE_PACE_MS = parseScheduleExpression(RELEASE_RATE)(0);

/**
 * The schedules the CDK stack deploys, so local timers fire when AWS's would: price poll and
 * deadline check from cdk.json's `schedules`; reminders and outbox sweep at the notices construct's
 * defaults (infra/constructs/notices.ts; a test keeps the two in step).
 */
export function stackSchedules(): {
  pricePollRate: string;
  deadlineCheckCron: string;
  remindersCron: string;
  preSaleNoticesCron: string;
  outboxSweepRate: string;
  timezone: string;
} {
  const cdk = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: { schedules?: Record<string, string> };
  };
  const s = cdk.context?.schedules ?? {};
  return {
    pricePollRate: s.pricePollRate ?? 'rate(1 minute)',
    deadlineCheckCron: s.deadlineCheckCron ?? 'cron(0 9 * * ? *)',
    remindersCron: 'cron(0 9 * * ? *)',
    preSaleNoticesCron: 'cron(0 9 * * ? *)',
    outboxSweepRate: 'rate(5 minutes)',
    timezone: s.timezone ?? 'Asia/Seoul',
  };
}

/** What a city configures for its notices (cdk.json's `notices`): the sender of e-mails, where the exchange receives transfer demands. */
export function stackNoticeSettings(): { emailFrom: string; exchangeContact: Record<string, string> } {
  const cdk = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: { notices?: { emailFrom?: string; exchangeContact?: Record<string, string> } };
  };
  const n = cdk.context?.notices ?? {};
  return { emailFrom: n.emailFrom ?? 'notice@example.com', exchangeContact: n.exchangeContact ?? {} };
}

/**
 * Lambda metrics locally: counted, not printed (Powertools would write EMF lines to stdout). A
 * Metrics, so it fits every handler's metrics dependency.
 */
export class LocalMetrics extends Metrics {
  readonly counts = new Map<string, number>();
  override addMetric(name: string, _unit: MetricUnit, value: number): this {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
    return this;
  }
  override addDimension(): this {
    return this;
  }
  override publishStoredMetrics(): this {
    return this;
  }
  override captureColdStartMetric(): void {
    this.counts.set('ColdStart', (this.counts.get('ColdStart') ?? 0) + 1);
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const dirs = { state: stateDir, statements: join(stateDir, 'statements') };
  if (!options.keepFiles) {
    // Generated by the previous run against a database that no longer exists (DynamoDB Local is in memory).
    // (and the notices folder of runs before the stack delivered through S3 and SES)
    rmSync(join(stateDir, 'outbox'), { recursive: true, force: true });
    rmSync(dirs.statements, { recursive: true, force: true });
  }
  mkdirSync(dirs.statements, { recursive: true });
  const initialSettings = options.citySettings ?? DEMO_CITY_SETTINGS;
  const cities = initialSettings.map((c) => c.cityId);

  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    for (const s of stoppers.splice(0).reverse()) {
      try {
        await s.stop();
      } catch (error) {
        log(`stopping ${s.name} failed: ${(error as Error).message}`);
      }
    }
  };

  try {
    const clock = new StackClock(options.start, 0);
    const runLog = (run: JobRun) => {
      if (run.error !== undefined)
        log(
          `schedule ${run.name} at ${run.at.toISOString()} failed: ${run.error instanceof Error ? run.error.message : JSON.stringify(run.error)}`,
        );
    };
    const scheduler = new Scheduler(clock, runLog);

    const loaded = loadOrCreateCredentials(join(stateDir, 'credentials.json'), cities);
    const credentials = withSecondOfficer(loaded.credentials);
    const created = loaded.created;

    // DynamoDB Local (a Java child, the slow one) and the local SQS server, started side by side.
    const [ddbStarted, sqsStarted, sesStarted, definitionLoaded] = await Promise.allSettled([
      startDynamoDbLocal(),
      startLocalSqs(),
      startLocalSes(),
      loadSaleDefinition(REPO_ROOT, join(DEFAULT_STATE_DIR, 'cache')),
    ]);
    if (ddbStarted.status === 'fulfilled')
      stoppers.push({ name: 'DynamoDB Local', stop: () => ddbStarted.value.stop() });
    if (sqsStarted.status === 'fulfilled')
      stoppers.push({ name: 'local SQS and S3', stop: () => sqsStarted.value.stop() });
    if (sesStarted.status === 'fulfilled') stoppers.push({ name: 'local SES', stop: () => sesStarted.value.stop() });
    if (ddbStarted.status === 'rejected') throw ddbStarted.reason;
    if (sqsStarted.status === 'rejected') throw sqsStarted.reason;
    if (sesStarted.status === 'rejected') throw sesStarted.reason;
    if (definitionLoaded.status === 'rejected') throw definitionLoaded.reason;
    const ses = sesStarted.value;
    const dynamodb = ddbStarted.value;
    const sqs = sqsStarted.value;
    const { definition, deskDefinition, cached: definitionCached } = definitionLoaded.value;
    // Never leave a Java process behind, even when this process exits without stopping the stack.
    const killDynamoDb = () => {
      if (dynamodb.pid === undefined) return;
      try {
        process.kill(dynamodb.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', killDynamoDb);
    stoppers.push({ name: 'exit hook', stop: async () => void process.removeListener('exit', killDynamoDb) });
    const tableName = 'cases-local';
    const client: DynamoDBClient = createDynamoDbClient({ DYNAMODB_ENDPOINT: dynamodb.endpoint });
    stoppers.push({ name: 'DynamoDB client', stop: async () => client.destroy() });
    await createCasesTable(client, tableName);
    const store = new DynamoDbCaseStore(client, tableName);

    // The exchange: the city's account there, on the shared clock.
    const marketDir = options.dataDir ?? defaultDataDir();
    const exchangeKeys = { accessKey: randomBytes(16).toString('hex'), secretKey: randomBytes(32).toString('hex') };
    // At Upbit's own limits, counted in real seconds (the local clock may run months in minutes:
    // rate limits do not).
    const exchange = await startExchangeSimulator({
      seed: options.seed ?? 7,
      keys: [exchangeKeys],
      clock,
      markets: [...MARKETS],
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    stoppers.push({ name: 'exchange simulator', stop: () => exchange.close() });
    // Every caller of the exchange shares the deployment's rate budget, built as the deployed
    // functions build it: token buckets in the table (one account, one egress IP).
    const rateBudget = rateBudgetFromEnv(client, { [ENV.tableName]: tableName });
    const exchangeClient = new UpbitExchange({ baseUrl: exchange.url, ...exchangeKeys, budget: rateBudget });
    const bids = async (markets: readonly string[]) => {
      const books = await exchangeClient.orderBooks([...markets]);
      const out: Record<string, Decimal> = {};
      for (const b of books) if (b.bids[0]) out[b.market] = b.bids[0].price;
      return out;
    };

    const schedules = stackSchedules();
    const deployed: DeployedParts = { schedules: [], consumers: [], stateMachines: [], routes: [] };
    /** A schedule as EventBridge Scheduler runs it: the deployed function, at the stack's expression. */
    const schedule = (
      fn: string,
      expression: string,
      job: { frequent?: boolean; after?: readonly string[]; run: (at: Date) => Promise<unknown> },
    ) => {
      deployed.schedules.push({ function: fn, expression, timezone: schedules.timezone });
      scheduler.add({ name: fn, recurrence: parseScheduleExpression(expression, schedules.timezone), ...job });
    };
    const metrics = new LocalMetrics({ namespace: 'crypto-tax-recovery-local' });
    const quiet = (serviceName: string) => new Logger({ serviceName, logLevel: 'ERROR' });
    const noticeSettings = stackNoticeSettings();
    // Each handler as its Lambda runs it (functions/lambda.ts): logger context and correlation id,
    // metrics flushed per invocation (counted here), tracing off (no X-Ray daemon here).
    const tracer = new Tracer({ enabled: false });
    const asLambda = <E, R>(
      name: string,
      fn: (event: E, context: Context) => Promise<R>,
      logger: Logger = quiet(name),
      timeoutMs = 30_000,
    ) => {
      const composed = lambdaHandler(fn, { logger, metrics, tracer });
      return (event: E, context: Context = lambdaContext(name, timeoutMs)) => composed(event, context);
    };
    // Each city's settings item, as its officers would have set it before the first case (the
    // functions read them from the table, as on AWS).
    const settings = new DynamoDbCitySettings(client, tableName);
    const waiting = options.preSaleNoticeAfterCustodyDays;
    for (const s of initialSettings) {
      await settings.put(waiting === undefined ? s : { ...s, preSaleNoticeAfterCustodyDays: waiting }, {
        expectedVersion: null,
        by: 'local-stack-setup',
        at: clock.now().toISOString(),
      });
    }

    // Price poll (every minute on AWS): latest prices and coverage, read by the API's summary and the sales.
    const priceStore = new DynamoDbPriceStore(client, tableName);
    const policy = executionPolicy();
    const pollLogger = quiet('poll-prices');
    const pollPrices = asLambda(
      'poll-prices',
      createPollHandler({
        exchange: exchangeClient,
        store: priceStore,
        settings: {
          cities,
          checks: { maxPriceAgeMs: policy.maxPriceAgeMs, maxSourceGapBps: policy.maxSourceGapBps },
          maxMarketsPerCall: 100,
        },
        citySettings: settings,
        logger: pollLogger,
        metrics,
        now: () => clock.now(),
      }),
      pollLogger,
    );
    schedule('poll-prices', schedules.pricePollRate, {
      frequent: true,
      run: (at) => pollPrices({ scheduledTime: at.toISOString() }),
    });

    // Queues as the stack defines them (FIFO with a DLQ after 5 receives); visibility timeouts are
    // shorter than on AWS so a failed message comes back within a local run.
    const sqsClient = sqs.client();
    stoppers.push({ name: 'SQS client', stop: async () => sqsClient.destroy() });
    const noticeQueue = await createFifoQueueWithDlq(sqsClient, {
      name: 'notice-dispatch',
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const saleQueue = await createFifoQueueWithDlq(sqsClient, {
      name: 'sale-request',
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    // The sale request queue's delivery delay (SALE_REQUEST_DELAY_SECONDS, as deployed) passes on the
    // shared clock, as the workflow's waits do: the local queue delays nothing, its consumer holds each
    // request until the clock has moved on that far. On the local queue's real seconds, every deadline
    // day's requests held the clock still while they waited it out (a tenth of the demo's time).
    const saleRequestDelay = new SimTimeGate(clock);
    const consumers: { name: string; source: SqsEventSource; queue: LocalQueueWithDlq }[] = [];
    const consume = (name: string, queue: LocalQueueWithDlq, handler: SqsHandler) => {
      deployed.consumers.push({ function: name, queue: queue === noticeQueue ? 'noticeDispatch' : 'saleRequest' });
      const source = new SqsEventSource({
        client: sqsClient,
        queue,
        handler,
        functionName: name,
        batchSize: 10,
        functionTimeoutMs: 30_000,
        waitTimeSeconds: 1,
        ...(queue === saleQueue
          ? {
              deliveryDelay: {
                ms: SALE_REQUEST_DELAY_SECONDS * 1000,
                nowMs: () => clock.nowMs(),
                wait: (until: number) => saleRequestDelay.wait(until),
                visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
              },
            }
          : {}),
      });
      source.start();
      consumers.push({ name, source, queue });
      stoppers.push({ name: `${name} consumer`, stop: () => source.stop() });
    };

    // Notices: the dispatcher renders each queued notice and delivers it through the deployed
    // channels (print batches in S3, e-mail through SES); the sweeper re-queues records a lost
    // message left PENDING.
    const s3 = createS3Client({ S3_ENDPOINT: sqs.endpoint });
    stoppers.push({ name: 'S3 client', stop: async () => s3.destroy() });
    await s3.send(new CreateBucketCommand({ Bucket: PRINT_BATCH_BUCKET }));
    const sesClient = createSesClient({ SES_ENDPOINT: ses.endpoint });
    stoppers.push({ name: 'SES client', stop: async () => sesClient.destroy() });
    const outboxStore = new DynamoDbOutboxStore(client, tableName);
    // The taxpayer's page (its site first: the pre-sale notices carry its address).
    const taxpayerKeys = loadOrCreateAccessKeys(stateDir);
    const selfServiceStore = new DynamoDbSelfServiceStore(client, tableName);
    let taxpayerApiUrl = '';
    const taxpayerSite = await startLocalTaxpayerSite({ apiUrl: () => taxpayerApiUrl });
    stoppers.push({ name: 'taxpayer page', stop: () => taxpayerSite.close() });
    const dispatcherConfig = loadDispatcherConfig({
      TABLE_NAME: tableName,
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      PRINT_BATCH_BUCKET,
      EMAIL_FROM: noticeSettings.emailFrom,
      EXCHANGE_NOTICE_CONTACT: JSON.stringify(
        Object.fromEntries(cities.map((c) => [c, noticeSettings.exchangeContact])),
      ),
    });
    const dispatchLogger = quiet('dispatch-notice');
    const dispatcher = createNoticeDispatcher({
      outbox: outboxStore,
      cases: store,
      channels: channelsFor(dispatcherConfig, { s3: () => s3, ses: () => sesClient }),
      recordReceipt: preSaleReceiptRecorder({ store, settings, now: () => clock.now() }),
      channelOrder: dispatcherConfig.channelOrder,
      exchangeContact: dispatcherConfig.exchangeContact,
      maxReceiveCount: dispatcherConfig.maxReceiveCount,
      withSelfServiceLink: selfServiceLinker({
        keys: () => Promise.resolve(taxpayerKeys),
        links: selfServiceStore,
        pageUrl: taxpayerSite.pageUrl,
        now: () => clock.now(),
      }),
      logger: dispatchLogger,
      metrics,
      now: () => clock.now(),
    });
    consume('dispatch-notice', noticeQueue, asLambda('dispatch-notice', dispatcher.handler, dispatchLogger));
    const sendNotices = (messages: readonly NoticeMessage[]) =>
      sendNoticeMessages(sqsClient, noticeQueue.url, messages);
    const sweeperConfig = loadSweeperConfig({ TABLE_NAME: tableName, NOTICE_QUEUE_URL: noticeQueue.url });
    const sweepLogger = quiet('sweep-outbox');
    const sweepOutbox = createOutboxSweeper({
      outbox: outboxStore,
      send: sendNotices,
      quietMinutes: sweeperConfig.quietMinutes,
      logger: sweepLogger,
      now: () => clock.now(),
    });
    const sweep = asLambda('sweep-outbox', () => sweepOutbox(), sweepLogger);
    schedule('sweep-outbox', schedules.outboxSweepRate, {
      frequent: true,
      run: (at) => sweep({ scheduledTime: at.toISOString() }),
    });
    const publishNotices = noticePublisher({
      client: sqsClient,
      queueUrl: noticeQueue.url,
      logger: quiet('publish-notices'),
    });

    // Reminders 7 and 1 days before each deadline (the city's settings), daily.
    const remindLogger = quiet('send-reminders');
    const reminderRun = createReminderRun({
      store,
      deadlines: outboxStore,
      publishNotices,
      cities,
      settings,
      logger: remindLogger,
      now: () => clock.now(),
    });
    const remind = asLambda('send-reminders', () => reminderRun(), remindLogger, 300_000);
    schedule('send-reminders', schedules.remindersCron, { run: (at) => remind({ scheduledTime: at.toISOString() }) });

    // Pre-sale notices to cases in custody once the city's waiting period passed, valued at a fresh price poll.
    const preSaleConfig = loadPreSaleNoticeConfig({
      TABLE_NAME: tableName,
      SERVED_CITIES: cities.join(','),
      NOTICE_QUEUE_URL: noticeQueue.url,
    });
    const preSaleLogger = quiet('send-pre-sale-notices');
    // The latest prices alone, as the deployed handlers read them (send-pre-sale-notices, taxpayer-api).
    const latestPrices = new DynamoDbLatestPrices(client, tableName);
    const preSaleRun = createPreSaleNoticeRun({
      store,
      prices: latestPrices,
      publishNotices,
      cities,
      settings,
      maxPriceAgeMs: preSaleConfig.maxPriceAgeMs,
      logger: preSaleLogger,
      now: () => clock.now(),
    });
    const preSale = asLambda('send-pre-sale-notices', () => preSaleRun(), preSaleLogger, 600_000);
    schedule('send-pre-sale-notices', schedules.preSaleNoticesCron, {
      after: ['poll-prices'],
      run: (at) => preSale({ scheduledTime: at.toISOString() }),
    });

    // The sale: the synthesized state machine with the real step handlers, started by the real
    // starter from the sale request queue; the daily deadline check makes cases due and asks for sales.
    const sales = new DynamoDbSaleStore(client, tableName);
    const desks = new DeskStore(client, tableName);
    const saleConfig = loadSaleConfig({ TABLE_NAME: tableName, SERVED_CITIES: cities.join(',') });
    const saleLogger = quiet('sale-steps');
    const saleDeps: SaleDeps = {
      store,
      sales,
      policy: saleConfig.policy,
      limits: saleConfig.limits,
      settings,
      clock: () => clock.now(),
      logger: saleLogger,
      metrics,
    };
    // ContinueAsNew starts a long sale's next execution on the same local starter (bound below).
    const caseSteps = asLambda(
      'sale-case-steps',
      stepDispatcher(
        createCaseSteps({
          ...saleDeps,
          starter: { start: (input) => workflow.starter.start(input) },
          // JoinDesk starts the market's desk on the desk's starter (bound below), as on AWS.
          desks,
          deskStarter: { start: (input) => workflow.deskStarter!.start(input) },
          notices: queueNoticePublisher(sqsClient, noticeQueue.url, quiet('sale-notices')),
        }),
      ),
      saleLogger,
    );
    const marketSteps = asLambda(
      'sale-market-steps',
      stepDispatcher({
        ...createMarketSteps({ ...saleDeps, exchange: exchangeClient, priceHistory: priceStore, desks }),
        ...createDeskSteps({ ...saleDeps, exchange: exchangeClient, priceHistory: priceStore, desks }),
      }),
      saleLogger,
      60_000,
    );
    // The market steps' reserved concurrency, as deployed (a throttled step waits its turn).
    const workflow = createLocalSaleWorkflow({
      definition,
      deskDefinition,
      clock,
      caseSteps,
      marketSteps,
      concurrency: concurrencyLimit(MARKET_STEPS_CONCURRENCY),
    });
    // Orders in doubt: the deployed sweep function, on the deployed rate.
    const sweepOrdersInDoubt = createOrderSweep({
      ...saleDeps,
      cities,
      exchange: exchangeClient,
      desks,
      logger: quiet(SWEEP_SERVICE),
      notices: queueNoticePublisher(sqsClient, noticeQueue.url, quiet('sale-notices')),
    });
    const sweepInDoubt = asLambda(SWEEP_SERVICE, () => sweepOrdersInDoubt(), saleLogger);
    schedule(SWEEP_SERVICE, ORDERS_IN_DOUBT_SWEEP_RATE, {
      frequent: true,
      run: (at) => sweepInDoubt({ scheduledTime: at.toISOString() }),
    });
    // On stop, executions waiting for simulated time stay parked: a parked promise holds no timer
    // or socket, so nothing keeps the process alive or calls parts already stopped.
    const startLogger = quiet('start-sale');
    const saleRequests = new SqsSaleRequestQueue(sqsClient, saleQueue.url);
    const maxRunningSales = options.maxRunningSales ?? DEFAULT_MAX_RUNNING_SALES;
    const startSale = createSaleStarter({
      store,
      starter: workflow.starter,
      settings,
      clock: () => clock.now(),
      logger: startLogger,
      metrics,
      runningSales: {
        cap: maxRunningSales,
        cities,
        defer: (request, deferredMessageId) => saleRequests.send(request, deferredMessageId),
      },
    });
    consume('start-sale', saleQueue, asLambda('start-sale', startSale, startLogger));
    const checkLogger = quiet('check-deadlines');
    const deadlineCheck = createDeadlineCheck({
      store,
      saleRequests,
      publishNotices,
      settings,
      clock: () => clock.now(),
      maxSaleAttempts: saleConfig.limits.maxSaleAttempts,
      logger: checkLogger,
      metrics,
    });
    const checkDeadlines = asLambda('check-deadlines', deadlineCheck, checkLogger, 300_000);
    schedule('check-deadlines', schedules.deadlineCheckCron, {
      run: (at) => checkDeadlines({ source: 'schedule', scheduledTime: at.toISOString() }),
    });
    deployed.stateMachines.push('sale', 'sale-desk');

    // Releases and custody reconciliation (infra/constructs/custody.ts), at the stack's expressions.
    // Locally the withdrawal key is the simulator's one account key; deployed it is a separate secret
    // only the release function reads. The reconciliation also runs after every settlement.
    const releaseStore = new DynamoDbReleaseStore(client, tableName);
    const journalStore = new DynamoDbJournalStore(client, tableName);
    const releaseLogger = quiet('release-coins');
    const releaseRun = asLambda(
      'release-coins',
      createReleaseRun({
        releases: releaseStore,
        cases: store,
        venue: exchangeClient,
        fees: withdrawalFees(
          Object.fromEntries(Object.entries(DEFAULT_WITHDRAWAL_FEES).map(([c, f]) => [c, decimal(f)])),
          'upbit',
        ),
        cities,
        settings,
        quietMinutes: 30,
        publishNotices,
        count: (name, n = 1) => metrics.addMetric(name, 'Count', n),
        logger: releaseLogger,
        now: () => clock.now(),
      }),
      releaseLogger,
    );
    schedule('release-coins', RELEASE_RATE, { frequent: true, run: () => releaseRun({}) });
    const reconcileLogger = quiet('reconcile-custody');
    const reconcileCustody = asLambda(
      'reconcile-custody',
      createCustodyReconciliation({
        exchange: exchangeClient,
        cases: store,
        releases: releaseStore,
        journal: journalStore,
        cities,
        count: (name, n) => metrics.addMetric(name, 'Count', n),
        logger: reconcileLogger,
        now: () => clock.now(),
      }),
      reconcileLogger,
    );
    schedule('reconcile-custody', RECONCILE_CRON, { run: () => reconcileCustody({}) });
    // Refund instructions (infra/constructs/refunds.ts): files under refunds/ in the print batches' bucket.
    const refundFiles = new S3RefundFiles(s3, PRINT_BATCH_BUCKET);
    const refundLogger = quiet('instruct-refunds');
    const instructRefunds = asLambda(
      'instruct-refunds',
      createRefundInstructions({
        journal: journalStore,
        cases: store,
        files: refundFiles,
        cities,
        count: (name, n) => metrics.addMetric(name, 'Count', n),
        logger: refundLogger,
        now: () => clock.now(),
      }),
      refundLogger,
    );
    schedule('instruct-refunds', REFUND_INSTRUCTIONS_CRON, {
      run: (at) => instructRefunds({ scheduledTime: at.toISOString() }),
    });

    // The city API, exactly as the Lambda runs it, behind a local API Gateway.
    const apiConfig = loadApiConfig({
      TABLE_NAME: tableName,
      SERVED_CITIES: cities.join(','),
      // The release function's fee table, as the stack gives both (Custody.shareWithdrawalFees).
      WITHDRAWAL_FEES: JSON.stringify(DEFAULT_WITHDRAWAL_FEES),
      EXCHANGE_ID: 'upbit',
      ...roleEnv(credentials),
    });
    const apiLogger = new Logger({ serviceName: 'cases-api', logLevel: 'WARN' });
    const cityApi = createApi({
      store,
      settings,
      sales,
      desks,
      // The sale and desk details' states: the local workflow's event log, read as Step Functions' history.
      executions: workflow.executions,
      deskExecutions: workflow.deskExecutions,
      policy: saleConfig.policy,
      releases: releaseStore,
      custody: journalStore,
      config: apiConfig,
      logger: apiLogger,
      prices: priceStore,
      publishNotices,
      requestSales: saleRequestPublisher(saleRequests, apiLogger),
      taxpayerCheck: { keys: () => Promise.resolve(taxpayerKeys), store: selfServiceStore },
      now: () => clock.now(),
      newId: (prefix) => `${prefix}${ulid(clock.nowMs())}`,
    });
    const handler = asLambda('cases-api', cityApi, apiLogger);
    const api = await startLocalHttpApi({
      handler,
      local: localConsole({ store, sales, workflow }),
      authenticate: authenticator(credentials),
      ...(options.apiPort ? { port: options.apiPort } : {}),
      ...(options.logRequests ? { onRequest: (r) => log(`api ${r.method} ${r.path} ${r.status} ${r.ms}ms`) } : {}),
    });
    stoppers.push({ name: 'API server', stop: () => api.close() });
    // The officers' web console, its user pool and its API (the same handler, signed-in officers only).
    const webConsole = await startLocalConsole({
      handler,
      credentials,
      stateDir,
      ...(options.consolePort ? { port: options.consolePort } : {}),
      ...(options.logRequests
        ? { onRequest: (r) => log(`console api ${r.method} ${r.path} ${r.status} ${r.ms}ms`) }
        : {}),
    });
    stoppers.push({ name: 'web console', stop: () => webConsole.close() });
    deployed.routes.push(...CONSOLE_ROUTES.map((r) => ({ method: r.method, path: r.path })));
    deployed.routes.push(...apiRoutes.map((r) => ({ method: r.method, path: r.path })));
    // The taxpayer's public API: its authorizer, then the function (on the simulated clock, as every function here).
    const taxpayerLogger = new Logger({ serviceName: 'taxpayer-api', logLevel: 'WARN' });
    const taxpayerApi = asLambda(
      'taxpayer-api',
      createTaxpayerApi({
        store,
        settings,
        selfService: selfServiceStore,
        prices: latestPrices,
        orders: sales,
        keys: () => Promise.resolve(taxpayerKeys),
        idempotencyTtlSeconds: apiConfig.idempotencyTtlSeconds,
        logger: taxpayerLogger,
        requestSales: saleRequestPublisher(saleRequests, taxpayerLogger),
        now: () => clock.now(),
        newId: (prefix) => `${prefix}${ulid(clock.nowMs())}`,
      }),
      taxpayerLogger,
    );
    const authorizerLogger = quiet('taxpayer-api');
    const taxpayerGateway = await startLocalTaxpayerGateway({
      handler: taxpayerApi,
      authorize: asLambda(
        'taxpayer-api',
        createTaxpayerAuthorizer({
          keys: () => Promise.resolve(taxpayerKeys),
          logger: authorizerLogger,
          now: () => clock.now(),
        }),
        authorizerLogger,
      ),
      corsOrigin: () => taxpayerSite.url,
      ...(options.logRequests
        ? { onRequest: (r) => log(`taxpayer api ${r.method} ${r.path} ${r.status} ${r.ms}ms`) }
        : {}),
    });
    taxpayerApiUrl = taxpayerGateway.url;
    stoppers.push({ name: 'taxpayer API', stop: () => taxpayerGateway.close() });
    deployed.routes.push(...taxpayerRoutes.map((r) => ({ method: r.method, path: r.path })));

    writeFileSync(
      join(stateDir, 'stack.json'),
      JSON.stringify({ apiUrl: api.url, pid: process.pid, cities }, null, 2) + '\n',
    );
    stoppers.push({ name: 'stack file', stop: async () => rmSync(join(stateDir, 'stack.json'), { force: true }) });

    clock.setRate(options.rate ?? 0);
    // Stopped first: no schedule fires into parts already stopped.
    stoppers.push({ name: 'schedules', stop: () => scheduler.stop() });

    const client$ = (key: { key: string }) => new ApiClient({ baseUrl: api.url, key: key.key });
    const city = client$(keyFor(credentials, 'CITY_SYSTEM'));
    const officer = client$(keyFor(credentials, 'OFFICER'));
    const secondOfficer = client$(keyFor(credentials, 'OFFICER', cities[0], 1));
    const callersOf = (cityId: string) => ({
      city: client$(keyFor(credentials, 'CITY_SYSTEM', cityId)),
      officers: credentials.keys.filter((k) => k.role === 'OFFICER' && k.cities.includes(cityId)).map(client$),
    });
    const auditor = client$(keyFor(credentials, 'AUDITOR'));

    return {
      clock,
      scheduler,
      store,
      tableName,
      dynamodb,
      sales,
      workflow,
      desks,
      sqs,
      queues: { notices: noticeQueue, saleRequests: saleQueue },
      ses,
      printBatches: { bucket: PRINT_BATCH_BUCKET, s3 },
      refundFiles,
      deployed,
      exchange,
      exchangeClient,
      exchangeKeys,
      bids,
      marketData: {
        dir: marketDir,
        present: existsSync(marketDir),
        real: Object.keys(exchange.source).filter((m) => !exchange.source[m]?.startsWith('synthetic')),
        synthetic: Object.keys(exchange.source).filter((m) => exchange.source[m]?.startsWith('synthetic')),
      },
      api,
      apiConfig,
      console: webConsole,
      taxpayer: { site: taxpayerSite, api: taxpayerGateway, keys: taxpayerKeys, records: selfServiceStore },
      priceStore,
      metrics,
      credentials,
      credentialsPath: join(stateDir, 'credentials.json'),
      credentialsCreated: created,
      city,
      officer,
      callersOf,
      auditor,
      citySettings: settings,
      secondOfficer,
      releases: releaseStore,
      journal: journalStore,
      reconcileCustody: () => reconcileCustody({}),
      dirs,
      cities,
      async pendingWork() {
        let messages = 0;
        let delayed = 0;
        const { running, waiting: parked } = workflow.running();
        // Sale requests held for the queue's delay are in flight, but wait for the clock like a parked sale.
        const held = saleRequestDelay.blocked;
        const depths = await Promise.all(
          consumers.map(async (c) => ({ c, d: await queueDepth(sqsClient, c.queue.url) })),
        );
        for (const { c, d } of depths) {
          const inFlight = c.queue === saleQueue ? Math.max(0, d.inFlight - held) : d.inFlight;
          // At the cap on running sales a sale request can only be deferred again: it waits for a
          // running sale to end, like a delayed one.
          if (c.queue === saleQueue && running >= maxRunningSales) delayed += d.visible + inFlight + d.delayed;
          else {
            messages += d.visible + inFlight;
            delayed += d.delayed;
          }
        }
        // Messages or running steps keep the timeline busy whatever else it would learn: the releases
        // are read only when it may move the clock (the timeline asks after every step: a fifth of the
        // demo's DynamoDB requests were these reads).
        const active = running - parked;
        const waiting = parked + held;
        const gateWakes = [workflow.gate.nextWake(), saleRequestDelay.nextWake()].filter((t) => t !== undefined);
        const wake = gateWakes.length > 0 ? Math.min(...gateWakes) : undefined;
        // Releases in flight hold the clock to the release schedule's pace: when a sale wakes sooner,
        // they change neither where the clock goes next nor whether anything waits, so they are not
        // read (during a sale day, nearly every time).
        if (
          messages > 0 ||
          active > 0 ||
          (waiting > 0 && wake !== undefined && wake <= clock.nowMs() + RELEASE_PACE_MS)
        ) {
          return { messages, delayed, active, waiting, ...(wake !== undefined ? { nextWake: wake } : {}) };
        }
        const open = await Promise.all(cities.map((c) => releaseStore.open(c)));
        // Approved releases wait on the exchange: the timeline steps at the release schedule's pace meanwhile.
        const releasing = open
          .flat()
          .filter((r) => r.status === 'APPROVED' || r.status === 'SENDING' || r.status === 'SENT').length;
        const wakes = [wake, releasing > 0 ? clock.nowMs() + RELEASE_PACE_MS : undefined].filter(
          (t): t is number => t !== undefined,
        );
        const nextWake = wakes.length > 0 ? Math.min(...wakes) : undefined;
        return {
          messages,
          delayed,
          active,
          waiting: waiting + releasing,
          ...(nextWake !== undefined ? { nextWake } : {}),
        };
      },
      wake: () => workflow.gate.release() + saleRequestDelay.release(),
      activeSteps() {
        const { running, waiting } = workflow.running();
        return running - waiting;
      },
      workChanged: (timeoutMs) => workflow.changed(timeoutMs),
      serve(rate: number) {
        clock.setRate(rate);
        scheduler.startTicking();
        const ticker = setInterval(() => workflow.gate.release() + saleRequestDelay.release(), 100);
        stoppers.push({ name: 'sale clock', stop: async () => clearInterval(ticker) });
      },
      async pendingNotices() {
        // Everything still PENDING in the outbox index, however recent.
        return (await outboxStore.quietPendingNotices(new Date(clock.nowMs() + DAY), 1)).length;
      },
      describe() {
        return [
          `DynamoDB Local   ${dynamodb.endpoint} (pid ${dynamodb.pid ?? '?'}), table ${tableName} from the shared definition`,
          `local SQS        ${sqs.endpoint} (fauxqs, pid ${sqs.pid ?? '?'}): ${noticeQueue.name} → dispatch-notice, ${saleQueue.name}`,
          `sale workflow    the synthesized state machines (sale ${Object.keys(definition.States).length} states, desk ${Object.keys(deskDefinition.States).length}${definitionCached ? ', cached synth' : ', synthesized now'}) in aws-local-stepfunctions; their waits pass on the shared clock`,
          `schedules        ${deployed.schedules.map((x) => `${x.function} ${x.expression}`).join(', ')} (${schedules.timezone}), on the shared clock`,
          `notice channels  print batches in s3://${PRINT_BATCH_BUCKET}/ on the local S3 (fauxqs, ${sqs.endpoint}); e-mail through the local SES v2 ${ses.endpoint} (web viewer)`,
          `exchange         ${exchange.url} (Upbit protocol at Upbit's own rate limits; every caller within one rate budget in the table) — ${exchange.describeSource()}`,
          `city API         ${api.url} (callers from ${join(stateDir, 'credentials.json')})`,
          `taxpayer page    ${taxpayerSite.pageUrl} (the pre-sale notices' links and QR codes; its public API ${taxpayerGateway.url})`,
          `web console      ${webConsole.site.url} (officers sign in with the accounts in ${webConsole.usersPath}: password and TOTP code; its API ${webConsole.api.url})`,
        ];
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
