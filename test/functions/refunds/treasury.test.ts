/**
 * Sale proceeds to the treasury, against DynamoDB Local and the exchange simulator: a settlement
 * leaves KRW at the exchange, the API says what to move, a person withdraws it at the exchange (the
 * simulator's own hook: Upbit wants the holder's second factor), an officer confirms it, and the
 * custody reconciliation still finds the account and the ledger equal.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { markDue, nextSaleId, settleSale, startSale, type Transition } from '#domain/case';
import { decimal, floorWon } from '#domain/money';
import { exchangeMatchesLedger } from '#domain/reconciliation';
import { createCustodyReconciliation } from '../../../functions/reconcile-custody/app';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';
import { ctxAt, registered, toNoticeSent } from '../../support/cases';
import { testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const KEYS = { accessKey: 'city-trading-access', secretKey: 'city-trading-secret' };
const AT = '2025-07-01T01:00:00Z';
const SOLD = '2025-09-01T01:00:00Z';
const api = testApi(table, '2025-09-02T01:00:00Z');
let sim: ExchangeSimulator;

beforeAll(async () => {
  sim = await startExchangeSimulator({ seed: 7, keys: [KEYS], dataDir: '/nonexistent', clock: AT });
});
afterAll(async () => sim.close());

const exchange = () => new UpbitExchange({ baseUrl: sim.url, ...KEYS });
const reconcile = () =>
  createCustodyReconciliation({
    exchange: exchange(),
    cases: table.store,
    releases: new DynamoDbReleaseStore(table.client, table.tableName),
    journal: new DynamoDbJournalStore(table.client, table.tableName),
    cities: ['cheongju'],
    logger: new Logger({ logLevel: 'SILENT' }),
  })();

async function commitAll(ts: Transition[]): Promise<void> {
  for (const t of ts) await table.store.commit(t.case.version - 1, t);
}

describe('proceeds to the treasury', () => {
  let net = decimal('0');

  beforeAll(async () => {
    // A case in custody with 0.05 BTC; on 2025-09-01 a sale of 0.02 BTC settles.
    const t0 = registered('c-treasury', AT, 'cheongju');
    await table.store.create(t0);
    const ts = toNoticeSent(t0.case, AT);
    await commitAll(ts);
    sim.accounts.credit('BTC', '0.05');
    const due = markDue(ts.at(-1)!.case, ctxAt(SOLD));
    const selling = startSale(due.case, nextSaleId(due.case), ctxAt(SOLD));
    const order = await exchange().settle({
      uuid: (
        await exchange().placeSell({
          market: 'KRW-BTC',
          type: 'market',
          identifier: 'treasury-slice-1',
          volume: decimal('0.02'),
        })
      ).uuid,
    });
    const fills = [
      { market: 'KRW-BTC', quantity: order.executedVolume, grossKrw: order.executedFunds, feeKrw: order.paidFee },
    ];
    await commitAll([
      due,
      selling,
      settleSale(selling.case, { saleId: selling.case.saleId!, fills, dust: [], settledOn: '2025-09-01' }, ctxAt(SOLD)),
    ]);
    net = order.executedFunds.sub(order.paidFee);
    expect(exchangeMatchesLedger(await reconcile())).toBe(true);
  });

  it('computes the KRW to move for the day: the settlement’s net proceeds in whole won', async () => {
    const day = await api.call('GET', '/treasury', { as: 'officer', query: { city: 'cheongju', day: '2025-09-01' } });
    expect(day.body).toEqual({
      cityId: 'cheongju',
      day: '2025-09-01',
      proceedsKrw: net.toFixed(),
      atExchangeKrw: net.toFixed(),
      toMoveKrw: floorWon(net).toFixed(),
    });
    const before = await api.call('GET', '/treasury', {
      as: 'auditor',
      query: { city: 'cheongju', day: '2025-08-31' },
    });
    expect(before.body.toMoveKrw).toBe('0');
    const summary = await api.call('GET', '/reports/summary', { as: 'officer', query: { city: 'cheongju' } });
    expect(summary.body.treasury).toEqual({ atExchangeKrw: net.toFixed(), toMoveKrw: floorWon(net).toFixed() });
  });

  it('refuses a wrong amount, a city system, another city’s officer and bad input, writing nothing', async () => {
    const body = { cityId: 'cheongju', day: '2025-09-01', amount: floorWon(net).toFixed(), reference: 'KRW-W-1' };
    const refused = [
      await api.call('POST', '/treasury/transfers', {
        as: 'officer',
        body: { ...body, amount: floorWon(net).sub(1).toFixed() },
      }),
      await api.call('POST', '/treasury/transfers', { as: 'officer', body: { ...body, day: '2025-09-03' } }),
      await api.call('POST', '/treasury/transfers', { as: 'city', body }),
      await api.call('POST', '/treasury/transfers', { as: 'sejongOfficer', body }),
      await api.call('POST', '/treasury/transfers', { as: 'officer', body: { ...body, amount: net.toFixed() } }),
      await api.call('POST', '/treasury/transfers', { as: 'officer', body: { ...body, reference: undefined } }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'TRANSFER_AMOUNT_DIFFERS'],
      [422, 'TRANSFER_IN_FUTURE'],
      [403, undefined],
      [403, undefined],
      [400, undefined],
      [400, undefined],
    ]);
    expect(
      await new DynamoDbJournalStore(table.client, table.tableName).transfer('cheongju', '2025-09-01'),
    ).toBeUndefined();
  });

  it('records the officer’s confirmation once, and the reconciliation still matches once the KRW left the exchange', async () => {
    const toMove = floorWon(net).toFixed();
    // The person at the exchange withdraws the KRW to the treasury account (second factor, not by API).
    sim.accounts.debit('KRW', toMove);
    const body = { cityId: 'cheongju', day: '2025-09-01', amount: toMove, reference: 'KRW-W-1' };
    const confirmed = await api.call('POST', '/treasury/transfers', { as: 'officer', body });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      toMoveKrw: '0',
      atExchangeKrw: net.sub(toMove).toFixed(),
      transfer: { amount: toMove, reference: 'KRW-W-1', by: 'kim.officer' },
    });
    // A retry (any key) with the same figures answers the same; other figures are refused.
    const retry = await api.call('POST', '/treasury/transfers', { as: 'officer', body });
    expect([retry.status, retry.body]).toEqual([200, confirmed.body]);
    const other = await api.call('POST', '/treasury/transfers', {
      as: 'officer',
      body: { ...body, reference: 'KRW-W-2' },
    });
    expect(other.status).toBe(409);

    const r = await reconcile();
    expect(r.differences).toEqual([]);
    expect(r.ledger.KRW?.toFixed()).toBe(net.sub(toMove).toFixed());
    expect(sim.accounts.balance('KRW').balance.toFixed()).toBe(net.sub(toMove).toFixed());
  });

  it('flags the KRW a confirmation claims moved while the exchange still holds it', async () => {
    // The next day's proceeds (a settlement's line): confirmed as moved, but nobody withdrew them at the exchange.
    const journal = new DynamoDbJournalStore(table.client, table.tableName);
    sim.accounts.credit('KRW', '1000');
    await journal.addOnce({
      PK: 'CITY#cheongju#JOURNAL',
      SK: 'KRW#2025-09-02#2025-09-02T01:00:00Z#c-treasury#v99',
      recordType: 'JOURNAL',
      kind: 'KRW',
      cityId: 'cheongju',
      day: '2025-09-02',
      at: '2025-09-02T01:00:00Z',
      amount: '1000',
      source: 'sale-2',
    });
    await api.call('POST', '/treasury/transfers', {
      as: 'officer',
      body: { cityId: 'cheongju', day: '2025-09-02', amount: '1000', reference: 'KRW-W-3' },
    });
    const r = await reconcile();
    expect(r.differences.map((d) => [d.currency, d.difference.toFixed()])).toEqual([['KRW', '1000']]);
  });
});
