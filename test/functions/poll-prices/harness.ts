import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The poller wired to real local servers: the exchange simulator (synthetic markets, so nothing
 * depends on the market data folder) over HTTP through the Upbit adapter, and the test's table on
 * DynamoDB Local. Cases are created through the case store with the domain's own transitions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { UpbitQuotations } from '#adapters/exchange/upbit-quotations';
import { confirmCustody, registerCase, requestTransfer, type Case, type TransitionContext } from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { DEFAULT_EXECUTION_POLICY } from '#domain/execution-policy';
import { decimal, won, ZERO } from '#domain/money';
import { createPollHandler, type MetricsSink, type PollEvent } from '../../../functions/poll-prices/app';
import type { PollReport } from '../../../functions/poll-prices/poll';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';
import type { TestTable } from '../../support/dynamodb';

/** 10:00 KST on 2025-09-15. */
export const T0 = '2025-09-15T01:00:00.000Z';
export const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN'];

export async function startSim(markets: readonly string[] = MARKETS): Promise<ExchangeSimulator> {
  return startExchangeSimulator({
    seed: 5,
    keys: [{ accessKey: 'city-access-key', secretKey: 'city-secret-key' }],
    markets,
    dataDir: '/nonexistent',
    clock: T0,
    // Generous quotation limits: the tests count calls, they do not test pacing (the adapter's tests do).
    rateLimits: { ticker: 1000, orderbook: 1000 },
  });
}

export interface MetricCall {
  name: string;
  value: number;
}

export interface Poller {
  poll(event?: PollEvent): Promise<PollReport>;
  /** The poller's clock (ages are measured against it); the simulator's clock is separate. */
  clock: { now: Date };
  metrics: MetricCall[];
  store: DynamoDbPriceStore;
}

export function poller(
  sim: ExchangeSimulator,
  table: TestTable,
  options: { cities: string[]; maxMarketsPerCall?: number; casesPerPart?: number },
): Poller {
  const limit = options.maxMarketsPerCall ?? 100;
  const store = new DynamoDbPriceStore(
    table.client,
    table.tableName,
    { casesPerPart: options.casesPerPart ?? 1000 },
    async () => undefined,
  );
  // What the handler deploys: the quotation reads alone.
  const exchange = new UpbitQuotations({
    baseUrl: sim.url,
    accessKey: '',
    secretKey: '',
    maxMarketsPerCall: limit,
    timeoutMs: 2000,
    maxAttempts: 2,
    backoffBaseMs: 1,
    backoffMaxMs: 2,
    sleep: async () => undefined,
  });
  const clock = { now: new Date(T0) };
  const metrics: MetricCall[] = [];
  const fakeMetrics: MetricsSink = {
    addMetric: (name, _unit, value) => metrics.push({ name, value }),
  };
  const handler = createPollHandler({
    exchange,
    store,
    settings: {
      cities: options.cities,
      checks: {
        maxPriceAgeMs: DEFAULT_EXECUTION_POLICY.maxPriceAgeMs,
        maxSourceGapBps: DEFAULT_EXECUTION_POLICY.maxSourceGapBps,
      },
      maxMarketsPerCall: limit,
    },
    citySettings: sameSettingsForEveryCity(),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: fakeMetrics,
    now: () => clock.now,
  });
  return { poll: (event) => handler(event), clock, metrics, store };
}

/** Requests the simulator answered on a path since `from` (an index into its request log). */
export const requestsTo = (sim: ExchangeSimulator, path: string, from = 0) =>
  sim.requests.slice(from).filter((r) => r.path === path).length;

const ctxAt = (at: string, cityId: string): TransitionContext => ({
  now: new Date(at),
  actor: { kind: 'CITY_SYSTEM', id: 'city' },
  settings: { ...DEFAULT_CITY_SETTINGS, cityId },
});

/**
 * A case in custody of `holdings`, registered on 2025-09-01 with one 2025 bill: tax ₩1,000,000 due
 * 2025-03-31, surcharge ₩30,000 figured to 2025-06-30. Its arrears on 2025-09-15 are ₩1,049,800
 * (three monthly 0.66% accruals of ₩6,600: 07-01, 08-01, 09-01; see test/domain/coverage.test.ts).
 */
export async function openCase(
  table: TestTable,
  cityId: string,
  caseId: string,
  holdings: Record<string, string>,
  at = '2025-09-01T01:00:00.000Z',
): Promise<Case> {
  const ctx = ctxAt(at, cityId);
  const bill = {
    billId: 'B1',
    taxItem: '지방소득세',
    provincial: false,
    dueDate: '2025-03-31',
    cost: ZERO,
    tax: won('1000000'),
    surcharge: won('30000'),
    surchargeAsOf: '2025-06-30',
  };
  const registered = registerCase(
    {
      cityId,
      caseId,
      cityCaseRef: `CC-${caseId}`,
      taxpayer: { ref: `TP-${caseId}`, name: '홍길동', contact: {} },
      bills: [bill],
    },
    ctx,
  );
  await table.store.create(registered);
  let c = registered.case;
  const entries = Object.entries(holdings);
  if (entries.length === 0) return c;
  const seized = requestTransfer(
    c,
    entries.map(([market, q]) => ({ market, quantity: decimal(q) })),
    ctx,
  );
  await table.store.commit(c.version, seized);
  c = seized.case;
  for (const [market, q] of entries) {
    const t = confirmCustody(c, { market, quantity: decimal(q) }, ctx);
    await table.store.commit(c.version, t);
    c = t.case;
  }
  return c;
}
