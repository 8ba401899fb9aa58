/**
 * Coverage = coins held, valued at the bid / arrears projected to the date. Expected numbers are
 * worked out by hand in the comments.
 */
import { confirmCustody, registerCase, requestTransfer, type Case } from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { caseCoverage, coverage, holdingsOf, InvalidCoverageInputError, type BidPrice } from '#domain/coverage';
import { decimal, won } from '#domain/money';
import { at, cityBill } from './fixtures';

const price = (bid: string, flags: string[] = []): BidPrice => ({ bid: decimal(bid), flags });
const q = decimal;

/**
 * One 2025 bill (납부지연가산세): tax ₩1,000,000 due 2025-03-31, surcharge ₩30,000 (the 3%) as the
 * city figured it up to 2025-06-30. The tax reaches ₩450,000, so 0.66% a month accrues the day after
 * each full month: 07-01, 08-01, 09-01 fall in (06-30, 09-15], 3 × ₩6,600 = ₩19,800.
 * Arrears on 2025-09-15 = 1,000,000 + 30,000 + 19,800 = ₩1,049,800.
 */
function caseHolding(holdings: { market: string; quantity: string }[]): Case {
  const ctx = at('2025-07-01');
  let c = registerCase(
    {
      cityId: 'cheongju',
      caseId: 'c-1',
      cityCaseRef: 'CC-1',
      taxpayer: { ref: 'TP-1', name: '홍길동', contact: {} },
      bills: [cityBill({ tax: '1000000', surcharge: '30000', dueDate: '2025-03-31', surchargeAsOf: '2025-06-30' })],
    },
    ctx,
  ).case;
  c = requestTransfer(
    c,
    holdings.map((h) => ({ market: h.market, quantity: q(h.quantity) })),
    ctx,
  ).case;
  for (const h of holdings) c = confirmCustody(c, { market: h.market, quantity: q(h.quantity) }, ctx).case;
  return c;
}

describe('caseCoverage: arrears projected by the domain, coins at the bid', () => {
  const asOf = '2025-09-15';

  it('an under-covered case: 0.01 BTC at ₩100,000,000 = ₩1,000,000 against ₩1,049,800', () => {
    const c = caseHolding([{ market: 'KRW-BTC', quantity: '0.01' }]);
    const cover = caseCoverage(c, asOf, DEFAULT_CITY_SETTINGS, { 'KRW-BTC': price('100000000') });
    expect(cover.state).toBe('UNDER');
    expect(cover.arrears.toFixed()).toBe('1049800');
    expect(cover.value.toFixed()).toBe('1000000');
    // 1,000,000 / 1,049,800 = 0.952562..., cut to 4 places
    expect(cover.ratio?.toFixed()).toBe('0.9525');
    expect(cover.shortfall.toFixed()).toBe('49800');
    expect(cover.surplus.toFixed()).toBe('0');
  });

  it('an over-covered case: 0.012 BTC at ₩100,000,000 + 300 XRP at ₩800.5 = ₩1,440,150 against ₩1,049,800', () => {
    const c = caseHolding([
      { market: 'KRW-BTC', quantity: '0.012' },
      { market: 'KRW-XRP', quantity: '300' },
    ]);
    const cover = caseCoverage(c, asOf, DEFAULT_CITY_SETTINGS, {
      'KRW-BTC': price('100000000'),
      'KRW-XRP': price('800.5'),
    });
    // 1,200,000 + 240,150 = 1,440,150; 1,440,150 / 1,049,800 = 1.37183..., cut to 1.3718
    expect(cover).toMatchObject({ state: 'COVERED', unpriced: [], flagged: [] });
    expect(cover.value.toFixed()).toBe('1440150');
    expect(cover.ratio?.toFixed()).toBe('1.3718');
    expect(cover.surplus.toFixed()).toBe('390350');
    expect(cover.shortfall.toFixed()).toBe('0');
  });

  it('projects to the date asked: on 2025-06-30 nothing has accrued since the city’s figure', () => {
    const c = caseHolding([{ market: 'KRW-BTC', quantity: '0.01' }]);
    const cover = caseCoverage(c, '2025-06-30', DEFAULT_CITY_SETTINGS, { 'KRW-BTC': price('100000000') });
    expect(cover.arrears.toFixed()).toBe('1030000');
    // 1,000,000 / 1,030,000 = 0.970873...
    expect(cover.ratio?.toFixed()).toBe('0.9708');
  });

  it('counts only coins the city holds (seized but not yet in custody counts as none)', () => {
    const ctx = at('2025-07-01');
    let c = registerCase(
      {
        cityId: 'cheongju',
        caseId: 'c-2',
        cityCaseRef: 'CC-2',
        taxpayer: { ref: 'TP-2', name: '김', contact: {} },
        bills: [cityBill({ tax: '400000' })],
      },
      ctx,
    ).case;
    c = requestTransfer(c, [{ market: 'KRW-BTC', quantity: q('1') }], ctx).case;
    expect(holdingsOf(c)['KRW-BTC']?.toFixed()).toBe('0');
    const cover = caseCoverage(c, '2025-07-01', DEFAULT_CITY_SETTINGS, { 'KRW-BTC': price('100000000') });
    expect(cover.state).toBe('NO_COINS');
    expect(cover.value.toFixed()).toBe('0');
    expect(cover.shortfall).toEqual(cover.arrears);
  });
});

