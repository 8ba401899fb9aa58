import fc from 'fast-check';
import type { NoticeKind as CaseNoticeKind, Release } from '#domain/case';
import {
  DEFAULT_CITATIONS,
  NOTICE_KINDS,
  NoticeDataError,
  SMS_MAX_CHARS,
  formatKoreanDate,
  formatKoreanDateTime,
  formatKrw,
  formatWon,
  renderNotice,
  renderSmsSummary,
  type AllocationLine,
  type ArrearsBreakdown,
  type HoldingsValuation,
  type NoticeCommon,
  type NoticeContent,
  type NoticeKind,
  type PreSaleData,
  type ReleaseReason,
  type SaleResultData,
} from '#domain/notices';

// ---------------------------------------------------------------- fixtures (figures worked out by hand)

const common: NoticeCommon = {
  city: {
    cityName: '청주시',
    department: '징수과',
    phone: '043-201-2345',
    paymentGuide: '위택스(www.wetax.go.kr) 또는 은행 창구에서 납부하실 수 있습니다.',
  },
  taxpayerName: '홍길동',
  caseRef: 'CJ-2026-0042',
  issuedOn: '2026-10-01',
};

// 12,000 + 1,500,000,000 + 45,000,000 = 1,545,012,000
const arrears: ArrearsBreakdown = {
  asOf: '2026-10-01',
  dispositionCost: '12000',
  tax: '1500000000',
  surcharge: '45000000',
  total: '1545012000',
};

// 12.34567891 BTC × 95,123,000 = 1,174,367,034.55... → 1,174,367,034 (caller floors)
// 1000.5 XRP × 812.5 = 812,906.25 → 812,906; total 1,175,179,940
const valuation: HoldingsValuation = {
  valuedAt: '2026-10-01T05:30:00Z',
  holdings: [
    { coin: 'BTC', coinName: '비트코인', quantity: '12.34567891', bidPrice: '95123000', value: '1174367034' },
    { coin: 'XRP', quantity: '1000.5', bidPrice: '812.5', value: '812906' },
  ],
  totalValue: '1175179940',
};

const preSale: PreSaleData = {
  ...common,
  exchangeName: '업비트',
  arrears,
  owedAtDeadline: '1555000000',
  deadline: '2026-12-01',
  valuation,
  saleRequestGuide: '전화 또는 시 누리집 "체납 가상자산 매각 요청" 메뉴',
};

const zeroBalance: ArrearsBreakdown = {
  asOf: '2026-12-03',
  dispositionCost: '0',
  tax: '0',
  surcharge: '0',
  total: '0',
};

// Sold 0.1 BTC at 95,000,000 → 9,500,000 gross, fee 4,750.5; net = floor(9,495,249.5) = 9,495,249.
// Applied: 12,000 + 9,000,000 + 270,000 = 9,282,000; refund 9,495,249 − 9,282,000 = 213,249.
const saleResult: SaleResultData = {
  ...common,
  issuedOn: '2026-12-04',
  exchangeName: '업비트',
  saleFrom: '2026-12-02',
  saleTo: '2026-12-03',
  sold: [
    { coin: 'BTC', coinName: '비트코인', quantity: '0.1', averagePrice: '95000000', gross: '9500000', fee: '4750.5' },
  ],
  grossProceeds: '9500000',
  fees: '4750.5',
  netProceeds: '9495249',
  allocations: [
    { billRef: 'B-2025-001', taxItem: '2025년 재산세', provincial: false, component: 'COST', amount: '12000' },
    { billRef: 'B-2025-001', taxItem: '2025년 재산세', provincial: false, component: 'TAX', amount: '9000000' },
    { billRef: 'B-2025-001', taxItem: '2025년 재산세', provincial: false, component: 'SURCHARGE', amount: '270000' },
  ],
  refund: { amount: '213249', howPaid: '신고하신 환급계좌로 2026년 12월 20일까지 지급합니다.' },
  released: [{ coin: 'BTC', quantity: '0.02000000', reason: 'SURPLUS' }],
  returnedTo: '업비트 본인 계정',
  balance: zeroBalance,
};

// Sold 0.05 BTC at 90,000,000 = 4,500,000 gross, fee 2,250; net 4,497,750, all applied:
// 5,000 cost + 4,492,750 tax. Still owed: 507,250 tax + 150,000 surcharge = 657,250.
const shortfall: SaleResultData = {
  ...common,
  issuedOn: '2026-12-04',
  exchangeName: '업비트',
  saleFrom: '2026-12-02',
  saleTo: '2026-12-02',
  sold: [{ coin: 'BTC', quantity: '0.05', averagePrice: '90000000', gross: '4500000', fee: '2250' }],
  grossProceeds: '4500000',
  fees: '2250',
  netProceeds: '4497750',
  allocations: [
    { billRef: 'D-2025-007', taxItem: '2025년 지방소득세', provincial: true, component: 'COST', amount: '5000' },
    { billRef: 'D-2025-007', taxItem: '2025년 지방소득세', provincial: true, component: 'TAX', amount: '4492750' },
  ],
  released: [],
  balance: { asOf: '2026-12-02', dispositionCost: '0', tax: '507250', surcharge: '150000', total: '657250' },
};

