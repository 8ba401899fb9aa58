import fc from 'fast-check';
import {
  arrears,
  billsAsOf,
  cancelCase,
  CaseRuleError,
  confirmCustody,
  failSale,
  IllegalTransitionError,
  isClosed,
  markDue,
  nextSaleId,
  placeHold,
  recordPayment,
  recordPreSaleDelivery,
  registerCase,
  releaseHold,
  reminderDue,
  sendReminder,
  requestSaleByTaxpayer,
  requestTransfer,
  saleBlock,
  sendPreSaleNotice,
  settleSale,
  startSale,
  updateBills,
  type Case,
  type Transition,
  type TransitionContext,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { decimal, won } from '#domain/money';
import { renderNotice } from '#domain/notices';
import { at, cityBill, officer } from './fixtures';

const settings = { ...DEFAULT_CITY_SETTINGS, preSaleNoticeDays: 30 };
const on = (date: string) => at(date, undefined, settings);
const asOfficer = (date: string): TransitionContext => at(date, officer, settings);

/** Tax 1,000,000 with a surcharge assessed to 2026-12-01, due long ago; 0.02 BTC seized. */
function registered(): Case {
  return registerCase(
    {
      cityId: 'cheongju',
      caseId: 'C1',
      cityCaseRef: 'CC-C1',
      taxpayer: { ref: 'T-1', name: '홍길동', contact: { phone: '010-0000-0000' } },
      bills: [
        cityBill({
          billId: 'B1',
          dueDate: '2024-03-31',
          tax: '1000000',
          surcharge: '30000',
          surchargeAsOf: '2026-12-01',
        }),
      ],
    },
    on('2026-11-01'),
  ).case;
}

function inCustody(): Case {
  const requested = requestTransfer(
    registered(),
    [{ market: 'KRW-BTC', quantity: decimal('0.02') }],
    on('2026-11-02'),
  ).case;
  return confirmCustody(requested, { market: 'KRW-BTC', quantity: decimal('0.02') }, on('2026-11-03')).case;
}

/** Noticed on 2026-12-01 and delivered the same day, with a 30-day window: deadline 2026-12-31 (the notice's transition, the delivered case). */
function noticed(): Transition {
  const sent = sendPreSaleNotice(inCustody(), [{ market: 'KRW-BTC', bid: decimal('95000000') }], on('2026-12-01'));
  const delivered = recordPreSaleDelivery(
    sent.case,
    { noticeId: sent.notices[0]!.noticeId, outcome: 'DELIVERED', on: '2026-12-01' },
    on('2026-12-01'),
  );
  return { ...delivered, notices: sent.notices };
}

function selling(): Case {
  const due = markDue(noticed().case, on('2027-01-01')).case;
  return startSale(due, nextSaleId(due), on('2027-01-01')).case;
}

describe('case lifecycle', () => {
  it('registers with an audit entry and no prior state', () => {
    const t = registerCase(
      {
        cityId: 'c',
        caseId: 'X',
        cityCaseRef: 'CC-X',
        taxpayer: { ref: 'r', name: 'n', contact: {} },
        bills: [cityBill({ tax: '1000' })],
      },
      on('2026-11-01'),
    );
    expect(t.case.status).toBe('REGISTERED');
    expect(t.case.version).toBe(1);
    expect(t.audit).toMatchObject({ action: 'REGISTER', before: null, after: 'REGISTERED' });
  });

  it('refuses a case without bills or with duplicate bill ids', () => {
    const base = { cityId: 'c', caseId: 'X', cityCaseRef: 'CC-X', taxpayer: { ref: 'r', name: 'n', contact: {} } };
    expect(() => registerCase({ ...base, bills: [] }, on('2026-11-01'))).toThrow(CaseRuleError);
    expect(() =>
      registerCase({ ...base, bills: [cityBill({ tax: '1' }), cityBill({ tax: '2' })] }, on('2026-11-01')),
    ).toThrow(/unique/);
  });

  it('requests the transfer with a seizure notice and reaches custody when everything arrived', () => {
    const t = requestTransfer(registered(), [{ market: 'KRW-BTC', quantity: decimal('0.02') }], on('2026-11-02'));
    expect(t.case.status).toBe('TRANSFER_REQUESTED');
    expect(t.notices.map((n) => n.kind)).toEqual(['SEIZURE', 'SEIZURE']);
    expect(t.notices.map((n) => n.content.kind === 'SEIZURE' && n.content.data.recipient)).toEqual([
      'TAXPAYER',
      'EXCHANGE',
    ]);
    const half = confirmCustody(t.case, { market: 'KRW-BTC', quantity: decimal('0.01') }, on('2026-11-03'));
    expect(half.case.status).toBe('TRANSFER_REQUESTED');
    const all = confirmCustody(half.case, { market: 'KRW-BTC', quantity: decimal('0.01') }, on('2026-11-03'));
    expect(all.case.status).toBe('IN_CUSTODY');
    expect(() => confirmCustody(half.case, { market: 'KRW-BTC', quantity: decimal('0.02') }, on('2026-11-03'))).toThrow(
      /exceed/,
    );
  });

  it('sends the pre-sale notice with the deadline, what is owed and what the coins are worth', () => {
    const t = noticed();
    expect(t.case.status).toBe('NOTICE_SENT');
    expect(t.case.deadline).toBe('2026-12-31');
    // 0.02 BTC x 95,000,000 = 1,900,000. Owed on 2026-12-01: 1,030,000 plus the monthly 0.66% of
    // 6,600 that accrues on 2026-12-01 only after the city's figure of that day, so none yet.
    const notice = t.notices[0];
    if (notice?.content.kind !== 'PRE_SALE') throw new Error('expected a pre-sale notice');
    expect(notice.content.data).toMatchObject({
      deadline: '2026-12-31',
      taxpayerName: '홍길동',
      valuation: { totalValue: '1900000' },
      arrears: { total: '1030000', tax: '1000000', surcharge: '30000' },
    });
    expect(notice.content.data.valuation.holdings).toEqual([
      { coin: 'BTC', coinName: '비트코인', quantity: '0.02', bidPrice: '95000000', value: '1900000' },
    ]);
    // The 2027-01-01 accrual (one more full month) is after the deadline: owed at the deadline is the same.
    expect(notice.content.data.owedAtDeadline).toBe('1030000');
    expect(renderNotice(notice.content).body).toContain('1,900,000원');
  });

  it('is not due on the deadline day and is due the day after', () => {
    const c = noticed().case;
    expect(() => markDue(c, on('2026-12-31'))).toThrow(CaseRuleError);
    expect(markDue(c, on('2027-01-01')).case.status).toBe('DUE');
  });

  it('reminds 7 and 1 days before the deadline, under an id a second run repeats', () => {
    const c = noticed().case;
    expect(reminderDue(c, '2026-12-24', settings)).toBe(7);
    expect(reminderDue(c, '2026-12-30', settings)).toBe(1);
    expect(reminderDue(c, '2026-12-29', settings)).toBeNull();
    const first = sendReminder(c, on('2026-12-24'));
    expect(first.case.status).toBe('NOTICE_SENT');
    expect(first.notices.map((n) => [n.noticeId, n.kind])).toEqual([['C1.reminder.2026-12-31.d7', 'REMINDER']]);
    expect(sendReminder(c, on('2026-12-24')).notices[0]?.noticeId).toBe(first.notices[0]?.noticeId);
    expect(() => sendReminder(c, on('2026-12-29'))).toThrow(/no reminder/);
  });

  it('lets the taxpayer ask for a sale before the deadline', () => {
    const c = requestSaleByTaxpayer(
      noticed().case,
      {
        requestId: 'R1',
        requestedAt: '2026-12-05T01:00:00Z',
        limitPrices: { 'KRW-BTC': decimal('90000000') },
        evidence: { relayedBy: 'clerk-1', receivedAt: '2026-12-04T23:00:00Z', channel: 'PHONE' },
      },
      on('2026-12-05'),
    ).case;
    expect(c.status).toBe('DUE');
    expect(saleBlock(c, '2026-12-05', settings)).toBeNull();
    expect(startSale(c, nextSaleId(c), on('2026-12-05')).case.status).toBe('SELLING');
  });

  it('never starts a forced sale before the deadline, nor twice under the same id', () => {
    const c = noticed().case;
    expect(saleBlock(c, '2026-12-31', settings)).toBe('BEFORE_DEADLINE');
    const s = selling();
    expect(s.saleId).toBe('C1-sale-1');
    expect(() => startSale(s, 'C1-sale-1', on('2027-01-01'))).toThrow(IllegalTransitionError);
  });

  it('a full payment before the sale closes the case and releases the coins', () => {
    // Owed on 2026-12-10: 1,030,000. Paying 1,050,000 refunds 20,000.
    const t = recordPayment(
      noticed().case,
      { paymentId: 'P1', amount: won('1050000'), receivedOn: '2026-12-10' },
      on('2026-12-10'),
    );
    expect(t.case.status).toBe('PAID');
    expect(t.case.refundPayable.toFixed()).toBe('20000');
    expect(t.releases).toEqual([{ market: 'KRW-BTC', quantity: decimal('0.02'), reason: 'PAID' }]);
    expect(t.notices.map((n) => n.kind)).toEqual(['RELEASE', 'REFUND']);
    expect(t.ledger.map((l) => `${l.kind}:${l.component ?? ''}:${l.amount.toFixed()}`)).toEqual([
      'PAYMENT_IN::1050000',
      'ALLOCATION:TAX:1000000',
      'ALLOCATION:SURCHARGE:30000',
      'REFUND::20000',
    ]);
  });

  it('a partial payment reduces what is owed and keeps the case open; a repeat is refused', () => {
    const t = recordPayment(
      noticed().case,
      { paymentId: 'P1', amount: won('400000'), receivedOn: '2026-12-10' },
      on('2026-12-10'),
    );
    expect(t.case.status).toBe('NOTICE_SENT');
    expect(arrears(t.case, '2026-12-10', settings).toFixed()).toBe('630000');
    expect(() =>
      recordPayment(t.case, { paymentId: 'P1', amount: won('400000'), receivedOn: '2026-12-10' }, on('2026-12-10')),
    ).toThrow(/already applied/);
  });

  it('a hold blocks the sale, suspends the deadline and resumes where it was', () => {
    const held = placeHold(
      noticed().case,
      { holdId: 'H1', kind: 'APPEAL', reason: '이의신청' },
      asOfficer('2026-12-10'),
    ).case;
    expect(held.status).toBe('ON_HOLD');
    expect(saleBlock(held, '2027-02-01', settings)).toBe('ON_HOLD');
    // Held from 12-10 to 12-20: the deadline moves 10 days, from 12-31 to 2027-01-10.
    const resumed = releaseHold(held, 'H1', asOfficer('2026-12-20')).case;
    expect(resumed.status).toBe('NOTICE_SENT');
    expect(resumed.deadline).toBe('2027-01-10');
    expect(() => releaseHold(resumed, 'H1', asOfficer('2026-12-21'))).toThrow(/no active hold/);
  });

  it('settles a sale that covers the arrears: refund, surplus coins released', () => {
    // Sold 0.011 BTC for 1,045,000 with a 0.05% fee of 522.5: net 1,044,477 (0.5 won rounding).
    // Owed 1,036,600 on 2027-01-01 (1,030,000 + the 6,600 accruing 2027-01-01): refund 7,877.
    const t = settleSale(
      selling(),
      {
        saleId: 'C1-sale-1',
        settledOn: '2027-01-01',
        dust: [],
        fills: [
          { market: 'KRW-BTC', quantity: decimal('0.011'), grossKrw: decimal('1045000'), feeKrw: decimal('522.5') },
        ],
      },
      on('2027-01-01'),
    );
    expect(t.case.status).toBe('SETTLED');
    expect(t.case.refundPayable.toFixed()).toBe('7877');
    expect(t.releases).toEqual([{ market: 'KRW-BTC', quantity: decimal('0.009'), reason: 'SURPLUS' }]);
    expect(t.notices.map((n) => n.kind)).toEqual(['SALE_RESULT']);
    const result = t.notices[0]?.content;
    if (result?.kind !== 'SALE_RESULT') throw new Error('expected a sale result');
    expect(result.data).toMatchObject({
      grossProceeds: '1045000',
      fees: '522.5',
      netProceeds: '1044477',
      refund: { amount: '7877' },
      balance: { total: '0' },
    });
    expect(result.data.allocations.map((a) => `${a.component}:${a.amount}`)).toEqual([
      'TAX:1000000',
      'SURCHARGE:36600',
    ]);
    expect(result.data.released).toEqual([{ coin: 'BTC', coinName: '비트코인', quantity: '0.009', reason: 'SURPLUS' }]);
    expect(renderNotice(result).body).toContain('7,877원');
    const byKind = (k: string) => t.ledger.filter((l) => l.kind === k).reduce((s, l) => s.add(l.amount), decimal('0'));
    // Every won accounted for: gross = fee + allocations + refund + sub-won rounding.
    expect(byKind('SALE_GROSS').toFixed()).toBe(
      byKind('SALE_FEE').add(byKind('ALLOCATION')).add(byKind('REFUND')).add(byKind('SALE_ROUNDING')).toFixed(),
    );
    expect(byKind('ALLOCATION').toFixed()).toBe('1036600');
  });

  it('ends in SHORTFALL when every coin is sold and arrears remain', () => {
    const t = settleSale(
      selling(),
      {
        saleId: 'C1-sale-1',
        settledOn: '2027-01-01',
        dust: [],
        fills: [{ market: 'KRW-BTC', quantity: decimal('0.02'), grossKrw: decimal('800000'), feeKrw: decimal('400') }],
      },
      on('2027-01-01'),
    );
    expect(t.case.status).toBe('SHORTFALL');
    expect(arrears(t.case, '2027-01-01', settings).toFixed()).toBe(String(1036600 - 799600));
    expect(t.notices[0]?.kind).toBe('SHORTFALL');
    expect(t.notices[0]?.content.kind === 'SHORTFALL' && t.notices[0].content.data.balance.total).toBe(
      String(1036600 - 799600),
    );
  });

  it('a payment mid-sale keeps the sale running to settle; a hold mid-sale lands on hold', () => {
    const paidMid = recordPayment(
      selling(),
      { paymentId: 'P9', amount: won('1036600'), receivedOn: '2027-01-01' },
      on('2027-01-01'),
    ).case;
    expect(paidMid.status).toBe('SELLING');
    expect(saleBlock(paidMid, '2027-01-01', settings)).toBe('NOTHING_OWED');
    const settled = settleSale(
      paidMid,
      { saleId: 'C1-sale-1', settledOn: '2027-01-01', dust: [], fills: [] },
      on('2027-01-01'),
    );
    expect(settled.case.status).toBe('SETTLED');
    expect(settled.releases[0]?.quantity.toFixed()).toBe('0.02');

    const heldMid = placeHold(
      selling(),
      { holdId: 'H1', kind: 'LAWSUIT', reason: '소송' },
      asOfficer('2027-01-01'),
    ).case;
    expect(saleBlock(heldMid, '2027-01-01', settings)).toBe('ON_HOLD');
    const stopped = settleSale(
      heldMid,
      {
        saleId: 'C1-sale-1',
        settledOn: '2027-01-01',
        dust: [],
        fills: [
          { market: 'KRW-BTC', quantity: decimal('0.005'), grossKrw: decimal('475000'), feeKrw: decimal('237.5') },
        ],
      },
      on('2027-01-01'),
    );
    expect(stopped.case.status).toBe('ON_HOLD');
    expect(releaseHold(stopped.case, 'H1', asOfficer('2027-01-05')).case.status).toBe('DUE');
  });

  it('releases dust below the exchange minimum, never strands it', () => {
    const t = settleSale(
      selling(),
      {
        saleId: 'C1-sale-1',
        settledOn: '2027-01-01',
        dust: [{ market: 'KRW-BTC', quantity: decimal('0.00004') }],
        fills: [
          { market: 'KRW-BTC', quantity: decimal('0.01996'), grossKrw: decimal('1000000'), feeKrw: decimal('500') },
        ],
      },
      on('2027-01-01'),
    );
    expect(t.case.status).toBe('SHORTFALL');
    expect(t.releases).toEqual([{ market: 'KRW-BTC', quantity: decimal('0.00004'), reason: 'DUST' }]);
  });

  it('refuses to settle more coin than is in custody, or a different sale', () => {
    const s = selling();
    expect(() =>
      settleSale(
        s,
        {
          saleId: 'C1-sale-1',
          settledOn: '2027-01-01',
          dust: [],
          fills: [{ market: 'KRW-BTC', quantity: decimal('0.03'), grossKrw: decimal('1'), feeKrw: decimal('0') }],
        },
        on('2027-01-01'),
      ),
    ).toThrow(/exceed/);
    expect(() =>
      settleSale(s, { saleId: 'C1-sale-9', settledOn: '2027-01-01', dust: [], fills: [] }, on('2027-01-01')),
    ).toThrow(/not C1-sale-9/);
  });

  it('a failed sale goes back to DUE with the error, and the next attempt gets a new id', () => {
    const failed = failSale(selling(), 'C1-sale-1', 'ExchangeUnavailable', on('2027-01-01')).case;
    expect(failed).toMatchObject({ status: 'DUE', lastError: 'ExchangeUnavailable' });
    expect(nextSaleId(failed)).toBe('C1-sale-2');
  });

  it('cancellation releases the coins but is refused mid-sale', () => {
    const t = cancelCase(noticed().case, '부과 취소', asOfficer('2026-12-10'));
    expect(t.case.status).toBe('CANCELLED');
    expect(t.releases[0]).toMatchObject({ market: 'KRW-BTC', reason: 'CANCELLED' });
    expect(() => cancelCase(selling(), 'x', asOfficer('2027-01-01'))).toThrow(IllegalTransitionError);
  });

  it('takes the city bill update but keeps what was paid here', () => {
    const partly = recordPayment(
      noticed().case,
      { paymentId: 'P1', amount: won('100000'), receivedOn: '2026-12-10' },
      on('2026-12-10'),
    ).case;
    const updated = updateBills(
      partly,
      [
        cityBill({
          billId: 'B1',
          dueDate: '2024-03-31',
          tax: '900000',
          surcharge: '30000',
          surchargeAsOf: '2026-12-10',
        }),
      ],
      on('2026-12-11'),
    ).case;
    expect(updated.bills[0]?.tax.toFixed()).toBe('900000');
    expect(billsAsOf(updated, '2026-12-11', settings)[0]?.tax.paid.toFixed()).toBe('100000');
    expect(arrears(updated, '2026-12-11', settings).toFixed()).toBe('830000');
  });
});

describe('closed cases', () => {
  const closers: Array<[string, () => Case]> = [
    [
      'PAID',
      () =>
        recordPayment(
          noticed().case,
          { paymentId: 'P', amount: won('2000000'), receivedOn: '2026-12-10' },
          on('2026-12-10'),
        ).case,
    ],
    ['CANCELLED', () => cancelCase(noticed().case, 'x', asOfficer('2026-12-10')).case],
    [
      'SETTLED',
      () =>
        settleSale(
          selling(),
          {
            saleId: 'C1-sale-1',
            settledOn: '2027-01-01',
            dust: [],
            fills: [
              { market: 'KRW-BTC', quantity: decimal('0.02'), grossKrw: decimal('1900000'), feeKrw: decimal('950') },
            ],
          },
          on('2027-01-01'),
        ).case,
    ],
  ];
  const commands: Array<(c: Case, i: number) => unknown> = [
    (c, i) => placeHold(c, { holdId: `H${i}`, kind: 'APPEAL', reason: 'x' }, asOfficer('2027-02-01')),
    (c) => cancelCase(c, 'x', asOfficer('2027-02-01')),
    (c) => markDue(c, on('2027-02-01')),
    (c) => startSale(c, nextSaleId(c), on('2027-02-01')),
    (c) => requestTransfer(c, [{ market: 'KRW-ETH', quantity: decimal('1') }], on('2027-02-01')),
    (c) => confirmCustody(c, { market: 'KRW-BTC', quantity: decimal('0.01') }, on('2027-02-01')),
    (c) => sendPreSaleNotice(c, [{ market: 'KRW-BTC', bid: decimal('1') }], on('2027-02-01')),
    (c) =>
      requestSaleByTaxpayer(
        c,
        {
          requestId: 'R',
          requestedAt: '2027-02-01T00:00:00Z',
          limitPrices: {},
          evidence: { relayedBy: 'clerk-1', receivedAt: '2027-01-31T23:00:00Z', channel: 'PHONE' },
        },
        on('2027-02-01'),
      ),
    (c) => settleSale(c, { saleId: c.saleId ?? 'x', settledOn: '2027-02-01', dust: [], fills: [] }, on('2027-02-01')),
    (c) => failSale(c, c.saleId ?? 'x', 'e', on('2027-02-01')),
    (c) => updateBills(c, [], on('2027-02-01')),
    (c) => releaseHold(c, 'H0', asOfficer('2027-02-01')),
  ];

  it('has no transition out of a closed case (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...closers),
        fc.array(fc.nat({ max: commands.length - 1 }), { minLength: 1, maxLength: 6 }),
        ([name, close], picks) => {
          const closed = close();
          expect(closed.status).toBe(name);
          expect(isClosed(closed.status)).toBe(true);
          picks.forEach((p, i) => expect(() => commands[p]!(closed, i)).toThrow(IllegalTransitionError));
        },
      ),
    );
  });
});
