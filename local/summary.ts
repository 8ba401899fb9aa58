/**
 * The end-of-run summary, read back from the store (the ledger, audit trail and release records the
 * handlers wrote), never from what the demo meant to do. `balanced` is checked money source by money
 * source: for every sale, gross proceeds = fees + exchange rounding + allocations + refund, and for
 * every payment, money in = allocations + refund, to the won.
 */
import type { CaseStatus } from '#domain/case';
import type { CaseStore, StatementData } from '#domain/case-store';
import { Decimal, sum, ZERO } from '#domain/money';

export interface SaleQualityFigures {
  /** Sales with a settlement. */
  sales: number;
  /** Value-weighted over the sales that report it, bps (positive: sold below the arrival mid). */
  arrivalSlippageBps?: string;
  implementationShortfallBps?: string;
  /** Worst single sale. */
  worstShortfallBps?: string;
  /** Sales whose settlement names the figures. */
  measured: number;
}

export interface RunSummary {
  cityId: string;
  cases: number;
  byState: Partial<Record<CaseStatus, number>>;
  /** What the bills added up to when the cases were registered. */
  owedKrw: string;
  /** Applied to the bills (payments and sale proceeds). */
  recoveredKrw: string;
  recoveredBySaleKrw: string;
  recoveredByPaymentKrw: string;
  refundedKrw: string;
  /** Exchange fees on the sales (may carry fractions of a won, as the exchange charges them). */
  feesKrw: string;
  saleGrossKrw: string;
  /** Fractions of a won the exchange paid that cannot be applied to bills. */
  roundingKrw: string;
  /** Still owed on cases not closed (as recorded). */
  outstandingKrw: string;
  /** Coins returned to taxpayers, by market and in total per reason. */
  releasedCoins: Record<string, string>;
  releasesByReason: Record<string, number>;
  notices: { total: number; byKind: Record<string, number>; pending: number };
  saleQuality: SaleQualityFigures;
  balanced: boolean;
  /** Sources that do not balance, if any (case and source ids only). */
  unbalanced: string[];
}

async function allCaseIds(store: CaseStore, cityId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listByStatus(cityId, undefined, { limit: 100, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((i) => i.caseId));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

export async function readStatements(store: CaseStore, cityId: string, concurrency = 8): Promise<StatementData[]> {
  const ids = await allCaseIds(store, cityId);
  const out: StatementData[] = new Array(ids.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const data = await store.statement(cityId, ids[i] as string);
        if (!data) throw new Error(`case ${ids[i]} disappeared while the summary was read`);
        out[i] = data;
      }
    }),
  );
  return out;
}

const dec = (v: string | undefined): Decimal | undefined => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? new Decimal(v) : undefined);

