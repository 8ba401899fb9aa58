/**
 * Custody reconciliation against DynamoDB Local and the exchange simulator: the ledger (coins in
 * custody, releases not done, KRW from settlements) matches the account until the simulator holds
 * something the ledger does not (a deposit nobody registered, a fill nobody recorded).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbCityTotals } from '#adapters/dynamodb/city-totals';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { markDue, settleSale, startSale, nextSaleId, type Transition } from '#domain/case';
import { decimal } from '#domain/money';
import { exchangeMatchesLedger } from '#domain/reconciliation';
import { createCustodyReconciliation } from '../../../functions/reconcile-custody/app';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';
import { ctxAt, registered, toNoticeSent } from '../../support/cases';
import { testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);
const KEYS = { accessKey: 'city-trading-access', secretKey: 'city-trading-secret' };
const AT = '2025-07-01T01:00:00Z';
let sim: ExchangeSimulator;
let seq = 0;
let city = '';
let counted: number[];

beforeEach(async () => {
  sim = await startExchangeSimulator({ seed: 5, keys: [KEYS], dataDir: '/nonexistent', clock: AT });
  city = `recon-${++seq}`;
  counted = [];
});
afterEach(async () => sim.close());

const journal = () => new DynamoDbJournalStore(table.client, table.tableName);
const run = () =>
  createCustodyReconciliation({
    exchange: new UpbitExchange({ baseUrl: sim.url, ...KEYS }),
    // What the handler deploys: the city totals alone.
    cases: new DynamoDbCityTotals(table.client, table.tableName),
    releases: new DynamoDbReleaseStore(table.client, table.tableName),
    journal: journal(),
    cities: [city],
    count: (_name, n) => counted.push(n),
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => new Date(sim.clock.nowMs()),
  })();

async function commitAll(ts: Transition[]): Promise<Transition['case']> {
  let last = ts[0]!.case;
  for (const t of ts) {
    await table.store.commit(t.case.version - 1, t);
    last = t.case;
  }
  return last;
}

/** A case holding 0.05 BTC in custody, the coins in the simulated account. */
async function inCustody() {
  const t0 = registered(`c-${seq}`, AT, city);
  await table.store.create(t0);
  const c = await commitAll(toNoticeSent(t0.case, AT));
  sim.accounts.credit('BTC', '0.05');
  return c;
}

describe('custody reconciliation', () => {
  it('finds the account and the ledger equal, then records an unregistered deposit with its figures and counts it', async () => {
    await inCustody();
    const first = await run();
    expect(exchangeMatchesLedger(first)).toBe(true);
    expect(first.ledger.BTC?.toFixed()).toBe('0.05');
    expect(counted).toEqual([0]);

    sim.accounts.credit('BTC', '0.01');
    const second = await run();
    expect(
      second.differences.map((d) => [d.currency, d.exchange.toFixed(), d.ledger.toFixed(), d.difference.toFixed()]),
    ).toEqual([['BTC', '0.06', '0.05', '0.01']]);
    expect(counted).toEqual([0, 1]);
    const latest = await journal().latestReconciliation();
    expect(latest?.differences.map((d) => d.difference.toFixed())).toEqual(['0.01']);
    // The city report shows it with its figures.
    const report = await api.call('GET', '/reports/summary', { as: 'officer', query: { city: 'cheongju' } });
    expect(report.body.custody).toMatchObject({
      exchangeMatchesLedger: false,
      differences: [{ currency: 'BTC', exchange: '0.06', ledger: '0.05', difference: '0.01' }],
    });
  });

  it('counts a settlement’s KRW (gross − fee) as the city’s at the exchange, and flags a fill nobody recorded', async () => {
    const c = await inCustody();
    const ex = new UpbitExchange({ baseUrl: sim.url, ...KEYS });
    // The deadline passed: due, a sale starts, sells 0.02 BTC on the exchange and settles it.
    const on = '2025-09-01T01:00:00Z';
    const due = markDue(c, ctxAt(on));
    const selling = startSale(due.case, nextSaleId(due.case), ctxAt(on));
    const placed = await ex.placeSell({
      market: 'KRW-BTC',
      type: 'market',
      identifier: 'sale-slice-1',
      volume: decimal('0.02'),
    });
    const order = await ex.settle({ uuid: placed.uuid });
    const fills = [
      { market: 'KRW-BTC', quantity: order.executedVolume, grossKrw: order.executedFunds, feeKrw: order.paidFee },
    ];
    const settled = settleSale(
      selling.case,
      { saleId: selling.case.saleId!, fills, dust: [], settledOn: '2025-09-01' },
      ctxAt(on),
    );
    await commitAll([due, selling, settled]);
    expect((await journal().krwAtExchange(city)).toFixed()).toBe(order.executedFunds.sub(order.paidFee).toFixed());
    expect(exchangeMatchesLedger(await run())).toBe(true);

    // A fill the ledger never saw: coins sold at the exchange, nothing settled.
    const unrecorded = await ex.settle({
      uuid: (await ex.placeSell({ market: 'KRW-BTC', type: 'market', identifier: 'stray-1', volume: decimal('0.01') }))
        .uuid,
    });
    const r = await run();
    expect(r.differences.map((d) => [d.currency, d.difference.toFixed()])).toEqual([
      ['BTC', '-0.01'],
      ['KRW', unrecorded.executedFunds.sub(unrecorded.paidFee).toFixed()],
    ]);
    expect(counted.at(-1)).toBe(2);
  });
});
