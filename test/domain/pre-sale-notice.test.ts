/** The pre-sale notice's service: when it goes out, and the deadline counted from the day it takes effect (기본법 §32, §33). */
import {
  CaseRuleError,
  confirmCustody,
  holdBackPreSaleNotice,
  markDue,
  orderPublicNotice,
  placeHold,
  preSaleNoticeDue,
  recordPreSaleDelivery,
  registerCase,
  releaseHold,
  releasePreSaleNotice,
  requestTransfer,
  saleBlock,
  sendPreSaleNotice,
  type Case,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { decimal } from '#domain/money';
import { renderNotice } from '#domain/notices';
import { at, cityBill, officer } from './fixtures';

const settings = { ...DEFAULT_CITY_SETTINGS, preSaleNoticeDays: 30, preSaleNoticeAfterCustodyDays: 10 };
const on = (date: string) => at(date, undefined, settings);
const asOfficer = (date: string) => at(date, officer, settings);
const BID = [{ market: 'KRW-BTC', bid: decimal('95000000') }];

/** In custody from 2026-11-03. */
function inCustody(): Case {
  const c = registerCase(
    {
      cityId: 'cheongju',
      caseId: 'P1',
      cityCaseRef: 'CJ-P1',
      taxpayer: { ref: 'T-1', name: '홍길동', contact: { address: '청주시' } },
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
  const requested = requestTransfer(c, [{ market: 'KRW-BTC', quantity: decimal('0.02') }], on('2026-11-02')).case;
  return confirmCustody(requested, { market: 'KRW-BTC', quantity: decimal('0.02') }, on('2026-11-03')).case;
}

/** Sent on 2026-11-13 (custody + 10 days). */
const sent = () => sendPreSaleNotice(inCustody(), BID, on('2026-11-13'));

describe('pre-sale notice', () => {
  it('is due once the city’s waiting period after custody passed, unless an officer holds it back', () => {
    const c = inCustody();
    expect(c.custodyOn).toBe('2026-11-03');
    expect(preSaleNoticeDue(c, '2026-11-12', settings)).toBe(false);
    expect(preSaleNoticeDue(c, '2026-11-13', settings)).toBe(true);
    expect(preSaleNoticeDue(c, '2026-11-03', { ...settings, preSaleNoticeAfterCustodyDays: 0 })).toBe(true);
    const held = holdBackPreSaleNotice(c, '주소 확인 중', asOfficer('2026-11-10')).case;
    expect(preSaleNoticeDue(held, '2026-12-01', settings)).toBe(false);
    expect(() => holdBackPreSaleNotice(c, 'x', on('2026-11-10'))).toThrow(/officer/);
    expect(preSaleNoticeDue(releasePreSaleNotice(held, asOfficer('2026-11-20')).case, '2026-11-20', settings)).toBe(
      true,
    );
  });

  it('goes out once per custody, without a deadline until it takes effect; it states the window from receipt', () => {
    const t = sent();
    expect(t.case.status).toBe('NOTICE_SENT');
    expect(t.case.deadline).toBeUndefined();
    expect(t.case.preSaleNotice).toEqual({ noticeId: t.notices[0]!.noticeId, issuedOn: '2026-11-13' });
    expect(() => sendPreSaleNotice(t.case, BID, on('2026-11-14'))).toThrow(/not allowed/);
    expect(renderNotice(t.notices[0]!.content).body).toContain('이 통지서를 받으신 날부터 30일이 되는 날');
    // Not effective: never due, however late.
    expect(saleBlock(t.case, '2027-06-01', settings)).toBe('BEFORE_DEADLINE');
    expect(() => markDue(t.case, on('2027-06-01'))).toThrow(CaseRuleError);
  });

  it('runs the deadline from the day of delivery, not the day it was sent', () => {
    const t = sent();
    const noticeId = t.notices[0]!.noticeId;
    const delivered = recordPreSaleDelivery(
      t.case,
      { noticeId, outcome: 'DELIVERED', on: '2026-11-17' },
      on('2026-11-18'),
    ).case;
    expect(delivered.preSaleNotice).toMatchObject({ deliveredOn: '2026-11-17', effectiveOn: '2026-11-17' });
    expect(delivered.deadline).toBe('2026-12-17');
    expect(() => markDue(delivered, on('2026-12-17'))).toThrow(/BEFORE_DEADLINE/);
    expect(markDue(delivered, on('2026-12-18')).case.status).toBe('DUE');
    // Recorded once; dates between issue and today only; only this custody's notice.
    expect(() =>
      recordPreSaleDelivery(delivered, { noticeId, outcome: 'DELIVERED', on: '2026-11-18' }, on('2026-11-18')),
    ).toThrow(/ALREADY_EFFECTIVE|took effect/);
    expect(() =>
      recordPreSaleDelivery(t.case, { noticeId, outcome: 'DELIVERED', on: '2026-11-12' }, on('2026-11-18')),
    ).toThrow(/delivery date/);
    expect(() =>
      recordPreSaleDelivery(t.case, { noticeId, outcome: 'DELIVERED', on: '2026-11-19' }, on('2026-11-18')),
    ).toThrow(/delivery date/);
    expect(() =>
      recordPreSaleDelivery(t.case, { noticeId: 'other', outcome: 'DELIVERED', on: '2026-11-17' }, on('2026-11-18')),
    ).toThrow(/UNKNOWN_NOTICE|not this custody/);
  });

  it('after a failed delivery, public notice takes effect 14 days after posting and the deadline runs from then', () => {
    const t = sent();
    const noticeId = t.notices[0]!.noticeId;
    expect(() => orderPublicNotice(t.case, noticeId, '2026-11-20', asOfficer('2026-11-20'))).toThrow(/failed delivery/);
    const failed = recordPreSaleDelivery(
      t.case,
      { noticeId, outcome: 'FAILED', on: '2026-11-16', reason: '수취인 불명' },
      on('2026-11-17'),
    ).case;
    expect(failed.preSaleNotice?.failed).toEqual({ on: '2026-11-16', reason: '수취인 불명' });
    expect(failed.deadline).toBeUndefined();
    expect(() => orderPublicNotice(failed, noticeId, '2026-11-20', at('2026-11-20', undefined, settings))).toThrow(
      /officer/,
    );
    const posted = orderPublicNotice(failed, noticeId, '2026-11-20', asOfficer('2026-11-20')).case;
    expect(posted.preSaleNotice).toMatchObject({
      publicNotice: { postedOn: '2026-11-20', effectiveOn: '2026-12-04', orderedBy: officer.id },
      effectiveOn: '2026-12-04',
    });
    expect(posted.deadline).toBe('2027-01-03');
    expect(() => markDue(posted, on('2027-01-03'))).toThrow(/BEFORE_DEADLINE/);
    expect(markDue(posted, on('2027-01-04')).case.status).toBe('DUE');
    // A letter that does arrive before the posting takes effect counts from its own day.
    const reached = recordPreSaleDelivery(
      posted,
      { noticeId, outcome: 'DELIVERED', on: '2026-11-25' },
      on('2026-11-26'),
    ).case;
    expect(reached.deadline).toBe('2026-12-25');
  });

  it('a hold suspends the deadline only for the days it was running', () => {
    const t = sent();
    const noticeId = t.notices[0]!.noticeId;
    const held = placeHold(t.case, { holdId: 'h1', kind: 'APPEAL', reason: '이의신청' }, asOfficer('2026-11-14')).case;
    // Delivered during the appeal: the deadline (12-17) starts running on 11-17, the hold is lifted on 11-27.
    const delivered = recordPreSaleDelivery(
      held,
      { noticeId, outcome: 'DELIVERED', on: '2026-11-17' },
      on('2026-11-18'),
    ).case;
    expect(delivered).toMatchObject({ status: 'ON_HOLD', deadline: '2026-12-17' });
    expect(releaseHold(delivered, 'h1', asOfficer('2026-11-27')).case).toMatchObject({
      status: 'NOTICE_SENT',
      deadline: '2026-12-27',
    });
  });

  it('a new custody (after a shortfall, coins seized again) gets its own notice', () => {
    const c = inCustody();
    const t = sendPreSaleNotice(c, BID, on('2026-11-13'));
    const again = confirmCustody(
      { ...t.case, status: 'TRANSFER_REQUESTED', holdings: [{ ...t.case.holdings[0]!, seized: decimal('0.03') }] },
      { market: 'KRW-BTC', quantity: decimal('0.01') },
      on('2027-02-01'),
    ).case;
    expect(again).toMatchObject({ status: 'IN_CUSTODY', custodyOn: '2027-02-01' });
    expect(again.preSaleNotice).toBeUndefined();
    expect(sendPreSaleNotice(again, BID, on('2027-02-11')).notices[0]!.noticeId).not.toBe(t.notices[0]!.noticeId);
  });
});