export function summarize(cityId: string, statements: readonly StatementData[]): RunSummary {
  const byState: Partial<Record<CaseStatus, number>> = {};
  let owed = ZERO;
  let outstanding = ZERO;
  const totals = { allocation: ZERO, allocationBySale: ZERO, refund: ZERO, fee: ZERO, gross: ZERO, rounding: ZERO };
  const released: Record<string, Decimal> = {};
  const releasesByReason: Record<string, number> = {};
  const notices = { total: 0, byKind: {} as Record<string, number>, pending: 0 };
  const unbalanced: string[] = [];
  const quality = { sales: 0, measured: 0, slipWeighted: ZERO, shortWeighted: ZERO, weight: ZERO, worst: undefined as Decimal | undefined };

  for (const s of statements) {
    const c = s.case;
    byState[c.status] = (byState[c.status] ?? 0) + 1;
    const registration = s.audit.find((a) => a.action === 'REGISTER');
    owed = owed.add(new Decimal(registration?.details.arrears ?? '0'));
    if (!['SETTLED', 'PAID', 'CANCELLED'].includes(c.status)) {
      outstanding = outstanding.add(sum(c.bills.map((b) => b.cost.assessed.sub(b.cost.paid).add(b.tax.assessed.sub(b.tax.paid)).add(b.surcharge.assessed.sub(b.surcharge.paid)))));
    }

    // Per money source (a payment or a sale): what came in and where it went.
    const sources = new Map<string, { in: Decimal; out: Decimal; sale: boolean }>();
    const source = (id: string) => sources.get(id) ?? sources.set(id, { in: ZERO, out: ZERO, sale: false }).get(id)!;
    for (const batch of s.ledger) {
      for (const e of batch.entries) {
        const src = source(e.source);
        switch (e.kind) {
          case 'PAYMENT_IN':
            src.in = src.in.add(e.amount);
            break;
          case 'SALE_GROSS':
            src.in = src.in.add(e.amount);
            src.sale = true;
            totals.gross = totals.gross.add(e.amount);
            break;
          case 'SALE_FEE':
            src.out = src.out.add(e.amount);
            totals.fee = totals.fee.add(e.amount);
            break;
          case 'SALE_ROUNDING':
            src.out = src.out.add(e.amount);
            totals.rounding = totals.rounding.add(e.amount);
            break;
          case 'ALLOCATION':
            src.out = src.out.add(e.amount);
            totals.allocation = totals.allocation.add(e.amount);
            break;
          case 'REFUND':
            src.out = src.out.add(e.amount);
            totals.refund = totals.refund.add(e.amount);
            break;
        }
      }
    }
    for (const [id, src] of sources) {
      if (src.sale) totals.allocationBySale = totals.allocationBySale.add(allocatedFrom(s, id));
      if (!src.in.eq(src.out)) unbalanced.push(`${c.caseId}/${id}: in ${src.in.toFixed()} ≠ out ${src.out.toFixed()}`);
    }

    for (const r of s.releases) {
      released[r.market] = (released[r.market] ?? ZERO).add(r.quantity);
      releasesByReason[r.reason] = (releasesByReason[r.reason] ?? 0) + 1;
    }
    for (const n of s.notices) {
      notices.total++;
      notices.byKind[n.kind] = (notices.byKind[n.kind] ?? 0) + 1;
      if (n.status === 'PENDING') notices.pending++;
    }

    // Sale quality as the settlement recorded it (audit details of SETTLE_SALE).
    for (const a of s.audit.filter((x) => x.action === 'SETTLE_SALE')) {
      quality.sales++;
      const slip = dec(a.details.arrivalSlippageBps);
      const short = dec(a.details.implementationShortfallBps);
      const gross = dec(a.details.grossKrw) ?? ZERO;
      if (slip === undefined || short === undefined || gross.lte(0)) continue;
      quality.measured++;
      quality.slipWeighted = quality.slipWeighted.add(slip.mul(gross));
      quality.shortWeighted = quality.shortWeighted.add(short.mul(gross));
      quality.weight = quality.weight.add(gross);
      if (quality.worst === undefined || short.gt(quality.worst)) quality.worst = short;
    }
  }

  const saleQuality: SaleQualityFigures = {
    sales: quality.sales,
    measured: quality.measured,
    ...(quality.weight.gt(0)
      ? {
          arrivalSlippageBps: quality.slipWeighted.div(quality.weight).toDecimalPlaces(2).toFixed(2),
          implementationShortfallBps: quality.shortWeighted.div(quality.weight).toDecimalPlaces(2).toFixed(2),
        }
      : {}),
    ...(quality.worst !== undefined ? { worstShortfallBps: quality.worst.toFixed(2) } : {}),
  };
  const recovered = totals.allocation;
  return {
    cityId,
    cases: statements.length,
    byState,
    owedKrw: owed.toFixed(0),
    recoveredKrw: recovered.toFixed(0),
    recoveredBySaleKrw: totals.allocationBySale.toFixed(0),
    recoveredByPaymentKrw: recovered.sub(totals.allocationBySale).toFixed(0),
    refundedKrw: totals.refund.toFixed(0),
    feesKrw: totals.fee.toFixed(),
    saleGrossKrw: totals.gross.toFixed(),
    roundingKrw: totals.rounding.toFixed(),
    outstandingKrw: outstanding.toFixed(0),
    releasedCoins: Object.fromEntries(Object.entries(released).sort(([a], [b]) => a.localeCompare(b)).map(([m, q]) => [m, q.toFixed()])),
    releasesByReason,
    notices,
    saleQuality,
    balanced: unbalanced.length === 0,
    unbalanced,
  };
}

function allocatedFrom(s: StatementData, source: string): Decimal {
  return sum(s.ledger.flatMap((b) => b.entries.filter((e) => e.kind === 'ALLOCATION' && e.source === source).map((e) => e.amount)));
}
