/**
 * A demonstration of the domain core on one sample case: arrears projected to the sale date, the
 * sale plan, a settlement in the legal order, and the taxpayer's Korean notice. Prices and fills are
 * stated sample figures, not a market: the whole system runs under `npm start` once the local stack
 * is in place.
 */
import { arrears, confirmCustody, markDue, nextSaleId, registerCase, requestTransfer, sendPreSaleNotice, settleSale, startSale, type TransitionContext } from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { decimal, floorWon, won } from '#domain/money';
import { renderNotice } from '#domain/notices';
import { planSale } from '#domain/sale-plan';

export interface DemoSummary {
  caseId: string;
  finalState: string;
  owedKrw: string;
  recoveredKrw: string;
  refundedKrw: string;
  feesKrw: string;
  balanced: boolean;
}

export function runDomainDemo(print: (line: string) => void): DemoSummary {
  const settings = { ...DEFAULT_CITY_SETTINGS, preSaleNoticeDays: 45 };
  const on = (date: string): TransitionContext => ({ now: new Date(`${date}T00:30:00Z`), actor: { kind: 'SYSTEM', id: 'demo' }, settings });
  const bid = { 'KRW-BTC': decimal('134500000'), 'KRW-XRP': decimal('3120') };

  let c = registerCase({
    cityId: 'cheongju', caseId: 'CJ-2026-0001',
    taxpayer: { ref: 'T-0001', name: '김납세', contact: { phone: '010-0000-0000' } },
    bills: [
      { billId: '2024-지방소득세-01', taxItem: '지방소득세', provincial: false, dueDate: '2024-05-31', cost: { assessed: won('12000'), paid: won('0') }, tax: { assessed: won('4200000'), paid: won('0') }, surcharge: { assessed: won('126000'), paid: won('0') }, surchargeAsOf: '2024-06-01' },
      { billId: '2025-자동차세-07', taxItem: '자동차세', provincial: false, dueDate: '2025-07-31', cost: { assessed: won('0'), paid: won('0') }, tax: { assessed: won('380000'), paid: won('0') }, surcharge: { assessed: won('11400'), paid: won('0') }, surchargeAsOf: '2025-08-01' },
    ],
  }, on('2026-09-01')).case;
  c = requestTransfer(c, [{ market: 'KRW-BTC', quantity: decimal('0.05') }, { market: 'KRW-XRP', quantity: decimal('800') }], on('2026-09-02')).case;
  c = confirmCustody(c, { market: 'KRW-BTC', quantity: decimal('0.05') }, on('2026-09-05')).case;
  c = confirmCustody(c, { market: 'KRW-XRP', quantity: decimal('800') }, on('2026-09-05')).case;
  const notice = sendPreSaleNotice(c, [{ market: 'KRW-BTC', bid: bid['KRW-BTC'] }, { market: 'KRW-XRP', bid: bid['KRW-XRP'] }], on('2026-10-15'));
  c = notice.case;
  print(`사례 ${c.caseId}: 납부기한 ${c.deadline}, 체납액(오늘) ${arrears(c, '2026-10-15', settings).toFixed(0)}원`);

  const saleDay = '2026-12-01';
  c = markDue(c, on(saleDay)).case;
  c = startSale(c, nextSaleId(c), on(saleDay)).case;
  const need = arrears(c, saleDay, settings);
  print(`매각일 ${saleDay} 체납액(가산세 포함 추계): ${need.toFixed(0)}원`);

  const plan = planSale({
    need,
    holdings: c.holdings.map((h) => ({
      market: h.market, quantity: h.inCustody, bid: bid[h.market as keyof typeof bid], askFee: decimal('0.0005'),
      lotSize: decimal('0.00000001'), minOrderKrw: won('5000'), recentTradedValue: h.market === 'KRW-BTC' ? won('90000000000') : won('20000000000'),
    })),
  });
  for (const leg of plan.legs) print(`매각 계획: ${leg.market} ${leg.quantity.toFixed()} (예상 순수입 ${leg.expectedNetKrw.toFixed(0)}원)`);
  for (const r of plan.release) print(`반환 예정: ${r.market} ${r.quantity.toFixed()} (${r.reason})`);

  // Sample fills: each leg filled at the reference bid less 0.1% slippage, fee 0.05%.
  const fills = plan.legs.map((leg) => {
    const gross = leg.quantity.mul(bid[leg.market as keyof typeof bid]).mul('0.999');
    return { market: leg.market, quantity: leg.quantity, grossKrw: gross, feeKrw: gross.mul('0.0005') };
  });
  const settled = settleSale(c, { saleId: c.saleId ?? '', fills, dust: [], settledOn: saleDay }, on(saleDay));
  const total = (kind: string) => settled.ledger.filter((l) => l.kind === kind).reduce((t, l) => t.add(l.amount), won('0'));
  const balanced = total('SALE_GROSS').eq(total('SALE_FEE').add(total('ALLOCATION')).add(total('REFUND')).add(total('SALE_ROUNDING')));
  print(`정산: 총매각대금 ${total('SALE_GROSS').toFixed()}원, 수수료 ${total('SALE_FEE').toFixed()}원, 충당 ${total('ALLOCATION').toFixed(0)}원, 환급 ${total('REFUND').toFixed(0)}원, 상태 ${settled.case.status}`);
  for (const l of settled.ledger.filter((x) => x.kind === 'ALLOCATION')) print(`  충당 ${l.billId} ${l.component}: ${l.amount.toFixed(0)}원`);

  for (const n of [...notice.notices, ...settled.notices]) {
    const rendered = renderNotice(n.content);
    print(`\n----- ${rendered.title} (${n.noticeId}) -----\n${rendered.body}`);
  }
  return {
    caseId: c.caseId, finalState: settled.case.status, owedKrw: need.toFixed(0), recoveredKrw: total('ALLOCATION').toFixed(0),
    refundedKrw: total('REFUND').toFixed(0), feesKrw: floorWon(total('SALE_FEE')).toFixed(0), balanced,
  };
}