describe('coverage', () => {
  it('cuts the value down to the whole won once, after summing exactly', () => {
    // 0.00123456 × 100,000,001 = 123,456.00123456 and 0.5 × 0.999 = 0.4995: 123,456.50073456 → 123,456
    const cover = coverage({
      arrears: won('100000'),
      holdings: { 'KRW-BTC': q('0.00123456'), 'KRW-THIN': q('0.5') },
      prices: { 'KRW-BTC': price('100000001'), 'KRW-THIN': price('0.999') },
    });
    expect(cover.value.toFixed()).toBe('123456');
    // 123,456 / 100,000 = 1.23456 → 1.2345 (cut, not rounded)
    expect(cover.ratio?.toFixed()).toBe('1.2345');
  });

  it('is COVERED with no surplus when the value is exactly the arrears', () => {
    const cover = coverage({
      arrears: won('500000'),
      holdings: { 'KRW-ETH': q('0.2') },
      prices: { 'KRW-ETH': price('2500000') },
    });
    expect(cover).toMatchObject({ state: 'COVERED' });
    expect(cover.ratio?.toFixed()).toBe('1');
    expect(cover.surplus.toFixed()).toBe('0');
  });

  it('names markets valued at a flagged price, and does not value a market without a bid', () => {
    const cover = coverage({
      arrears: won('1000000'),
      holdings: { 'KRW-BTC': q('0.01'), 'KRW-GONE': q('5'), 'KRW-ETH': q('0') },
      prices: { 'KRW-BTC': price('90000000', ['STALE_PRICE']) },
    });
    expect(cover).toMatchObject({ state: 'UNPRICED', ratio: null, unpriced: ['KRW-GONE'], flagged: ['KRW-BTC'] });
    expect(cover.value.toFixed()).toBe('900000');
    expect(cover.shortfall.toFixed()).toBe('0');
  });

  it('says NOTHING_OWED when the arrears are zero, whatever is held', () => {
    const cover = coverage({ arrears: won('0'), holdings: { 'KRW-BTC': q('1') }, prices: { 'KRW-BTC': price('1') } });
    expect(cover).toMatchObject({ state: 'NOTHING_OWED', ratio: null });
  });

  it('refuses fractional or negative arrears and negative quantities', () => {
    expect(() => coverage({ arrears: decimal('1.5'), holdings: {}, prices: {} })).toThrow(InvalidCoverageInputError);
    expect(() => coverage({ arrears: won('-1'), holdings: {}, prices: {} })).toThrow(InvalidCoverageInputError);
    expect(() => coverage({ arrears: won('1'), holdings: { 'KRW-BTC': won('-1') }, prices: {} })).toThrow(
      InvalidCoverageInputError,
    );
  });
});
