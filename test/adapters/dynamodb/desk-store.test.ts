/**
 * The sale desk's records on DynamoDB Local (shared/adapters/dynamodb/desk-store.ts): ending a desk
 * with more members than one transaction holds marks every one of them, with its reason.
 */
import { Decimal } from '#domain/money';
import { DeskStore, MAX_TRANSACTION_ITEMS, openDesk, type DeskRecord } from '#adapters/dynamodb/desk-store';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const CITY = 'cheongju';
const DESK = 'desk.KRW-BTC.20230315';

const open = (current: DeskRecord | undefined): DeskRecord =>
  openDesk(
    current,
    { cityId: CITY, deskId: DESK, market: 'KRW-BTC', day: '2023-03-15' },
    new Date('2023-03-15T01:00:00Z'),
  );

describe('DeskStore.finishMembers', () => {
  it('marks every member DONE with the reason, however many: more than one transaction holds', async () => {
    const desks = new DeskStore(table.client, table.tableName);
    const count = MAX_TRANSACTION_ITEMS + 21;
    for (let i = 0; i < count; i++)
      await desks.join(
        {
          cityId: CITY,
          deskId: DESK,
          caseId: `case-${String(i).padStart(3, '0')}`,
          saleId: `case-${i}-sale-1`,
          offered: new Decimal('0.01'),
          status: 'ACTIVE',
          joinedAt: '2023-03-15T01:00:00.000Z',
          joinedAtSlice: 0,
          sold: {},
        },
        open,
      );
    const desk = (await desks.get(CITY, DESK))!;
    const members = await desks.members(CITY, DESK);
    expect(members).toHaveLength(count);

    const after = await desks.finishMembers(desk, members, 'ESCALATED:STALE_PRICE');
    expect((await desks.get(CITY, DESK))!.rev).toBe(after.rev);
    expect(after.rev).toBe(desk.rev + 2);
    const finished = await desks.members(CITY, DESK);
    expect(finished.filter((m) => m.status === 'DONE' && m.reason === 'ESCALATED:STALE_PRICE')).toHaveLength(count);
    expect(await desks.memberCounts(CITY, DESK)).toEqual({ ACTIVE: 0, WITHDRAWN: 0, DONE: count });
  });
});
