/** What the API answers, built from domain objects; types come from the response schemas. */
import type * as z from 'zod/mini';
import type { Amounts, Bill } from '#domain/bills';
import { billHead, outstanding } from '#domain/bills';
import { activeHolds, arrears, available, billsAsOf, type Case, type CaseStatus } from '#domain/case';
import type { CaseSummary, CityTotals, Page, StatementData } from '#domain/case-store';
import type { CitySettings } from '#domain/city-settings';
import { caseCoverage, type CoverageState } from '#domain/coverage';
import type { LocalDate } from '#domain/dates';
import { Decimal, floorWon, sum, wonString, ZERO } from '#domain/money';
import type {
  BillView,
  CaseCoverageView,
  CaseListView,
  CaseView,
  CoverageLineView,
  StatementView,
  SummaryView,
} from './schemas';
import { CASE_STATUSES } from '#domain/case-status';

const amounts = (a: Amounts) => ({
  assessed: wonString(a.assessed),
  paid: wonString(a.paid),
  outstanding: wonString(outstanding(a)),
});

export function billView(b: Bill): z.infer<typeof BillView> {
  return {
    ...billHead(b),
    surchargeAsOf: b.surchargeAsOf,
    cost: amounts(b.cost),
    tax: amounts(b.tax),
    surcharge: amounts(b.surcharge),
  };
}

