import fc from 'fast-check';
import { accrualsBetween, projectedSurcharge, regimeFor, type SurchargeInput } from '#domain/surcharges';
import { won } from '#domain/money';

const exact = { truncateUnder10Won: false };
const truncated = { truncateUnder10Won: true };

function input(partial: Partial<SurchargeInput> & { tax: string }): SurchargeInput {
  return {
    dueDate: partial.dueDate ?? '2024-03-31',
    ...(partial.liabilityDate ? { liabilityDate: partial.liabilityDate } : {}),
    assessedTax: won(partial.tax),
    unpaidTax: partial.unpaidTax ?? won(partial.tax),
    deferrals: partial.deferrals ?? [],
  };
}

describe('surcharge regime', () => {
  it('uses 납부지연가산세 for liabilities from 2024 and 가산금 before', () => {
    expect(regimeFor('2024-01-01').name).toBe('납부지연가산세');
    expect(regimeFor('2023-12-31').name).toBe('가산금');
  });
});

describe('납부지연가산세 (기본법 §55) projection', () => {
  it('charges 3% the day after the deadline, then 0.66% per full month', () => {
    // Tax 1,000,000 due 2024-03-31. 3% = 30,000 on 04-01. Monthly 0.66% = 6,600 on 05-01, 06-01
    // and 07-01 (one, two, three full months after the deadline). To 07-15: 30,000 + 3 x 6,600 = 49,800.
    const accruals = accrualsBetween(input({ tax: '1000000' }), '2024-03-31', '2024-07-15', exact);
    expect(accruals.map((a) => [a.on, a.kind, a.amount.toFixed()])).toEqual([
      ['2024-04-01', 'INITIAL', '30000'],
      ['2024-05-01', 'MONTHLY', '6600'],
      ['2024-06-01', 'MONTHLY', '6600'],
      ['2024-07-01', 'MONTHLY', '6600'],
    ]);
    expect(projectedSurcharge(input({ tax: '1000000' }), '2024-03-31', '2024-07-15', exact).toFixed()).toBe('49800');
  });

  it('charges nothing on the deadline itself', () => {
    expect(projectedSurcharge(input({ tax: '1000000' }), '2024-03-01', '2024-03-31', exact).toFixed()).toBe('0');
  });

  it('charges only the 3% below the ₩450,000 monthly threshold', () => {
    // 400,000 x 3% = 12,000; no monthly part.
    expect(projectedSurcharge(input({ tax: '400000' }), '2024-03-31', '2025-03-31', exact).toFixed()).toBe('12000');
  });

  it('stops after 60 months', () => {
    // 30,000 + 60 x 6,600 = 426,000, however long after.
    expect(
      projectedSurcharge(input({ tax: '1000000', dueDate: '2024-01-31' }), '2024-01-31', '2035-01-01', exact).toFixed(),
    ).toBe('426000');
  });

  it('drops amounts under 10 won when the city applies 국고금 관리법 §47', () => {
    // 1,234,567 x 3% = 37,037.01 -> 37,037 -> 37,030; x 0.66% = 8,148.14 -> 8,148 -> 8,140.
    const tax = input({ tax: '1234567' });
    expect(projectedSurcharge(tax, '2024-03-31', '2024-05-01', exact).toFixed()).toBe(String(37037 + 8148));
    expect(projectedSurcharge(tax, '2024-03-31', '2024-05-01', truncated).toFixed()).toBe(String(37030 + 8140));
  });

  it('accrues nothing during a collection deferral (징수법 §28)', () => {
    // Deferral 04-15 to 06-15 swallows the 05-01 and 06-01 accruals: 30,000 + 6,600 (07-01) = 36,600.
    const deferred = input({ tax: '1000000', deferrals: [{ from: '2024-04-15', to: '2024-06-15' }] });
    expect(projectedSurcharge(deferred, '2024-03-31', '2024-07-15', exact).toFixed()).toBe('36600');
    const open = input({ tax: '1000000', deferrals: [{ from: '2024-04-15' }] });
    expect(projectedSurcharge(open, '2024-03-31', '2024-12-31', exact).toFixed()).toBe('30000');
  });

  it('projects only what accrues after the city last assessed', () => {
    // City figure as of 05-15 already holds 04-01 and 05-01; 06-01 and 07-01 remain: 13,200.
    expect(projectedSurcharge(input({ tax: '1000000' }), '2024-05-15', '2024-07-15', exact).toFixed()).toBe('13200');
  });

  it('uses the unpaid tax as the base, never the surcharges (no compounding)', () => {
    // Half the tax paid: 0.66% of 500,000 = 3,300 a month.
    const half = input({ tax: '1000000', unpaidTax: won('500000') });
    expect(projectedSurcharge(half, '2024-04-15', '2024-05-01', exact).toFixed()).toBe('3300');
  });

  it('charges nothing when the tax is paid', () => {
    expect(
      projectedSurcharge(input({ tax: '1000000', unpaidTax: won('0') }), '2024-03-31', '2024-12-31', exact).toFixed(),
    ).toBe('0');
  });
});

