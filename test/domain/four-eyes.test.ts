/** Four eyes on irreversible acts (docs/LEGAL.md "Officers are accountable"). */
import fc from 'fast-check';
import {
  approveSale,
  confirmCustody,
  isSaleApproved,
  markDue,
  nextSaleId,
  placeHold,
  recordPreSaleDelivery,
  registerCase,
  releaseHold,
  requestTransfer,
  sendPreSaleNotice,
  startSale,
  type Case,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { approvalComplete, approvalsNeeded, fourEyesRefusal } from '#domain/four-eyes';
import { decimal, won } from '#domain/money';
import { at, cityBill } from './fixtures';

const thresholds = { approvalThresholdKrw: won('50000000'), dualApprovalThresholdKrw: won('500000000') };

describe('four eyes, the pure rule', () => {
  it('needs none, one or two approvals by value', () => {
    expect(approvalsNeeded(won('49999999'), thresholds)).toBe(0);
    expect(approvalsNeeded(won('50000000'), thresholds)).toBe(1);
    expect(approvalsNeeded(won('499999999'), thresholds)).toBe(1);
    expect(approvalsNeeded(won('500000000'), thresholds)).toBe(2);
  });

  it('refuses whoever is interested or already approved, and counts different officers only (property)', () => {
    const officer = fc.constantFrom('kim', 'lee', 'park', 'choi');
    fc.assert(
      fc.property(
        officer,
        fc.array(fc.option(officer, { nil: undefined }), { maxLength: 3 }),
        fc.array(officer, { maxLength: 3 }),
        (approver, interested, approvedBy) => {
          const refusal = fourEyesRefusal({ approver, interested, approvedBy });
          const mayApprove = !interested.includes(approver) && !approvedBy.includes(approver);
          expect(refusal === null).toBe(mayApprove);
          expect(approvalComplete(approvedBy, 2)).toBe(new Set(approvedBy).size >= 2);
        },
      ),
    );
  });
});

describe('four eyes on a sale', () => {
  const settings = { ...DEFAULT_CITY_SETTINGS, preSaleNoticeDays: 30 };
  const as = (who: string, date = '2027-01-01') => at(date, { kind: 'OFFICER', id: who }, settings);
  const system = (date: string) => at(date, { kind: 'SYSTEM', id: 'deadline-check' }, settings);

  /** A selling case whose holds 'kim' last changed. */
  function selling(): Case {
    let c = registerCase(
      {
        cityId: 'cheongju',
        caseId: 'C1',
        cityCaseRef: 'CC-1',
        taxpayer: { ref: 'T', name: '홍길동', contact: {} },
        bills: [cityBill({ tax: '1000000', surcharge: '30000', surchargeAsOf: '2026-11-01' })],
      },
      system('2026-11-01'),
    ).case;
    c = requestTransfer(c, [{ market: 'KRW-BTC', quantity: decimal('1') }], system('2026-11-02')).case;
    c = confirmCustody(c, { market: 'KRW-BTC', quantity: decimal('1') }, system('2026-11-03')).case;
    const sent = sendPreSaleNotice(c, [{ market: 'KRW-BTC', bid: decimal('90000000') }], system('2026-11-04'));
    c = recordPreSaleDelivery(
      sent.case,
      { noticeId: sent.notices[0]!.noticeId, outcome: 'DELIVERED', on: '2026-11-05' },
      system('2026-11-05'),
    ).case;
    c = placeHold(c, { holdId: 'H1', kind: 'APPEAL', reason: '이의신청' }, as('kim', '2026-11-10')).case;
    c = releaseHold(c, 'H1', as('kim', '2026-11-12')).case;
    c = markDue(c, system('2027-01-01')).case;
    return startSale(c, nextSaleId(c), system('2027-01-01')).case;
  }

  it('refuses the officer who last changed the holds, takes another', () => {
    const c = selling();
    expect(() => approveSale(c, c.saleId!, as('kim'))).toThrow(expect.objectContaining({ code: 'FOUR_EYES' }) as Error);
    const approved = approveSale(c, c.saleId!, as('lee'));
    expect(isSaleApproved(approved.case, c.saleId!, 1)).toBe(true);
    expect(approved.audit).toMatchObject({ action: 'APPROVE_SALE', actor: { kind: 'OFFICER', id: 'lee' } });
  });

  it('above the second threshold, needs two different officers', () => {
    const c = selling();
    const once = approveSale(c, c.saleId!, as('lee')).case;
    expect(isSaleApproved(once, c.saleId!, 2)).toBe(false);
    expect(() => approveSale(once, c.saleId!, as('lee'))).toThrow(
      expect.objectContaining({ code: 'ALREADY_APPROVED' }) as Error,
    );
    const twice = approveSale(once, c.saleId!, as('park')).case;
    expect(isSaleApproved(twice, c.saleId!, 2)).toBe(true);
    expect(twice.saleApproval?.approvals.map((a) => a.by)).toEqual(['lee', 'park']);
    expect(() => approveSale(twice, c.saleId!, as('choi'))).toThrow(
      expect.objectContaining({ code: 'ALREADY_APPROVED' }) as Error,
    );
  });
});