const notices: { [K in NoticeKind]: Extract<NoticeContent, { kind: K }> } = {
  DEMAND: {
    kind: 'DEMAND',
    data: {
      ...common,
      issuedOn: '2026-08-20',
      bills: [
        { billRef: 'B-2025-001', taxItem: '2025년 재산세', originalDueDate: '2026-07-31', amount: '1500012000' },
        { billRef: 'B-2025-002', taxItem: '2025년 자동차세', originalDueDate: '2026-06-30', amount: '45000000' },
      ],
      arrears: { ...arrears, asOf: '2026-08-20' },
      deadline: '2026-09-09',
      virtualAccount: '농협 790-1234-5678-90',
    },
  },
  SEIZURE: {
    kind: 'SEIZURE',
    data: {
      ...common,
      recipient: 'TAXPAYER',
      exchangeName: '업비트',
      seizedOn: '2026-09-15',
      holdings: [{ coin: 'BTC', coinName: '비트코인', quantity: '12.34567891' }],
      cityAccount: '업비트 청주시 체납징수 계정',
      transferDeadline: '2026-09-25',
      arrears,
    },
  },
  PRE_SALE: { kind: 'PRE_SALE', data: preSale },
  REMINDER: {
    kind: 'REMINDER',
    data: {
      ...common,
      issuedOn: '2026-11-24',
      exchangeName: '업비트',
      deadline: '2026-12-01',
      daysBefore: 7,
      arrears,
      valuation,
      saleRequestGuide: '전화 043-201-2345',
    },
  },
  SALE_RESULT: { kind: 'SALE_RESULT', data: saleResult },
  SHORTFALL: { kind: 'SHORTFALL', data: shortfall },
  RELEASE: {
    kind: 'RELEASE',
    data: {
      ...common,
      issuedOn: '2026-12-04',
      exchangeName: '업비트',
      releasedOn: '2026-12-03',
      released: [
        { coin: 'BTC', quantity: '0.02000000', reason: 'SURPLUS' },
        { coin: 'XRP', quantity: '3.1', reason: 'DUST' },
      ],
      returnedTo: '업비트 본인 계정',
    },
  },
  REFUND: {
    kind: 'REFUND',
    data: {
      ...common,
      issuedOn: '2026-12-05',
      amount: '120000',
      howPaid: '신고하신 환급계좌로 지급합니다.',
      balance: { asOf: '2026-12-05', dispositionCost: '0', tax: '0', surcharge: '0', total: '0' },
    },
  },
};

const FORBIDDEN = /undefined|NaN|null|\[object Object\]|Infinity/;

// ---------------------------------------------------------------- formatting

describe('formatting', () => {
  it('prints won with thousands separators and 원', () => {
    expect(formatWon('0')).toBe('0원');
    expect(formatWon('999')).toBe('999원');
    expect(formatWon('1000')).toBe('1,000원');
    expect(formatWon('1234567')).toBe('1,234,567원');
    expect(formatWon('1500000000')).toBe('1,500,000,000원');
  });

  it('prints amounts beyond 2^53 exactly', () => {
    // 2^53 + 1 = 9,007,199,254,740,993 has no float: Number() would print ...992.
    expect(formatWon('9007199254740993')).toBe('9,007,199,254,740,993원');
    expect(formatWon('123456789012345678901234567890')).toBe('123,456,789,012,345,678,901,234,567,890원');
  });

  it('refuses a fraction or junk where whole won are required', () => {
    for (const bad of ['1.5', '1e9', '1,000', 'abc', '']) expect(() => formatWon(bad)).toThrow();
  });

  it('prints prices and fractional won with the fraction exactly as given', () => {
    expect(formatKrw('95123000')).toBe('95,123,000원');
    expect(formatKrw('812.5')).toBe('812.5원');
    expect(formatKrw('4750.50000000')).toBe('4,750.50000000원');
    expect(formatKrw('0.00012345')).toBe('0.00012345원');
  });

  it('prints dates in Korean', () => {
    expect(formatKoreanDate('2026-12-01')).toBe('2026년 12월 1일');
    expect(formatKoreanDate('2027-01-31')).toBe('2027년 1월 31일');
    expect(() => formatKoreanDate('2026-02-30')).toThrow();
    expect(() => formatKoreanDate('2026/12/01')).toThrow();
  });

  it('prints an instant in Korean time, crossing midnight correctly', () => {
    expect(formatKoreanDateTime('2026-10-01T05:30:00Z')).toBe('2026년 10월 1일 14시 30분');
    expect(formatKoreanDateTime('2026-10-01T15:05:00Z')).toBe('2026년 10월 2일 0시 05분');
    expect(() => formatKoreanDateTime('yesterday')).toThrow(NoticeDataError);
  });
});