describe('가산금 (old 징수법 §30-31) projection', () => {
  it('uses 1.2% a month until 2018 and 0.75% from 2019', () => {
    // Due 2018-06-30: months counted from 07-01. 3% = 30,000 on 07-01; monthly on 08-01, 09-01,
    // 10-01, 11-01, 12-01 at 1.2% = 12,000 each (60,000), then 2019-01-01 and 02-01 at 0.75% =
    // 7,500 each. To 2019-02-15: 105,000.
    const old = input({ tax: '1000000', dueDate: '2018-06-30', liabilityDate: '2018-06-01' });
    expect(accrualsBetween(old, '2018-06-30', '2019-02-15', exact).map((a) => a.on)).toEqual([
      '2018-07-01',
      '2018-08-01',
      '2018-09-01',
      '2018-10-01',
      '2018-11-01',
      '2018-12-01',
      '2019-01-01',
      '2019-02-01',
    ]);
    expect(projectedSurcharge(old, '2018-06-30', '2019-02-15', exact).toFixed()).toBe('105000');
  });

  it('has a ₩300,000 monthly threshold', () => {
    // 350,000: 3% = 10,500 and 0.75% = 2,625 a month (the new regime would charge no monthly part).
    const old = input({ tax: '350000', dueDate: '2023-06-30' });
    expect(projectedSurcharge(old, '2023-06-30', '2023-08-01', exact).toFixed()).toBe(String(10500 + 2625));
  });
});

describe('month counting (민법 §157, §160 via 지방세기본법 §23)', () => {
  const monthlyDates = (dueDate: string) =>
    accrualsBetween(input({ tax: '1000000', dueDate }), dueDate, '2099-12-31', exact)
      .filter((a) => a.kind === 'MONTHLY')
      .map((a) => a.on);

  it('charges the first month on the corresponding day counted from the day after the deadline', () => {
    // Due 11-30: months run from 12-01, the first ends 12-31, so 3% on 12-01 and 0.66% on 01-01.
    expect(monthlyDates('2024-11-30').slice(0, 2)).toEqual(['2025-01-01', '2025-02-01']);
    expect(
      accrualsBetween(input({ tax: '1000000', dueDate: '2024-11-30' }), '2024-11-30', '2024-12-31', exact).map(
        (a) => a.on,
      ),
    ).toEqual(['2024-12-01']);
    // The common local-tax deadlines.
    expect(monthlyDates('2024-06-30').slice(0, 3)).toEqual(['2024-08-01', '2024-09-01', '2024-10-01']);
    expect(monthlyDates('2024-09-30').slice(0, 3)).toEqual(['2024-11-01', '2024-12-01', '2025-01-01']);
  });

  it('ends a month with no corresponding day at the end of that month', () => {
    // Due 2025-01-30: months run from 01-31; February has no 31st, so the first month ends 02-28
    // and its charge accrues 03-01; the second ends 03-30 and accrues 03-31.
    expect(monthlyDates('2025-01-30').slice(0, 3)).toEqual(['2025-03-01', '2025-03-31', '2025-05-01']);
    // Leap year: due 2024-01-28, from 01-29; February 2024 has a 29th.
    expect(monthlyDates('2024-01-28').slice(0, 2)).toEqual(['2024-02-29', '2024-03-29']);
  });

  /** Plain UTC calendar arithmetic, independent of the product's date module. */
  const utc = (s: string) => new Date(`${s}T00:00:00Z`);
  const text = (d: Date) => d.toISOString().slice(0, 10);
  const nextDay = (d: Date) => new Date(d.getTime() + 86_400_000);
  /** Whether k whole months have passed by the start of day x, counting from day s (both included). */
  const monthsPassed = (s: Date, x: Date, k: number) => {
    const span = x.getUTCFullYear() * 12 + x.getUTCMonth() - (s.getUTCFullYear() * 12 + s.getUTCMonth());
    return span > k || (span === k && x.getUTCDate() >= s.getUTCDate());
  };

  it('accrues the k-th monthly charge on the first day by which k months have passed, for every due date 2019-2027', () => {
    let checked = 0;
    for (let due = utc('2019-01-01'); due < utc('2028-01-01'); due = nextDay(due)) {
      const start = nextDay(due);
      const dates = monthlyDates(text(due));
      expect(dates).toHaveLength(60);
      dates.forEach((on, i) => {
        const day = utc(on);
        const k = i + 1;
        // It is the first such day: k months have passed by its start, and not by the day before.
        if (!monthsPassed(start, day, k) || monthsPassed(start, new Date(day.getTime() - 86_400_000), k)) {
          throw new Error(`due ${text(due)}: monthly charge ${k} on ${on}`);
        }
        checked++;
      });
    }
    expect(checked).toBe(3287 * 60);
  });

  it('never charges a month before it has passed, for any due date and any window', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2019-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 2000 }),
        (due, span) => {
          const dueDate = text(due);
          const until = text(new Date(due.getTime() + span * 86_400_000));
          const monthly = accrualsBetween(input({ tax: '1000000', dueDate }), dueDate, until, exact).filter(
            (a) => a.kind === 'MONTHLY',
          );
          monthly.forEach((a, i) => expect(monthsPassed(nextDay(due), utc(a.on), i + 1)).toBe(true));
          // And none that has passed by `until` is missing.
          const owedMonths = Array.from({ length: 60 }, (_, i) => i + 1).filter((k) =>
            monthsPassed(nextDay(due), utc(until), k),
          ).length;
          expect(monthly).toHaveLength(owedMonths);
        },
      ),
    );
  });
});
