import fc from 'fast-check';
import { allocate, applyAllocations } from '#domain/allocation';
import { arrearsLines, arrearsAsOf, bringForward, totalOutstanding } from '#domain/bills';
import { Decimal, InvalidAmountError, won } from '#domain/money';
import { bill } from './fixtures';

// B3 (city, due 2023-06-30) is older than B1 (city, due 2024-01-31); B2 is a provincial tax.
const bills = [
  bill({ billId: 'B1', dueDate: '2024-01-31', cost: '10000', tax: '500000', surcharge: '15000' }),
  bill({
    billId: 'B2',
    dueDate: '2024-06-30',
    provincial: true,
    taxItem: '지역자원시설세',
    tax: '200000',
    surcharge: '6000',
  }),
  bill({ billId: 'B3', dueDate: '2023-06-30', taxItem: '자동차세', cost: '5000', tax: '300000', surcharge: '20000' }),
];

const view = (r: ReturnType<typeof allocate>) =>
  r.allocations.map((a) => `${a.billId}.${a.component}=${a.amount.toFixed()}`);

describe('allocation in the legal order (징수법 §4)', () => {
  it('pays costs, then tax (provincial first, oldest first), then surcharges', () => {
    // 520,000: B3 cost 5,000 -> B1 cost 10,000 -> B2 tax 200,000 (provincial) -> B3 tax 300,000
    // (older) -> B1 tax 5,000 of 500,000. Nothing left for surcharges, no refund.
    const result = allocate(won('520000'), arrearsLines(bills));
    expect(view(result)).toEqual(['B3.COST=5000', 'B1.COST=10000', 'B2.TAX=200000', 'B3.TAX=300000', 'B1.TAX=5000']);
    expect(result.refund.toFixed()).toBe('0');
  });

  it('refunds the surplus over everything owed (§99③)', () => {
    // Owed: costs 15,000 + tax 1,000,000 + surcharges 41,000 = 1,056,000; 1,100,000 in: 44,000 back.
    const result = allocate(won('1100000'), arrearsLines(bills));
    expect(view(result).slice(-3)).toEqual(['B2.SURCHARGE=6000', 'B3.SURCHARGE=20000', 'B1.SURCHARGE=15000']);
    expect(result.refund.toFixed()).toBe('44000');
  });

  it('records allocations as paid on the bills', () => {
    const paid = applyAllocations(bills, allocate(won('520000'), arrearsLines(bills)).allocations);
    expect(totalOutstanding(paid).toFixed()).toBe(String(1056000 - 520000));
    expect(paid.find((b) => b.billId === 'B1')?.tax.paid.toFixed()).toBe('5000');
  });

  it('refuses fractional or negative money', () => {
    expect(() => allocate(new Decimal('1.5'), arrearsLines(bills))).toThrow(InvalidAmountError);
    expect(() => allocate(won('-1'), arrearsLines(bills))).toThrow(InvalidAmountError);
  });

  it('accounts for every won: allocations + refund = money in, never over a line (property)', () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 15n });
    const billArb = fc.record({
      cost: amount,
      tax: amount,
      surcharge: amount,
      provincial: fc.boolean(),
      due: fc.date({ min: new Date('2015-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(fc.array(billArb, { maxLength: 8 }), fc.bigInt({ min: 0n, max: 10n ** 16n }), (specs, money) => {
        const bs = specs.map((s, i) =>
          bill({
            billId: `B${i}`,
            dueDate: s.due.toISOString().slice(0, 10),
            provincial: s.provincial,
            cost: String(s.cost),
            tax: String(s.tax),
            surcharge: String(s.surcharge),
          }),
        );
        const lines = arrearsLines(bs);
        const { allocations, refund } = allocate(won(money), lines);
        const allocated = allocations.reduce((t, a) => t + BigInt(a.amount.toFixed()), 0n);
        expect(allocated + BigInt(refund.toFixed())).toBe(money);
        const owed = specs.reduce((t, s) => t + s.cost + s.tax + s.surcharge, 0n);
        expect(BigInt(refund.toFixed())).toBe(money > owed ? money - owed : 0n);
        for (const a of allocations) {
          const line = lines.find((l) => l.billId === a.billId && l.component === a.component);
          expect(line && a.amount.lte(line.outstanding) && a.amount.gt(0)).toBe(true);
        }
      }),
    );
  });

  it('never pays a later rank while an earlier one is unpaid (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2_000_000n }), (money) => {
        const { allocations } = allocate(won(money), arrearsLines(bills));
        const paidCost = allocations.filter((a) => a.component === 'COST').reduce((t, a) => t.add(a.amount), won('0'));
        const paidTax = allocations.filter((a) => a.component === 'TAX').reduce((t, a) => t.add(a.amount), won('0'));
        if (allocations.some((a) => a.component !== 'COST')) expect(paidCost.toFixed()).toBe('15000');
        if (allocations.some((a) => a.component === 'SURCHARGE')) expect(paidTax.toFixed()).toBe('1000000');
      }),
    );
  });
});

describe('arrears as of a date', () => {
  it('adds the surcharges that accrue after the city figure', () => {
    // Tax 1,000,000 due 2024-03-31, city figure of 30,000 as of 04-01; by 07-15 three monthly
    // charges of 6,600 (with 10-won truncation they are already round): 1,030,000 + 19,800.
    const b = bill({ tax: '1000000', surcharge: '30000', surchargeAsOf: '2024-04-01' });
    expect(arrearsAsOf([b], '2024-07-15', [], { truncateUnder10Won: true }).toFixed()).toBe('1049800');
    expect(bringForward(b, '2024-07-15', [], { truncateUnder10Won: true }).surchargeAsOf).toBe('2024-07-15');
    // Never projects backwards.
    expect(arrearsAsOf([b], '2024-03-01', [], { truncateUnder10Won: true }).toFixed()).toBe('1030000');
  });
});
