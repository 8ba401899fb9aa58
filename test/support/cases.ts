/** Fixtures for tests that need cases: bills, contexts and a case walked to a given state. */
import type { AssessedBill } from '#domain/bills';
import {
  confirmCustody,
  recordPreSaleDelivery,
  registerCase,
  requestTransfer,
  sendPreSaleNotice,
  type Actor,
  type Case,
  type Transition,
  type TransitionContext,
} from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { Decimal, decimal, won, ZERO } from '#domain/money';
import type { SaleRecord } from '#adapters/dynamodb/sale-store';

export const CITY = 'cheongju';
export const cityActor: Actor = { kind: 'CITY_SYSTEM', id: 'arn:aws:iam::111122223333:role/city-tax-system' };
export const settings = { ...DEFAULT_CITY_SETTINGS, cityId: CITY };

export const ctxAt = (at: string, actor: Actor = cityActor): TransitionContext => ({
  now: new Date(at),
  actor,
  settings,
});

export function bill(billId: string, tax = '1000000', overrides: Partial<AssessedBill> = {}): AssessedBill {
  return {
    billId,
    taxItem: '지방소득세',
    provincial: false,
    dueDate: '2025-03-31',
    cost: ZERO,
    tax: won(tax),
    surcharge: won('30000'),
    surchargeAsOf: '2025-06-30',
    ...overrides,
  };
}

export const taxpayer = { ref: 'TP-0001', name: '홍길동', contact: { phone: '010-0000-0000' } };

export function registered(caseId: string, at = '2025-07-01T01:00:00Z', cityId = CITY): Transition {
  return registerCase(
    {
      cityId,
      caseId,
      cityCaseRef: `CC-${caseId}`,
      taxpayer,
      bills: [bill('B1'), bill('B2', '500000', { dueDate: '2025-01-31' })],
    },
    ctxAt(at),
  );
}

/**
 * The transitions that take a registered case to NOTICE_SENT with its deadline: seizure, custody,
 * the pre-sale notice, and its delivery the same day (the deadline runs from it).
 */
export function toNoticeSent(c: Case, at: string): Transition[] {
  const t1 = requestTransfer(c, [{ market: 'KRW-BTC', quantity: decimal('0.05') }], ctxAt(at));
  const t2 = confirmCustody(t1.case, { market: 'KRW-BTC', quantity: decimal('0.05') }, ctxAt(at));
  const t3 = sendPreSaleNotice(t2.case, [{ market: 'KRW-BTC', bid: decimal('140000000') }], ctxAt(at));
  const t4 = recordPreSaleDelivery(
    t3.case,
    { noticeId: t3.notices[0]!.noticeId, outcome: 'DELIVERED', on: t3.case.preSaleNotice!.issuedOn },
    ctxAt(at),
  );
  return [t1, t2, t3, t4];
}

/** A sale record as the sale workflow opens it (RUNNING, nothing sold yet), with `overrides`. */
export const openedSale = (cityId: string, caseId: string, overrides: Partial<SaleRecord> = {}): SaleRecord => ({
  cityId,
  caseId,
  saleId: `${caseId}-sale-1`,
  rev: 0,
  status: 'RUNNING',
  requestedBy: 'DEADLINE',
  startedAt: '2025-09-01T00:00:00.000Z',
  needAtStartKrw: new Decimal('1241000'),
  limitPrices: {},
  lastQuotes: {},
  priceHistory: {},
  consecutivePauses: 0,
  pauses: [],
  pauseCount: 0,
  sliceCount: 0,
  dust: {},
  ...overrides,
});
