/** The demo city's plan, and the run summary read back from the ledger. */
import { markDue, nextSaleId, recordPayment, settleSale, startSale, type Transition } from '#domain/case';
import type { StatementData } from '#domain/case-store';
import { decimal, sum, won } from '#domain/money';
import { planDemoCity } from '../../local/seed';
import { summarize } from '../../local/summary';
import { ctxAt, registered, toNoticeSent } from '../support/cases';

describe('demo city plan', () => {
  const plan = planDemoCity({ registeredOn: '2026-09-14' });

  it('is a city like Cheongju: 161 cases owing about ₩1.5 billion, many small and a few large', () => {
    expect(plan.cases).toHaveLength(161);
    const owed = won(plan.owedKrw);
    expect(owed.gte('1450000000') && owed.lte('1550000000')).toBe(true);
    expect(plan.owedKrw).toBe(sum(plan.cases.map((c) => won(c.owedKrw))).toFixed(0));
    const amounts = plan.cases.map((c) => won(c.owedKrw)).sort((a, b) => a.comparedTo(b));
    const median = amounts[80]!;
    // Skewed: the mean (under ₩10 million, as DESIGN §3 says) well above the median, the largest far above both.
    expect(owed.div(161).lt('10000000')).toBe(true);
    expect(owed.div(161).gt(median)).toBe(true);
    expect(amounts[160]!.gt(median.mul(10))).toBe(true);
    expect(amounts[0]!.gte('290000')).toBe(true);
  });

  it('holds BTC, ETH, XRP and a smaller coin, and mixes the behaviours the demo shows', () => {
    const markets = new Set(plan.cases.flatMap((c) => c.holdings.map((h) => h.market)));
    expect([...markets].sort()).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-THIN', 'KRW-XRP']);
    const count = (b: string) => plan.cases.filter((c) => c.behaviour === b).length;
    for (const b of ['PAYS_IN_FULL', 'PAYS_PART', 'OWN_SALE', 'APPEAL', 'UNDER_COVERED', 'CANCELLED', 'FORCED_SALE'])
      expect(count(b)).toBeGreaterThan(0);
    for (const c of plan.cases) {
      const coverage = sum(c.holdings.map((h) => decimal(h.coverage)));
      if (c.behaviour === 'UNDER_COVERED') expect(coverage.lt(1)).toBe(true);
      else expect(coverage.gt(1)).toBe(true);
      for (const b of c.bills) expect(b.dueDate < '2026-09-14').toBe(true);
    }
  });

  it('is the same city for the same seed, another for another', () => {
    expect(planDemoCity({ registeredOn: '2026-09-14' })).toEqual(plan);
    expect(planDemoCity({ registeredOn: '2026-09-14', seed: 1 }).owedKrw).not.toBe(plan.owedKrw);
    expect(planDemoCity({ registeredOn: '2026-09-14', cases: 3 }).cases).toHaveLength(3);
  });
});

/** A statement as the store would give it, from the transitions a case went through. */
function statementOf(transitions: Transition[]): StatementData {
  const last = transitions[transitions.length - 1]!;
  return {
    case: last.case,
    audit: transitions.map((t) => ({ ...t.audit, version: t.case.version })),
    ledger: transitions
      .filter((t) => t.ledger.length > 0)
      .map((t) => ({ version: t.case.version, at: t.audit.at, entries: t.ledger })),
    payments: [],
    notices: transitions.flatMap((t) =>
      t.notices.map((n) => ({ ...n, version: t.case.version, createdAt: t.audit.at, status: 'SENT' as const })),
    ),
    releases: transitions.flatMap((t) =>
      t.releases.map((r, i) => ({
        ...r,
        releaseId: `${t.case.version}.${i}`,
        version: t.case.version,
        createdAt: t.audit.at,
        status: 'PENDING' as const,
      })),
    ),
  };
}

describe('run summary', () => {
  const sold = (): Transition[] => {
    const steps: Transition[] = [registered('c-sold')];
    for (const t of toNoticeSent(steps[0]!.case, '2025-07-02T01:00:00Z')) steps.push(t);
    const due = markDue(steps[steps.length - 1]!.case, ctxAt('2025-09-01T01:00:00Z'));
    const selling = startSale(due.case, nextSaleId(due.case), ctxAt('2025-09-01T01:00:00Z'));
    const settled = settleSale(
      selling.case,
      {
        saleId: selling.case.saleId ?? '',
        fills: [
          { market: 'KRW-BTC', quantity: decimal('0.02'), grossKrw: decimal('2800000.7'), feeKrw: decimal('1400.35') },
        ],
        dust: [],
        settledOn: '2025-09-01',
      },
      ctxAt('2025-09-01T02:00:00Z'),
    );
    return [...steps, due, selling, settled];
  };
  const paid = (): Transition[] => {
    const r = registered('c-paid');
    return [
      r,
      recordPayment(
        r.case,
        { paymentId: 'P1', amount: won('2000000'), receivedOn: '2025-07-10' },
        ctxAt('2025-07-10T01:00:00Z'),
      ),
    ];
  };

  it('totals what the ledger says and finds every source balanced', () => {
    const summary = summarize('cheongju', [statementOf(sold()), statementOf(paid())]);
    expect(summary.cases).toBe(2);
    expect(summary.byState).toEqual({ SETTLED: 1, PAID: 1 });
    expect(summary.feesKrw).toBe('1400.35');
    expect(summary.saleGrossKrw).toBe('2800000.7');
    // Money in: the payment, and the sale's gross less its fee and the fraction of a won (2,798,600).
    expect(won(summary.recoveredKrw).add(won(summary.refundedKrw)).toFixed(0)).toBe(
      won('2000000').add(won('2798600')).toFixed(0),
    );
    expect(summary.roundingKrw).toBe('0.35');
    expect(summary.balanced).toBe(true);
    expect(summary.releasedCoins['KRW-BTC']).toBe('0.03');
  });

  it('says so when a sale does not balance to the won', () => {
    const steps = sold();
    const settled = steps[steps.length - 1]!;
    const tampered = {
      ...settled,
      ledger: settled.ledger.map((e) => (e.kind === 'SALE_FEE' ? { ...e, amount: e.amount.add(1) } : e)),
    };
    const summary = summarize('cheongju', [statementOf([...steps.slice(0, -1), tampered])]);
    expect(summary.balanced).toBe(false);
    expect(summary.unbalanced[0]).toMatch(/c-sold\/c-sold-sale-1/);
  });
});