// ---------------------------------------------------------------- each kind

describe('renderNotice', () => {
  it.each(NOTICE_KINDS)('%s: title, legal basis cited in the body, the city contact, nothing undefined', (kind) => {
    const r = renderNotice(notices[kind]);
    expect(r.kind).toBe(kind);
    expect(r.body.startsWith(`[청주시] ${r.title}`)).toBe(true);
    expect(r.legalBasis.length).toBeGreaterThan(0);
    for (const basis of r.legalBasis) expect(r.body).toContain(basis);
    expect(r.body).toContain('청주시 징수과 (전화 043-201-2345)');
    expect(r.body).toContain('사건번호: CJ-2026-0042');
    expect(r.body).toContain('받는 분: 홍길동 님');
    expect(r.body).not.toMatch(FORBIDDEN);
  });

  it('DEMAND: 독촉장 under 징수법 §32, with the delivery rule of 기본법 §31, bills, total and deadline', () => {
    const r = renderNotice(notices.DEMAND);
    expect(r.title).toBe('독촉장');
    expect(r.legalBasis).toEqual(['지방세징수법 제32조', '지방세기본법 제31조', '지방세징수법 제33조']);
    expect(r.body).toContain('- 2025년 재산세 (고지번호 B-2025-001, 당초 납부기한 2026년 7월 31일): 1,500,012,000원');
    expect(r.body).toContain('- 2025년 자동차세 (고지번호 B-2025-002, 당초 납부기한 2026년 6월 30일): 45,000,000원');
    expect(r.body).toContain('- 합계: 1,545,012,000원');
    expect(r.body).toContain('■ 납부기한: 2026년 9월 9일');
    expect(r.body).toContain('도달한 날부터 14일이 지난 날이 납부기한이 됩니다(지방세기본법 제31조)');
    expect(r.body).toContain('납부 전용 가상계좌: 농협 790-1234-5678-90');
    expect(r.body).toContain('90일 이내에 이의신청(지방세기본법 제90조)');
  });

  it('SEIZURE to the taxpayer: what was seized, where it goes, by when, and that a pre-sale notice comes first', () => {
    const r = renderNotice(notices.SEIZURE);
    expect(r.title).toBe('가상자산 압류 통지 및 이전 요구');
    expect(r.legalBasis[0]).toBe('지방세징수법 제61조제3항');
    expect(r.body).toContain('- 비트코인(BTC): 12.34567891 BTC');
    expect(r.body).toContain('- 이전받을 계정: 업비트 청주시 체납징수 계정');
    expect(r.body).toContain('- 이전 기한: 2026년 9월 25일');
    expect(r.body).toContain('2026년 9월 15일에 압류하였습니다');
    expect(r.body).toContain('매각 예정 통지를 따로 보내 드리며');
  });

  it('SEIZURE to the exchange: addressed to the exchange, with the duty to comply', () => {
    const r = renderNotice({ kind: 'SEIZURE', data: { ...notices.SEIZURE.data, recipient: 'EXCHANGE' } });
    expect(r.body).toContain('받는 분: 업비트 대표자 귀하');
    expect(r.body).toContain('■ 체납자: 홍길동 (사건번호 CJ-2026-0042)');
    expect(r.body).toContain('이 요구를 받은 자는 이에 따라야 합니다');
    expect(r.body).toContain('■ 체납액: 1,545,012,000원 (2026년 10월 1일 현재)');
  });

  it('PRE_SALE: deadline, amount owed as of a date, value per coin and in total at the bid, how to sell now, holds and appeal', () => {
    const r = renderNotice(notices.PRE_SALE);
    expect(r.title).toBe('압류 가상자산 매각 예정 통지');
    expect(r.legalBasis).toEqual(['지방세징수법 제71조제3항', '지방세징수법 시행령 제70조']);
    expect(r.body).toContain('■ 납부기한: 2026년 12월 1일');
    expect(r.body).toContain('■ 체납액 (2026년 10월 1일 현재)');
    expect(r.body).toContain('- 체납처분비: 12,000원');
    expect(r.body).toContain('- 지방세(가산세 제외): 1,500,000,000원');
    expect(r.body).toContain('- 가산세: 45,000,000원');
    expect(r.body).toContain('- 합계: 1,545,012,000원');
    expect(r.body).toContain('- 납부기한에 납부하실 경우 예상 금액: 1,555,000,000원');
    expect(r.body).toContain('(2026년 10월 1일 14시 30분 업비트 매수호가 기준)');
    expect(r.body).toContain('- 비트코인(BTC): 12.34567891 BTC × 1 BTC당 95,123,000원 = 1,174,367,034원');
    expect(r.body).toContain('- XRP: 1000.5 XRP × 1 XRP당 812.5원 = 812,906원');
    expect(r.body).toContain('- 합계: 1,175,179,940원');
    expect(r.body).toContain('2. 지금 매각 요청');
    expect(r.body).toContain('요청 방법: 전화 또는 시 누리집 "체납 가상자산 매각 요청" 메뉴');
    expect(r.body).toContain('매각하지 않습니다(지방세징수법 제71조제5항)');
    expect(r.body).toContain('징수유예(지방세징수법 제25조)');
    expect(r.body).toContain('체납처분 유예(지방세징수법 제105조)');
    expect(r.body).toContain('환급해 드립니다(지방세징수법 제99조제3항)');
  });

  it('PRE_SALE without a projection leaves that line out', () => {
    const { owedAtDeadline: _dropped, ...rest } = preSale;
    const r = renderNotice({ kind: 'PRE_SALE', data: rest });
    expect(r.body).not.toContain('예상 금액');
    expect(r.body).not.toMatch(FORBIDDEN);
  });

  it('REMINDER: days left, the deadline, the amount; "today" on the day itself', () => {
    const r = renderNotice(notices.REMINDER);
    expect(r.body).toContain('납부기한(2026년 12월 1일)이 7일 남았습니다');
    expect(r.body).toContain('- 합계: 1,545,012,000원');
    expect(r.body).toContain('- 합계: 1,175,179,940원');
    const today = renderNotice({
      kind: 'REMINDER',
      data: { ...notices.REMINDER.data, daysBefore: 0, valuation: undefined },
    });
    expect(today.body).toContain('납부기한이 오늘(2026년 12월 1일)입니다');
    expect(today.body).not.toContain('현재 가치');
  });

  it('SALE_RESULT: sold lines, proceeds, allocation lines in the legal order, refund and how it is paid, releases', () => {
    const r = renderNotice(notices.SALE_RESULT);
    expect(r.title).toBe('가상자산 매각 결과 및 배분 통지');
    expect(r.legalBasis).toEqual([
      '지방세징수법 제71조제3항',
      '지방세징수법 제4조',
      '지방세징수법 제99조제3항',
      '지방세징수법 제63조',
    ]);
    expect(r.body).toContain('2026년 12월 2일부터 2026년 12월 3일까지');
    expect(r.body).toContain(
      '- 비트코인(BTC): 0.1 BTC 매각, 평균 체결가격 1 BTC당 95,000,000원, 매각금액 9,500,000원, 거래 수수료 4,750.5원',
    );
    expect(r.body).toContain('- 총 매각금액: 9,500,000원');
    expect(r.body).toContain('- 거래 수수료: 4,750.5원');
    expect(r.body).toContain('(수수료 공제 후, 원 미만 버림): 9,495,249원');
    const lines = [
      '1. 2025년 재산세 고지번호 B-2025-001 / 체납처분비: 12,000원',
      '2. 2025년 재산세 고지번호 B-2025-001 / 지방세(가산세 제외): 9,000,000원',
      '3. 2025년 재산세 고지번호 B-2025-001 / 가산세: 270,000원',
      '- 충당 합계: 9,282,000원',
    ];
    expect(r.body).toContain(lines.join('\n'));
    expect(r.body).toContain(
      '남은 213,249원을 돌려드립니다(지방세징수법 제99조제3항). 신고하신 환급계좌로 2026년 12월 20일까지 지급합니다.',
    );
    expect(r.body).toContain('- BTC: 0.02000000 BTC (체납액을 모두 충당하고 남은 가상자산입니다)');
    expect(r.body).toContain('돌려드린 곳: 업비트 본인 계정 (지방세징수법 제63조)');
    expect(r.body).toContain('■ 남은 체납액\n없습니다.');
  });

  it('SALE_RESULT through the sale desk: explains the pooled execution (its pooled orders, the split to the lot, its own prices)', () => {
    const pooled = renderNotice({ kind: 'SALE_RESULT', data: { ...saleResult, pooledOrders: 7 } });
    expect(pooled.body).toContain(
      '다른 체납자의 압류 가상자산과 함께 한 주문으로 나누어 매각하였습니다(공동 매각 주문 7건)',
    );
    expect(pooled.body).toContain('남은 매각 수량에 비례하여 최소 거래 단위까지 나누었고');
    expect(renderNotice(notices.SALE_RESULT).body).not.toContain('공동 매각 주문');
  });

  it('SHORTFALL: says what is still owed, by component, and how to pay; no refund, nothing released', () => {
    const r = renderNotice(notices.SHORTFALL);
    expect(r.title).toBe('가상자산 매각 결과 및 남은 체납액 안내');
    expect(r.legalBasis).toEqual(['지방세징수법 제71조제3항', '지방세징수법 제4조']);
    expect(r.body).toContain('2026년 12월 2일 가상자산사업자(업비트)');
    expect(r.body).toContain('1. 2025년 지방소득세(도세) 고지번호 D-2025-007 / 체납처분비: 5,000원');
    expect(r.body).toContain('■ 환급금\n환급할 금액이 없습니다.');
    expect(r.body).toContain('■ 남은 체납액 (2026년 12월 2일 현재)');
    expect(r.body).toContain('- 지방세(가산세 제외): 507,250원');
    expect(r.body).toContain('- 합계: 657,250원');
    expect(r.body).toContain('남은 체납액을 납부하여 주시기 바랍니다');
    expect(() => renderNotice({ kind: 'SHORTFALL', data: { ...shortfall, balance: zeroBalance } })).toThrow(
      NoticeDataError,
    );
  });

  it('RELEASE: what went back, where, and why', () => {
    const r = renderNotice(notices.RELEASE);
    expect(r.title).toBe('가상자산 압류 해제 통지');
    expect(r.legalBasis[0]).toBe('지방세징수법 제63조');
    expect(r.body).toContain('2026년 12월 3일에 해제하고 귀하의 계정(업비트 본인 계정)으로 돌려드렸습니다');
    expect(r.body).toContain('- XRP: 3.1 XRP (거래소의 최소 주문금액에 못 미쳐 매각할 수 없는 소량입니다)');
    const reasons: ReleaseReason[] = ['PAID', 'CANCELLED'];
    for (const reason of reasons) {
      const body = renderNotice({
        kind: 'RELEASE',
        data: { ...notices.RELEASE.data, released: [{ coin: 'ETH', quantity: '1', reason }] },
      }).body;
      expect(body).toMatch(reason === 'PAID' ? /체납액을 모두 납부하셨습니다/ : /부과가 취소되어/);
    }
  });

  it('takes corrected citations from the caller', () => {
    const r = renderNotice(notices.SEIZURE, {
      citations: { virtualAssetTransferDecree: '지방세징수법 시행령 제99조의9' },
    });
    expect(r.legalBasis).toEqual([DEFAULT_CITATIONS.virtualAssetTransfer, '지방세징수법 시행령 제99조의9']);
    expect(r.body).toContain('- 지방세징수법 시행령 제99조의9');
  });
});

