/**
 * Payments are dated facts (docs/LEGAL.md "Payments are dated facts"): the case stores the city's
 * figures and the dated credits; what is owed on any date is replayed from them.
 */
import fc from 'fast-check';
import {
  arrears,
  billsAsOf,
  CaseRuleError,
  confirmCustody,
  markDue,
  nextSaleId,
  placeHold,
  recordPayment,
  recordPreSaleDelivery,
  registerCase,
  requestTransfer,
  sendPreSaleNotice,
  settleSale,
  startSale,
  updateBills,
  type Case,
  type CaseStatus,
  type Transition,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { decimal, sum, won } from '#domain/money';
import { at, cityBill, officer } from './fixtures';

const settings = { ...DEFAULT_CITY_SETTINGS, truncateUnder10Won: false, preSaleNoticeDays: 30 };
const on = (date: string) => at(date, undefined, settings);

/** Tax 1,000,000 due 2024-03-31; the city's figure: the 3% (30,000) as of 2024-04-01. */
function registered(registeredOn = '2024-04-02'): Case {
  return registerCase(
    {
      cityId: 'cheongju',
      caseId: 'C1',
      cityCaseRef: 'CC-1',
      taxpayer: { ref: 'T-1', name: '홍길동', contact: {} },
      bills: [
        cityBill({
          billId: 'B1',
          dueDate: '2024-03-31',
          tax: '1000000',
          surcharge: '30000',
          surchargeAsOf: '2024-04-01',
        }),
      ],
    },
    on(registeredOn),
  ).case;
}

const pay = (c: Case, id: string, amount: string, receivedOn: string, today: string): Transition =>
  recordPayment(c, { paymentId: id, amount: won(amount), receivedOn }, on(today));
const moneyBooked = (t: Transition) =>
  sum(t.ledger.filter((e) => e.kind === 'ALLOCATION' || e.kind === 'REFUND').map((e) => e.amount));

describe('a payment is a dated fact', () => {
  it('is refused when dated after today in Korea, or before the bill existed', () => {
    const c = registered();
    // 2024-07-15T16:00Z is 2024-07-16 01:00 in Korea: the 16th is today there, the 17th is not.
    expect(
      recordPayment(
        c,
        { paymentId: 'P0', amount: won('1000'), receivedOn: '2024-07-16' },
        { ...on('2024-07-15'), now: new Date('2024-07-15T16:00:00Z') },
      ).case.credits,
    ).toHaveLength(1);
    expect(() => pay(c, 'P1', '1000', '2024-07-17', '2024-07-16')).toThrow(
      expect.objectContaining({ code: 'PAYMENT_IN_FUTURE' }) as Error,
    );
    expect(() => pay(c, 'P2', '1000', '2024-03-30', '2024-07-16')).toThrow(
      expect.objectContaining({ code: 'PAYMENT_BEFORE_BILL' }) as Error,
    );
    expect(() => pay(c, 'P3', '1000', '2024-03-31', '2024-07-16')).not.toThrow();
  });

  it('leaves the stored bills as the city sent them', () => {
    const c = registered();
    const after = pay(
      pay(c, 'P1', '400000', '2024-06-10', '2024-06-10').case,
      'P2',
      '100000',
      '2024-07-10',
      '2024-07-10',
    ).case;
    expect(after.bills).toEqual(c.bills);
    expect(after.credits.map((x) => [x.source, x.amount.toFixed(), x.on])).toEqual([
      ['P1', '400000', '2024-06-10'],
      ['P2', '100000', '2024-07-10'],
    ]);
  });

  it('stops the accruals on what it paid from its own date, even when reported after a later payment', () => {
    // P-late 100,000 on 07-10 is recorded first; P-early 900,000 dated 04-15 is reported on 07-15.
    // From 04-15 only 100,000 of tax is unpaid: 0.66% of it (660) accrues 05-01, 06-01, 07-01, and
    // P-late pays the rest of the tax on 07-10. Owed: 30,000 + 3 x 660 = 31,980 (not 30,000 + 3 x 6,600).
    const late = pay(registered(), 'P-late', '100000', '2024-07-10', '2024-07-10').case;
    const both = pay(late, 'P-early', '900000', '2024-04-15', '2024-07-15');
    expect(arrears(both.case, '2024-07-15', settings).toFixed()).toBe('31980');
    // The books follow: P-late's 100,000 stays on the tax, P-early's 900,000 goes to the tax too.
    expect(billsAsOf(both.case, '2024-07-15', settings)[0]?.tax.paid.toFixed()).toBe('1000000');
    expect(moneyBooked(both).toFixed()).toBe('900000');
  });

  it('never raises what is owed, and books exactly the money received (property)', () => {
    const date = fc
      .integer({ min: 0, max: 500 })
      .map((d) => new Date(Date.UTC(2024, 3, 1) + d * 86_400_000).toISOString().slice(0, 10));
    const payment = fc.record({ amount: fc.integer({ min: 1, max: 1_200_000 }), on: date });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 4 }), payment, (earlier, next) => {
        let c = registered('2024-04-01');
        const today = '2025-08-15';
        earlier.forEach((p, i) => {
          if (c.status === 'PAID') return;
          c = pay(c, `P${i}`, String(p.amount), p.on, today).case;
        });
        const before = arrears(c, today, settings);
        const t = pay(c, 'NEW', String(next.amount), next.on, today);
        expect(arrears(t.case, today, settings).lte(before)).toBe(true);
        expect(moneyBooked(t).toFixed()).toBe(String(next.amount));
        expect(t.case.bills).toEqual(c.bills);
      }),
      { numRuns: 150 },
    );
  });
});

