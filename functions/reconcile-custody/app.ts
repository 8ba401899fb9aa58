/**
 * Custody reconciliation (scheduled daily, and invoked after every settlement): the exchange
 * account's balances (`GET /v1/accounts`, balance + locked) against the ledger over every city the
 * deployment serves (they share the account): coins available in open cases, coins of releases not
 * yet done, and the KRW the journal says is still at the exchange. The result is recorded with its
 * figures; each difference is logged and counted (the `CustodyDifferences` metric raises the alarm).
 * While a sale runs, its fills may be on the exchange before they are in the ledger: the run is
 * recorded as such and not counted as a difference.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Exchange } from '#adapters/exchange/exchange';
import type { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import type { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import type { CaseStore } from '#domain/case-store';
import { addTo, reconcile, type Reconciliation } from '#domain/reconciliation';
import { currencyOf } from '#domain/release';
import type { Decimal } from '#domain/money';

export interface ReconcileDeps {
  exchange: Pick<Exchange, 'balances'>;
  cases: Pick<CaseStore, 'cityTotals'>;
  releases: Pick<DynamoDbReleaseStore, 'open'>;
  journal: Pick<DynamoDbJournalStore, 'krwAtExchange' | 'recordReconciliation'>;
  cities: readonly string[];
  count?(name: 'CustodyDifferences', n: number): void;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

export function createCustodyReconciliation(deps: ReconcileDeps): () => Promise<Reconciliation> {
  const now = deps.now ?? (() => new Date());
  return async function reconcileCustody() {
    const ledger: Record<string, Decimal> = {};
    let salesRunning = false;
    for (const city of deps.cities) {
      const totals = await deps.cases.cityTotals(city);
      salesRunning ||= (totals.byStatus.SELLING ?? 0) > 0;
      for (const [market, quantity] of Object.entries(totals.available)) addTo(ledger, currencyOf(market), quantity);
      for (const r of await deps.releases.open(city)) addTo(ledger, currencyOf(r.market), r.quantity);
      addTo(ledger, 'KRW', await deps.journal.krwAtExchange(city));
    }
    // A release whose withdrawal finished since its last follow-up shows here until the release function records it (minutes).
    const balances = await deps.exchange.balances();
    const result = reconcile(balances, ledger, now().toISOString(), salesRunning);
    await deps.journal.recordReconciliation(result);
    const counted = salesRunning ? 0 : result.differences.length;
    deps.count?.('CustodyDifferences', counted);
    const figures = result.differences.map((d) => ({
      currency: d.currency,
      exchange: d.exchange.toFixed(),
      ledger: d.ledger.toFixed(),
      difference: d.difference.toFixed(),
    }));
    if (figures.length > 0) deps.logger.warn('custody differs from the ledger', { differences: figures, salesRunning });
    else deps.logger.info('custody matches the ledger', { currencies: Object.keys(result.exchange).length });
    return result;
  };
}