export function caseView(c: Case, settings: CitySettings, today: LocalDate): z.infer<typeof CaseView> {
  const active = new Set(activeHolds(c).map((h) => h.holdId));
  return {
    cityId: c.cityId,
    caseId: c.caseId,
    cityCaseRef: c.cityCaseRef,
    status: c.status,
    version: c.version,
    taxpayer: { ref: c.taxpayer.ref, name: c.taxpayer.name, contact: { ...c.taxpayer.contact } },
    // The bills as the facts stand (the city's figures, credits applied), projected no further.
    bills: billsAsOf(c, c.balance.asOf, settings).map(billView),
    holdings: c.holdings.map((h) => ({
      market: h.market,
      seized: h.seized.toFixed(),
      inCustody: h.inCustody.toFixed(),
      sold: h.sold.toFixed(),
      released: h.released.toFixed(),
      available: available(h).toFixed(),
    })),
    holds: c.holds.map((h) => ({
      holdId: h.holdId,
      kind: h.kind,
      reason: h.reason,
      from: h.from,
      ...(h.to ? { to: h.to } : {}),
      active: active.has(h.holdId),
    })),
    ...(c.resumeStatus ? { resumeStatus: c.resumeStatus } : {}),
    ...(c.custodyOn ? { custodyOn: c.custodyOn } : {}),
    ...(c.preSaleNoticeHeld ? { preSaleNoticeHeld: { ...c.preSaleNoticeHeld } } : {}),
    ...(c.preSaleNotice ? { preSaleNotice: structuredClone(c.preSaleNotice) } : {}),
    ...(c.deadline ? { deadline: c.deadline } : {}),
    ...(c.saleRequest
      ? {
          saleRequest: {
            requestId: c.saleRequest.requestId,
            requestedAt: c.saleRequest.requestedAt,
            limitPrices: Object.fromEntries(
              Object.entries(c.saleRequest.limitPrices).map(([m, p]) => [m, p.toFixed()]),
            ),
            evidence: { ...c.saleRequest.evidence },
          },
        }
      : {}),
    ...(c.saleId ? { saleId: c.saleId } : {}),
    saleAttempts: c.saleAttempts,
    refundPayable: wonString(c.refundPayable),
    ...(c.lastError ? { lastError: c.lastError } : {}),
    arrears: { recorded: wonString(c.balance.owed), asOf: today, projected: wonString(arrears(c, today, settings)) },
    ...(c.saleApproval
      ? {
          saleApproval: {
            saleId: c.saleApproval.saleId,
            approvals: c.saleApproval.approvals.map((a) => ({ by: a.by, at: a.at })),
          },
        }
      : {}),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function caseListView(page: Page<CaseSummary>): z.infer<typeof CaseListView> {
  return {
    items: page.items.map((s) => ({
      caseId: s.caseId,
      status: s.status,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      arrears: wonString(s.arrears),
      recovered: wonString(s.recovered),
      refundPayable: wonString(s.refundPayable),
      ...(s.deadline ? { deadline: s.deadline } : {}),
    })),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

export function statementView(
  data: StatementData,
  settings: CitySettings,
  today: LocalDate,
): z.infer<typeof StatementView> {
  const c = data.case;
  const sales = new Map<string, z.infer<typeof StatementView>['sales'][number]>();
  const applications: z.infer<typeof StatementView>['applications'] = [];
  const refunds: z.infer<typeof StatementView>['refunds'] = [];
  let saleGross = ZERO;
  let saleFees = ZERO;
  let allocated = ZERO;
  let refunded = ZERO;
  for (const batch of data.ledger) {
    const applied = new Map<string, z.infer<typeof StatementView>['applications'][number]>();
    for (const e of batch.entries) {
      if (e.kind === 'SALE_GROSS' || e.kind === 'SALE_FEE' || e.kind === 'SALE_ROUNDING') {
        const sale = sales.get(e.source) ?? {
          saleId: e.source,
          at: batch.at,
          fills: [],
          feesKrw: '0',
          roundingKrw: '0',
        };
        if (e.kind === 'SALE_GROSS') {
          sale.fills.push({
            market: e.market ?? '',
            quantity: e.quantity?.toFixed() ?? '0',
            grossKrw: e.amount.toFixed(),
          });
          saleGross = saleGross.add(e.amount);
        } else if (e.kind === 'SALE_FEE') {
          sale.feesKrw = new Decimal(sale.feesKrw).add(e.amount).toFixed();
          saleFees = saleFees.add(e.amount);
        } else {
          sale.roundingKrw = new Decimal(sale.roundingKrw).add(e.amount).toFixed();
        }
        sales.set(e.source, sale);
      } else if (e.kind === 'ALLOCATION' || e.kind === 'REFUND') {
        const app = applied.get(e.source) ?? { source: e.source, at: batch.at, allocations: [], refund: '0' };
        if (e.kind === 'ALLOCATION') {
          app.allocations.push({
            billId: e.billId ?? '',
            component: e.component ?? 'TAX',
            amount: wonString(e.amount),
          });
          allocated = allocated.add(e.amount);
        } else {
          app.refund = wonString(new Decimal(app.refund).add(e.amount));
          refunds.push({ source: e.source, amount: wonString(e.amount), at: batch.at });
          refunded = refunded.add(e.amount);
        }
        applied.set(e.source, app);
      }
    }
    applications.push(...applied.values());
  }
  return {
    cityId: c.cityId,
    caseId: c.caseId,
    status: c.status,
    asOf: today,
    taxpayerRef: c.taxpayer.ref,
    bills: billsAsOf(c, c.balance.asOf, settings).map(billView),
    payments: data.payments.map((p) => ({
      paymentId: p.paymentId,
      amount: wonString(p.amount),
      ...(p.receivedOn ? { receivedOn: p.receivedOn } : {}),
      recordedAt: p.recordedAt,
    })),
    sales: [...sales.values()],
    applications,
    refunds,
    refundPayable: wonString(c.refundPayable),
    releases: data.releases.map((r) => ({
      market: r.market,
      quantity: r.quantity.toFixed(),
      reason: r.reason,
      at: r.createdAt,
      status: r.status,
    })),
    notices: data.notices.map((n) => ({
      noticeId: n.noticeId,
      kind: n.kind,
      createdAt: n.createdAt,
      status: n.status,
    })),
    // Who acted is given by role only: the statement goes to the taxpayer.
    history: data.audit.map((a) => {
      const evidence = Object.fromEntries(
        Object.entries(a.details)
          .filter(([k]) => k.startsWith('evidence:'))
          .map(([k, v]) => [k.slice('evidence:'.length), v]),
      );
      return {
        at: a.at,
        action: a.action,
        before: a.before,
        after: a.after,
        by: a.actor.kind,
        ...(a.reason ? { reason: a.reason } : {}),
        ...(Object.keys(evidence).length > 0 ? { evidence } : {}),
      };
    }),
    totals: {
      paidIn: wonString(sum(data.payments.map((p) => p.amount))),
      saleGrossKrw: saleGross.toFixed(),
      saleFeesKrw: saleFees.toFixed(),
      allocated: wonString(allocated),
      refunded: wonString(refunded),
      outstanding: wonString(c.balance.owed),
      outstandingProjected: wonString(arrears(c, today, settings)),
    },
  };
}

/**
 * The price poller's data (shared/adapters/dynamodb/price-store.ts implements it): the latest bid per
 * market and, optionally, the city's coverage sheet. Absent (undefined) until it is wired.
 */
export interface LatestPrices {
  latestBids(markets: string[]): Promise<Record<string, { bid: Decimal; at: string; flags?: readonly string[] }>>;
  coverageSheet?(cityId: string): Promise<CoverageSheetData | undefined>;
}

/** One case's line of the poller's coverage sheet (won and ratios as decimal strings). */
export interface CoverageLineData {
  caseId: string;
  status: CaseStatus;
  state: CoverageState;
  ratio: string | null;
  arrearsKrw: string;
  valueKrw: string;
  shortfallKrw: string;
  surplusKrw: string;
  unpriced: readonly string[];
  flagged: readonly string[];
}

export interface CoverageSheetData {
  computedAt: string;
  asOf: LocalDate;
  entries: readonly CoverageLineData[];
}

/** How many of the most under- and most over-covered cases the summary lists. */
export const COVERAGE_LIST_LIMIT = 20;

const COVERAGE_STATES: readonly CoverageState[] = ['UNDER', 'COVERED', 'NOTHING_OWED', 'NO_COINS', 'UNPRICED'];

const coverageLine = (e: CoverageLineData): z.infer<typeof CoverageLineView> => ({
  caseId: e.caseId,
  status: e.status,
  state: e.state,
  ratio: e.ratio,
  arrearsKrw: e.arrearsKrw,
  valueKrw: e.valueKrw,
  shortfallKrw: e.shortfallKrw,
  surplusKrw: e.surplusKrw,
  unpriced: [...e.unpriced],
  flagged: [...e.flagged],
});

function coverageSummary(sheet: CoverageSheetData | undefined): z.infer<typeof SummaryView>['coverage'] {
  if (!sheet) return null;
  const byRatio = (dir: 1 | -1) => (a: CoverageLineData, b: CoverageLineData) =>
    dir * new Decimal(a.ratio ?? 0).cmp(new Decimal(b.ratio ?? 0)) || (a.caseId < b.caseId ? -1 : 1);
  const under = sheet.entries.filter((e) => e.state === 'UNDER' || e.state === 'NO_COINS').sort(byRatio(1));
  const over = sheet.entries.filter((e) => e.state === 'COVERED' && new Decimal(e.surplusKrw).gt(0)).sort(byRatio(-1));
  return {
    computedAt: sheet.computedAt,
    asOf: sheet.asOf,
    cases: Object.fromEntries(
      COVERAGE_STATES.map((state) => [state, sheet.entries.filter((e) => e.state === state).length]),
    ),
    arrearsKrw: wonString(sum(sheet.entries.map((e) => new Decimal(e.arrearsKrw)))),
    valueKrw: wonString(sum(sheet.entries.map((e) => new Decimal(e.valueKrw)))),
    underCovered: under.slice(0, COVERAGE_LIST_LIMIT).map(coverageLine),
    overCovered: over.slice(0, COVERAGE_LIST_LIMIT).map(coverageLine),
  };
}

export async function summaryView(
  totals: CityTotals,
  now: Date,
  prices: LatestPrices | undefined,
): Promise<z.infer<typeof SummaryView>> {
  const markets = Object.keys(totals.available).sort();
  const [bids, sheet] = await Promise.all([
    prices && markets.length > 0
      ? prices.latestBids(markets)
      : Promise.resolve({} as Awaited<ReturnType<LatestPrices['latestBids']>>),
    prices?.coverageSheet ? prices.coverageSheet(totals.cityId) : Promise.resolve(undefined),
  ]);
  const byStatus = Object.fromEntries(CASE_STATUSES.map((s: CaseStatus) => [s, totals.byStatus[s] ?? 0]));
  return {
    cityId: totals.cityId,
    asOf: now.toISOString(),
    cases: { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus },
    arrearsOutstanding: wonString(totals.arrearsOutstanding),
    recoveredToDate: wonString(totals.recoveredToDate),
    refundPayable: wonString(totals.refundPayable),
    holdings: markets.map((market) => {
      const quantity = totals.available[market] ?? ZERO;
      const price = bids[market];
      return {
        market,
        available: quantity.toFixed(),
        bid: price ? price.bid.toFixed() : null,
        valueKrw: price ? wonString(floorWon(quantity.mul(price.bid))) : null,
        pricedAt: price ? price.at : null,
        // Present only when the poller flagged the price.
        ...(price?.flags && price.flags.length > 0 ? { priceFlags: [...price.flags] } : {}),
      };
    }),
    coverage: coverageSummary(sheet),
  };
}

/** A case's coverage now, from its own bills and holdings and the latest bids (GET /cases/{caseId}). */
export async function caseCoverageView(
  c: Case,
  settings: CitySettings,
  today: LocalDate,
  prices: LatestPrices,
): Promise<z.infer<typeof CaseCoverageView>> {
  const markets = c.holdings.filter((h) => available(h).gt(0)).map((h) => h.market);
  const bids = markets.length > 0 ? await prices.latestBids(markets) : {};
  const cover = caseCoverage(
    c,
    today,
    settings,
    Object.fromEntries(Object.entries(bids).map(([m, p]) => [m, { bid: p.bid, flags: p.flags ?? [] }])),
  );
  return {
    asOf: today,
    state: cover.state,
    ratio: cover.ratio === null ? null : cover.ratio.toFixed(),
    arrearsKrw: wonString(cover.arrears),
    valueKrw: wonString(cover.value),
    shortfallKrw: wonString(cover.shortfall),
    surplusKrw: wonString(cover.surplus),
    unpriced: [...cover.unpriced],
    flagged: [...cover.flagged],
    prices: Object.fromEntries(
      Object.entries(bids).map(([m, p]) => [m, { bid: p.bid.toFixed(), at: p.at, flags: [...(p.flags ?? [])] }]),
    ),
  };
}