describe('money received is never refused', () => {
  function paidCase(): Case {
    return pay(registered(), 'P1', '1030000', '2024-04-10', '2024-04-10').case;
  }

  it('books a payment to a closed case as a refund payable, with its record and notice', () => {
    const closed = paidCase();
    expect(closed.status).toBe('PAID');
    const t = pay(closed, 'P2', '50000', '2024-05-02', '2024-05-02');
    expect(t.case.status).toBe('PAID');
    expect(t.case.refundPayable.toFixed()).toBe('50000');
    expect(t.case.paymentIds).toEqual(['P1', 'P2']);
    expect(t.ledger.map((e) => `${e.kind}:${e.source}:${e.amount.toFixed()}`)).toEqual([
      'PAYMENT_IN:P2:50000',
      'REFUND:P2:50000',
    ]);
    expect(t.notices.map((n) => n.kind)).toEqual(['REFUND']);
    expect(t.notices[0]?.content.kind === 'REFUND' && t.notices[0].content.data.amount).toBe('50000');
    expect(() => pay(t.case, 'P2', '50000', '2024-05-02', '2024-05-02')).toThrow(CaseRuleError);
  });

  it('refunds what a later bill update leaves paid beyond what is owed', () => {
    const paid = pay(registered(), 'P1', '600000', '2024-04-10', '2024-04-10').case;
    // The city lowers the tax to 500,000 with its 3% (15,000): 515,000 owed, 600,000 paid.
    const t = updateBills(
      paid,
      [
        cityBill({
          billId: 'B1',
          dueDate: '2024-03-31',
          tax: '500000',
          surcharge: '15000',
          surchargeAsOf: '2024-04-01',
        }),
      ],
      on('2024-04-20'),
    );
    expect(t.case.status).toBe('PAID');
    expect(t.case.refundPayable.toFixed()).toBe('85000');
    expect(t.ledger.filter((e) => e.kind === 'REFUND').map((e) => `${e.source}:${e.amount.toFixed()}`)).toEqual([
      'P1:85000',
    ]);
    expect(moneyBooked(t).toFixed()).toBe('0');
    expect(t.notices.map((n) => n.kind)).toContain('REFUND');
  });
});

describe('bills updated to nothing owed', () => {
  const zero = cityBill({ billId: 'B1', dueDate: '2024-03-31', tax: '0', surcharge: '0', surchargeAsOf: '2024-04-01' });
  const inCustody = () =>
    confirmCustody(
      requestTransfer(registered(), [{ market: 'KRW-BTC', quantity: decimal('0.01') }], on('2024-04-03')).case,
      { market: 'KRW-BTC', quantity: decimal('0.01') },
      on('2024-04-04'),
    ).case;
  const noticed = () => {
    const sent = sendPreSaleNotice(inCustody(), [{ market: 'KRW-BTC', bid: decimal('90000000') }], on('2024-04-05'));
    // Delivered the same day: the deadline runs from it.
    return recordPreSaleDelivery(
      sent.case,
      { noticeId: sent.notices[0]!.noticeId, outcome: 'DELIVERED', on: '2024-04-05' },
      on('2024-04-05'),
    ).case;
  };
  const due = () => markDue(noticed(), on('2024-05-06')).case;
  const states: Array<[CaseStatus, () => Case]> = [
    ['REGISTERED', () => registered()],
    [
      'TRANSFER_REQUESTED',
      () => requestTransfer(registered(), [{ market: 'KRW-BTC', quantity: decimal('0.01') }], on('2024-04-03')).case,
    ],
    ['IN_CUSTODY', inCustody],
    ['NOTICE_SENT', noticed],
    ['DUE', due],
    [
      'ON_HOLD',
      () =>
        placeHold(noticed(), { holdId: 'H1', kind: 'APPEAL', reason: '이의신청' }, at('2024-04-06', officer, settings))
          .case,
    ],
    [
      'SHORTFALL',
      () => {
        const selling = startSale(due(), nextSaleId(due()), on('2024-05-06')).case;
        return settleSale(
          selling,
          {
            saleId: selling.saleId ?? '',
            settledOn: '2024-05-06',
            dust: [],
            fills: [
              { market: 'KRW-BTC', quantity: decimal('0.01'), grossKrw: decimal('900000'), feeKrw: decimal('450') },
            ],
          },
          on('2024-05-06'),
        ).case;
      },
    ],
  ];

  it.each(states)('closes a %s case as PAID and releases what is held', (status, make) => {
    const c = make();
    expect(c.status).toBe(status);
    const t = updateBills(c, [zero], on('2024-05-07'));
    expect(t.case.status).toBe('PAID');
    expect(t.audit).toMatchObject({ action: 'UPDATE_BILLS', after: 'PAID' });
    const held = c.holdings.reduce((s, h) => s.add(h.inCustody.sub(h.sold).sub(h.released)), decimal('0'));
    expect(sum(t.releases.map((r) => r.quantity)).toFixed()).toBe(held.toFixed());
  });
});
