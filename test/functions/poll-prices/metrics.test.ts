import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The metrics a poll emits through Powertools, in the shape the stack's stale-price alarm watches:
 * namespace from the environment, dimension service=poll-prices, the metric names of metrics.ts;
 * flushed by the Lambda composition (functions/lambda.ts), with its cold-start metric.
 * The store and the exchange are stand-ins here (a poll with one stale price); the real ones are
 * exercised in the other tests of this folder.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { OpenCase, PriceSnapshot } from '#adapters/dynamodb/price-store';
import { decimal } from '#domain/money';
import { lambdaHandler } from '../../../functions/lambda';
import { createPollHandler } from '../../../functions/poll-prices/app';
import { lambdaContext } from '../../../local/sqs';
import { POLL_METRICS, SERVICE_NAME } from '../../../functions/poll-prices/metrics';
import type { PollStore, PriceFeed } from '../../../functions/poll-prices/poll';

const at = new Date('2025-09-15T01:00:00Z');
const old = new Date(at.getTime() - 120_000);
const open: OpenCase = {
  cityId: 'cheongju',
  caseId: 'c1',
  status: 'DUE',
  updatedAt: at.toISOString(),
  recordedArrears: decimal('1000000'),
  available: { 'KRW-BTC': decimal('0.01') },
};

const feed: PriceFeed = {
  quotes: async () => [
    {
      market: 'KRW-BTC',
      tradePrice: decimal('100000000'),
      tradeTimestamp: old,
      timestamp: old,
      accTradeVolume24h: decimal('1'),
      accTradeValue24h: decimal('1'),
    },
  ],
  orderBooks: async () => [
    {
      market: 'KRW-BTC',
      timestamp: old,
      bids: [{ price: decimal('99990000'), size: decimal('1') }],
      asks: [{ price: decimal('100010000'), size: decimal('1') }],
      totalBidSize: decimal('1'),
      totalAskSize: decimal('1'),
    },
  ],
  // The port's other methods are never called by the poller.
};

const stored: PriceSnapshot[] = [];
const store: PollStore = {
  openCases: async () => [open],
  cases: async () => [],
  putPrices: async (s) => void stored.push(...s),
  coverageSheet: async () => undefined,
  putCoverageSheet: async () => undefined,
};

it('publishes stale, disagreeing and unpriced counts with the service dimension the alarm uses', async () => {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  // As Lambda sets it for a container started by an invocation (Powertools counts cold starts by it).
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  try {
    const tools = {
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'CryptoTaxRecovery/test', serviceName: SERVICE_NAME }),
      tracer: new Tracer({ enabled: false }),
    };
    const poll = createPollHandler({
      exchange: feed,
      store,
      settings: {
        cities: ['cheongju'],
        checks: { maxPriceAgeMs: 90_000, maxSourceGapBps: 50 },
        maxMarketsPerCall: 100,
      },
      citySettings: sameSettingsForEveryCity(),
      logger: tools.logger,
      metrics: tools.metrics,
      now: () => at,
    });
    const report = await lambdaHandler(poll, tools)(
      { scheduledTime: at.toISOString() },
      lambdaContext(SERVICE_NAME, 50_000),
    );
    expect(report.stale).toEqual(['KRW-BTC']);
  } finally {
    write.mockRestore();
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  }
  const emfs = lines
    .map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
        },
    )
    .filter((l) => l._aws);
  // One flush of the poll's metrics, and the cold-start metric of this first invocation.
  expect(emfs.filter((l) => POLL_METRICS.stale in l)).toHaveLength(1);
  expect(emfs.find((l) => 'ColdStart' in l)).toMatchObject({ ColdStart: 1, function_name: SERVICE_NAME });
  const emf = emfs.find((l) => POLL_METRICS.stale in l);
  // No case item came back from the stand-in store, so the case is valued against its recorded
  // arrears: 0.01 × ₩99,990,000 = ₩999,900 < ₩1,000,000, under-covered.
  expect(emf?._aws?.CloudWatchMetrics[0]).toMatchObject({
    Namespace: 'CryptoTaxRecovery/test',
    Dimensions: [['service']],
  });
  expect(emf).toMatchObject({
    service: SERVICE_NAME,
    [POLL_METRICS.stale]: 1,
    [POLL_METRICS.sourcesDisagree]: 0,
    [POLL_METRICS.unpriced]: 0,
    [POLL_METRICS.marketsPolled]: 1,
    [POLL_METRICS.underCovered]: 1,
  });
  expect(stored[0]?.flags).toEqual(['STALE_PRICE']);
});
