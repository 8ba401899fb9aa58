/**
 * The poller's Lambda handler, built from its dependencies (handler.ts wires the real ones; tests
 * pass the exchange simulator and DynamoDB Local). A failed poll throws: the asynchronous invocation
 * records it in the dead-letter queue, and the stale-price alarm sees the missing metrics.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { POLL_METRICS } from './metrics';
import { pollPrices, type PollDeps, type PollReport } from './poll';

/** What the handler needs of Powertools' Metrics (structural, so a local or test double fits); flushed by the Lambda composition. */
export interface MetricsSink {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

export interface PollHandlerDeps extends Omit<PollDeps, 'logger'> {
  logger: Pick<Logger, 'info' | 'warn'>;
  metrics: MetricsSink;
  now?: () => Date;
}

/** The scheduler's input: `{"scheduledTime": "<aws.scheduler.scheduled-time>"}` (anything else is ignored). */
export type PollEvent = { scheduledTime?: unknown } | null | undefined;

export function createPollHandler(deps: PollHandlerDeps): (event: PollEvent) => Promise<PollReport> {
  const clock = deps.now ?? (() => new Date());
  return async (event) => {
    const now = clock();
    const scheduled = typeof event?.scheduledTime === 'string' ? new Date(event.scheduledTime) : undefined;
    const scheduledAt = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : undefined;
    const started = Date.now();
    const report = await pollPrices(deps, { now, ...(scheduledAt ? { scheduledAt } : {}) });
    const m = deps.metrics;
    m.addMetric(POLL_METRICS.stale, MetricUnit.Count, report.stale.length);
    m.addMetric(POLL_METRICS.sourcesDisagree, MetricUnit.Count, report.sourcesDisagree.length);
    m.addMetric(POLL_METRICS.unpriced, MetricUnit.Count, report.noBook.length + report.unknown.length);
    m.addMetric(POLL_METRICS.marketsPolled, MetricUnit.Count, report.markets.length);
    m.addMetric(
      POLL_METRICS.exchangeCalls,
      MetricUnit.Count,
      report.exchangeCalls.ticker + report.exchangeCalls.orderbook,
    );
    m.addMetric(POLL_METRICS.openCases, MetricUnit.Count, report.openCases);
    m.addMetric(POLL_METRICS.underCovered, MetricUnit.Count, report.coverage.UNDER);
    deps.logger.info('poll', {
      markets: report.markets.length,
      exchangeCalls: report.exchangeCalls,
      stale: report.stale.length,
      sourcesDisagree: report.sourcesDisagree.length,
      unpriced: report.noBook.length + report.unknown.length,
      openCases: report.openCases,
      reprojected: report.reprojected,
      coverage: report.coverage,
      ms: Date.now() - started,
    });
    return report;
  };
}
