/**
 * The poller's service name and metric names, shared by the handler (Powertools metrics) and the
 * stack (alarms and dashboard), so that an alarm always watches the metric the code emits.
 * Powertools adds the dimension `service` = SERVICE_NAME to every metric.
 */
export const SERVICE_NAME = 'poll-prices';

export const POLL_METRICS = {
  /** Markets whose price was older than the policy's maxPriceAgeMs (the alarm's metric). */
  stale: 'StalePrices',
  /** Markets whose last trade and book mid disagreed by more than maxSourceGapBps. */
  sourcesDisagree: 'PricesSourcesDisagree',
  /** Markets without a two-sided book, or unknown to the exchange. */
  unpriced: 'UnpricedMarkets',
  marketsPolled: 'MarketsPolled',
  exchangeCalls: 'PriceExchangeCalls',
  openCases: 'OpenCases',
  underCovered: 'UnderCoveredCases',
} as const;