// ---------------------------------------------------------------- refusing wrong data

describe('renderNotice refuses data that would print a wrong notice', () => {
  const wrong: [string, NoticeContent][] = [
    [
      'arrears parts that do not add up',
      { kind: 'PRE_SALE', data: { ...preSale, arrears: { ...arrears, total: '1545012001' } } },
    ],
    [
      'holding values that do not add up',
      { kind: 'PRE_SALE', data: { ...preSale, valuation: { ...valuation, totalValue: '1175179941' } } },
    ],
    [
      'a negative amount',
      { kind: 'PRE_SALE', data: { ...preSale, arrears: { ...arrears, dispositionCost: '-12000', tax: '1500024000' } } },
    ],
    ['a fractional won', { kind: 'PRE_SALE', data: { ...preSale, owedAtDeadline: '1555000000.5' } }],
    [
      'a bad quantity',
      {
        kind: 'PRE_SALE',
        data: {
          ...preSale,
          valuation: {
            ...valuation,
            holdings: [{ ...valuation.holdings[0]!, quantity: '1e3' }, valuation.holdings[1]!],
          },
        },
      },
    ],
    [
      'a zero quantity',
      {
        kind: 'PRE_SALE',
        data: {
          ...preSale,
          valuation: {
            ...valuation,
            holdings: [{ ...valuation.holdings[0]!, quantity: '0.00000000' }, valuation.holdings[1]!],
          },
        },
      },
    ],
    [
      'a zero price',
      {
        kind: 'PRE_SALE',
        data: {
          ...preSale,
          valuation: { ...valuation, holdings: [{ ...valuation.holdings[0]!, bidPrice: '0' }, valuation.holdings[1]!] },
        },
      },
    ],
    [
      'no holdings',
      { kind: 'PRE_SALE', data: { ...preSale, valuation: { ...valuation, holdings: [], totalValue: '0' } } },
    ],
    ['a bad deadline', { kind: 'PRE_SALE', data: { ...preSale, deadline: '2026-13-01' } }],
    ['an empty taxpayer name', { kind: 'PRE_SALE', data: { ...preSale, taxpayerName: '  ' } }],
    ['a missing contact phone', { kind: 'PRE_SALE', data: { ...preSale, city: { ...preSale.city, phone: '' } } }],
    [
      'net proceeds that are not gross − fees',
      {
        kind: 'SALE_RESULT',
        data: { ...saleResult, netProceeds: '9495250', refund: { ...saleResult.refund!, amount: '213250' } },
      },
    ],
    [
      'allocations + refund ≠ net proceeds',
      { kind: 'SALE_RESULT', data: { ...saleResult, refund: { ...saleResult.refund!, amount: '213248' } } },
    ],
    [
      'a refund without saying how it is paid',
      { kind: 'SALE_RESULT', data: { ...saleResult, refund: { amount: '213249', howPaid: '' } } },
    ],
    [
      'released coins without saying where they went',
      { kind: 'SALE_RESULT', data: { ...saleResult, returnedTo: undefined } },
    ],
    [
      'an unknown allocation component',
      {
        kind: 'SALE_RESULT',
        data: {
          ...saleResult,
          allocations: saleResult.allocations.map((a, i) =>
            i === 0 ? { ...a, component: 'FEE' as AllocationLine['component'] } : a,
          ),
        },
      },
    ],
    ['a demand whose bills do not add up', { kind: 'DEMAND', data: { ...notices.DEMAND.data, bills: [] } }],
    ['a negative reminder day count', { kind: 'REMINDER', data: { ...notices.REMINDER.data, daysBefore: -1 } }],
  ];
  it.each(wrong)('%s', (_label, notice) => {
    expect(() => renderNotice(notice)).toThrow(NoticeDataError);
    expect(() => renderSmsSummary(notice)).toThrow(NoticeDataError);
  });

  it('an unknown kind', () => {
    expect(() => renderNotice({ kind: 'BOGUS', data: preSale } as unknown as NoticeContent)).toThrow(NoticeDataError);
  });
});

