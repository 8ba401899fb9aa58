/**
 * Filtered listings read at most 500 cases a request (FILTER_SCAN_BUDGET): a page cut short there
 * says so (truncated, examined) with the cursor to read on, for GET /cases with a filter and for
 * GET /sales?awaitingApproval=true. Against DynamoDB Local, with more cases than one request reads.
 */
import { Decimal } from '#domain/money';
import { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { FILTER_SCAN_BUDGET } from '../../../functions/api/sale-routes';
import { testApi } from '../../support/api';
import { openedSale, registered } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const api = testApi(table);
const CITY = 'sejong';

/** Saves `count` cases selling (as the sale workflow leaves them), oldest registration first; their ids in that order. */
async function selling(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, n) => `cut-${String(n).padStart(4, '0')}`);
  for (let n = 0; n < count; n += 25)
    await Promise.all(
      ids.slice(n, n + 25).map((caseId, i) => {
        // Registered a second apart, so the listing (oldest first) keeps this order.
        const t = registered(caseId, new Date(Date.UTC(2025, 6, 1) + (n + i) * 1000).toISOString(), CITY);
        return table.store.create({ ...t, case: { ...t.case, status: 'SELLING', saleId: `${caseId}-sale-1` } });
      }),
    );
  return ids;
}

describe('a filtered page cut at the read budget', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = await selling(FILTER_SCAN_BUDGET + 5);
  });

  /** A first page that met the scan budget before any match: empty, cut short, its cursor to read on. */
  async function cutShort(response: ReturnType<typeof api.call>) {
    const first = await response;
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      items: [],
      cursor: expect.any(String),
      truncated: true,
      examined: FILTER_SCAN_BUDGET,
    });
    return first;
  }

  it('GET /cases says it was cut short, and its cursor reads on to the match past the budget', async () => {
    const target = ids[FILTER_SCAN_BUDGET + 2]!;
    const page = (cursor?: string) =>
      api.call('GET', '/cases', {
        query: { city: CITY, taxpayerRef: `CC-${target}`, limit: '10', ...(cursor ? { cursor } : {}) },
        as: 'sejongOfficer',
      });
    const first = await cutShort(page());
    const second = await page(first.body.cursor as string);
    expect((second.body.items as { caseId: string }[]).map((i) => i.caseId)).toEqual([target]);
    // The listing ended before the page filled: short, but not cut.
    expect(second.body).not.toHaveProperty('truncated');
    expect(second.body).not.toHaveProperty('cursor');

    // A page that fills is not cut, though the listing goes on (every case here is taxpayer TP-0001's).
    const full = await api.call('GET', '/cases', {
      query: { city: CITY, taxpayerRef: 'TP-0001', limit: '5' },
      as: 'sejongOfficer',
    });
    expect(full.body).toEqual({ items: expect.any(Array), cursor: expect.any(String) });
    expect(full.body.items).toHaveLength(5);
  });

  it('GET /sales?awaitingApproval=true says so too, and the sale waiting past the budget is on the next page', async () => {
    const caseId = ids[FILTER_SCAN_BUDGET + 3]!;
    const sale = openedSale(CITY, caseId, {
      status: 'AWAITING_APPROVAL',
      approval: { requestedAt: '2025-09-01T00:01:00.000Z', plannedValueKrw: new Decimal('600000000') },
    });
    await new DynamoDbSaleStore(table.client, table.tableName).create(sale);
    const page = (cursor?: string) =>
      api.call('GET', '/sales', {
        query: { city: CITY, awaitingApproval: 'true', ...(cursor ? { cursor } : {}) },
        as: 'sejongOfficer',
      });
    const first = await cutShort(page());
    const second = await page(first.body.cursor as string);
    expect(second.body).toEqual({ items: [expect.objectContaining({ caseId, status: 'AWAITING_APPROVAL' })] });
  });
});