// ---------------------------------------------------------------- SMS

describe('renderSmsSummary', () => {
  it.each(NOTICE_KINDS)('%s: short, with the phone number', (kind) => {
    const sms = renderSmsSummary(notices[kind]);
    expect([...sms].length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(sms.startsWith('[청주시] ')).toBe(true);
    expect(sms.endsWith('문의 043-201-2345')).toBe(true);
    expect(sms).not.toMatch(FORBIDDEN);
  });

  it('carries the amount and the deadline', () => {
    expect(renderSmsSummary(notices.PRE_SALE)).toBe(
      '[청주시] 홍길동님, 체납액 1,545,012,000원을 2026년 12월 1일까지 납부하지 않으시면 압류 가상자산(현재 1,175,179,940원)을 매각합니다. 지금 매각을 요청하실 수도 있습니다. 문의 043-201-2345',
    );
    expect(renderSmsSummary(notices.DEMAND)).toContain('1,545,012,000원을 2026년 9월 9일까지');
    expect(renderSmsSummary(notices.REMINDER)).toContain('(2026년 12월 1일)이 7일 남았습니다. 체납액 1,545,012,000원.');
    expect(renderSmsSummary(notices.SHORTFALL)).toContain('남은 체납액 657,250원');
    expect(renderSmsSummary(notices.SALE_RESULT)).toContain('환급 213,249원');
  });

  it('cuts an over-long name but keeps the figures', () => {
    const sms = renderSmsSummary({ kind: 'PRE_SALE', data: { ...preSale, taxpayerName: '가'.repeat(150) } });
    expect([...sms].length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(sms).toContain('1,545,012,000원');
    expect(sms).toContain('2026년 12월 1일');
  });
});

// ---------------------------------------------------------------- the two lists agree with the case lifecycle

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const _kindsAgree: Equal<NoticeKind, CaseNoticeKind> = true;
const _reasonsAgree: Equal<ReleaseReason, Release['reason']> = true;

// ---------------------------------------------------------------- property: any valid data renders cleanly

const HANGUL = [...'가나다라마바사아자차카타파하김이박최정윤장임한오서신권황안송류홍'];
const name = fc.string({ unit: fc.constantFrom(...HANGUL), minLength: 1, maxLength: 60 });
const label = fc
  .string({ unit: fc.constantFrom(...HANGUL, ...'0123456789-() '), minLength: 1, maxLength: 30 })
  .filter((s) => s.trim() !== '');
const wonBig = fc.bigInt({ min: 0n, max: 10n ** 24n });
const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const UNIT = 10n ** 8n;
/** A decimal string from units of 10^-8, written without exponent, sometimes with trailing zeros kept. */
const units8 = (u: bigint, keepZeros = false): string => {
  const frac = (u % UNIT).toString().padStart(8, '0');
  const trimmed = keepZeros ? frac : frac.replace(/0+$/, '');
  return trimmed === '' ? (u / UNIT).toString() : `${u / UNIT}.${trimmed}`;
};
/** A positive quantity or price. */
const decimalStr = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.boolean()).map(([u, z]) => units8(u, z));
const coin = fc.constantFrom('BTC', 'ETH', 'XRP', 'SOL', 'DOGE');
const coinName = fc.option(fc.constantFrom('비트코인', '이더리움', '리플'), { nil: undefined });

const commonArb: fc.Arbitrary<NoticeCommon> = fc.record({
  city: fc.record({
    cityName: name,
    department: name,
    phone: fc.constantFrom('043-201-2345', '02-120', '1588-0000'),
    paymentGuide: label,
  }),
  taxpayerName: name,
  caseRef: label,
  issuedOn: day,
});
const arrearsArb = (positive = false): fc.Arbitrary<ArrearsBreakdown> =>
  fc.tuple(day, wonBig, positive ? fc.bigInt({ min: 1n, max: 10n ** 24n }) : wonBig, wonBig).map(([asOf, c, t, s]) => ({
    asOf,
    dispositionCost: c.toString(),
    tax: t.toString(),
    surcharge: s.toString(),
    total: (c + t + s).toString(),
  }));
const valuationArb: fc.Arbitrary<HoldingsValuation> = fc
  .tuple(
    instant,
    fc.array(fc.record({ coin, coinName, quantity: decimalStr, bidPrice: decimalStr, value: wonBig }), {
      minLength: 1,
      maxLength: 5,
    }),
  )
  .map(([valuedAt, hs]) => ({
    valuedAt,
    holdings: hs.map((h) => ({ ...h, value: h.value.toString() })),
    totalValue: hs.reduce((t, h) => t + h.value, 0n).toString(),
  }));
const releasedArb = fc.array(
  fc.record({
    coin,
    coinName,
    quantity: decimalStr,
    reason: fc.constantFrom<ReleaseReason>('PAID', 'CANCELLED', 'SURPLUS', 'DUST'),
  }),
  { maxLength: 3 },
);

/** Sale data built from the allocation outwards: net = allocations + refund; gross = net + fees + a rounding under one won. */
const saleArb = (short: boolean): fc.Arbitrary<SaleResultData> =>
  fc
    .record({
      common: commonArb,
      exchangeName: name,
      from: day,
      days: fc.integer({ min: 0, max: 30 }),
      allocations: fc.array(
        fc.record({
          billRef: label,
          taxItem: label,
          provincial: fc.boolean(),
          component: fc.constantFrom<AllocationLine['component']>('COST', 'TAX', 'SURCHARGE'),
          amount: wonBig,
        }),
        { maxLength: 6 },
      ),
      refund: fc.option(fc.tuple(wonBig, label), { nil: undefined }),
      lines: fc.array(
        fc.record({
          coin,
          coinName,
          quantity: decimalStr,
          averagePrice: decimalStr,
          fee: fc.bigInt({ min: 0n, max: 10n ** 16n }),
          share: fc.bigInt({ min: 0n, max: 1000n }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      rounding: fc.bigInt({ min: 0n, max: UNIT - 1n }),
      released: releasedArb,
      balance: arrearsArb(short),
    })
    .map((g) => {
      const allocated = g.allocations.reduce((t, a) => t + a.amount, 0n);
      const refund = g.refund?.[0] ?? 0n;
      const net = allocated + refund;
      // Spread net + rounding over the lines by their shares; the last line takes the remainder.
      const toSpread = net * UNIT + g.rounding;
      const shares = g.lines.reduce((t, l) => t + l.share, 0n) || 1n;
      let left = toSpread;
      const sold = g.lines.map((l, i) => {
        const part = i === g.lines.length - 1 ? left : (toSpread * l.share) / shares;
        left -= part;
        return {
          coin: l.coin,
          coinName: l.coinName,
          quantity: l.quantity,
          averagePrice: l.averagePrice,
          gross: units8(part + l.fee),
          fee: units8(l.fee),
        };
      });
      const fees = g.lines.reduce((t, l) => t + l.fee, 0n);
      const to = new Date(Date.parse(`${g.from}T00:00:00Z`) + g.days * 86_400_000).toISOString().slice(0, 10);
      return {
        ...g.common,
        exchangeName: g.exchangeName,
        saleFrom: g.from,
        saleTo: to,
        sold,
        grossProceeds: units8(toSpread + fees),
        fees: units8(fees),
        netProceeds: net.toString(),
        allocations: g.allocations.map((a) => ({ ...a, amount: a.amount.toString() })),
        refund: g.refund === undefined ? undefined : { amount: g.refund[0].toString(), howPaid: g.refund[1] },
        released: g.released,
        returnedTo: g.released.length > 0 ? '본인 계정' : undefined,
        balance: g.balance,
      };
    });

const noticeArb: fc.Arbitrary<NoticeContent> = fc.oneof(
  fc
    .record({
      common: commonArb,
      arrears: arrearsArb(),
      deadline: day,
      refs: fc.array(fc.tuple(label, label, day), { minLength: 1, maxLength: 4 }),
      account: fc.option(label, { nil: undefined }),
    })
    .map(({ common: c, arrears: a, deadline, refs, account }) => {
      // The first bill carries the total; the others nothing (the check is on the sum).
      const bills = refs.map(([billRef, taxItem, originalDueDate], i) => ({
        billRef,
        taxItem,
        originalDueDate,
        amount: i === 0 ? a.total : '0',
      }));
      return { kind: 'DEMAND' as const, data: { ...c, bills, arrears: a, deadline, virtualAccount: account } };
    }),
  fc
    .record({
      common: commonArb,
      recipient: fc.constantFrom('TAXPAYER' as const, 'EXCHANGE' as const),
      exchangeName: name,
      seizedOn: day,
      holdings: fc.array(fc.record({ coin, coinName, quantity: decimalStr }), { minLength: 1, maxLength: 4 }),
      cityAccount: label,
      transferDeadline: day,
      arrears: arrearsArb(),
    })
    .map(({ common: c, ...rest }) => ({ kind: 'SEIZURE' as const, data: { ...c, ...rest } })),
  fc
    .record({
      common: commonArb,
      exchangeName: name,
      arrears: arrearsArb(),
      owedAtDeadline: fc.option(wonBig.map(String), { nil: undefined }),
      deadline: day,
      valuation: valuationArb,
      saleRequestGuide: label,
      virtualAccount: fc.option(label, { nil: undefined }),
    })
    .map(({ common: c, ...rest }) => ({ kind: 'PRE_SALE' as const, data: { ...c, ...rest } })),
  fc
    .record({
      common: commonArb,
      exchangeName: name,
      deadline: day,
      daysBefore: fc.integer({ min: 0, max: 60 }),
      arrears: arrearsArb(),
      valuation: fc.option(valuationArb, { nil: undefined }),
      saleRequestGuide: label,
    })
    .map(({ common: c, ...rest }) => ({ kind: 'REMINDER' as const, data: { ...c, ...rest } })),
  saleArb(false).map((data) => ({ kind: 'SALE_RESULT' as const, data })),
  saleArb(true).map((data) => ({ kind: 'SHORTFALL' as const, data })),
  fc
    .record({
      common: commonArb,
      exchangeName: name,
      releasedOn: day,
      released: releasedArb.filter((r) => r.length > 0),
      returnedTo: label,
    })
    .map(({ common: c, ...rest }) => ({ kind: 'RELEASE' as const, data: { ...c, ...rest } })),
);

/** An independent oracle for the grouping: BigInt's own locale formatting. */
const grouped = (amount: string): string => `${BigInt(amount).toLocaleString('en-US')}원`;

describe('property: any valid data renders a clean notice', () => {
  it('never prints undefined, NaN or null; SMS within its limit; totals formatted exactly', () => {
    fc.assert(
      fc.property(noticeArb, (notice) => {
        const r = renderNotice(notice);
        const sms = renderSmsSummary(notice);
        for (const out of [r.title, r.body, sms, ...r.legalBasis]) expect(out).not.toMatch(FORBIDDEN);
        expect([...sms].length).toBeLessThanOrEqual(SMS_MAX_CHARS);
        expect(r.legalBasis.length).toBeGreaterThan(0);
        for (const basis of r.legalBasis) expect(r.body).toContain(basis);
        const d = notice.data;
        if ('arrears' in d) expect(r.body).toContain(`${grouped(d.arrears.total)}`);
        if ('netProceeds' in d) expect(r.body).toContain(grouped(d.netProceeds));
        if (notice.kind === 'REFUND') expect(r.body).toContain(grouped(notice.data.amount));
        if ('valuation' in d && d.valuation) expect(r.body).toContain(`- 합계: ${grouped(d.valuation.totalValue)}`);
        if ('deadline' in d) expect(r.body).toContain(formatKoreanDate(d.deadline));
      }),
      { numRuns: 300 },
    );
  });

  it('the lists of kinds and release reasons agree with the case lifecycle', () => {
    expect(_kindsAgree && _reasonsAgree).toBe(true);
  });
});
