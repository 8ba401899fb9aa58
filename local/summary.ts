/**
 * The end-of-run summary, read back from the store (the ledger, audit trail and release records the
 * handlers wrote), never from what the demo meant to do. `balanced` is checked money source by money
 * source: for every sale, gross proceeds = fees + exchange rounding + allocations + refund, and for
 * every payment, money in = allocations + refund, to the won.
 */
import { deskShortfallBps, emptyFigures, type DeskRecord } from '#adapters/dynamodb/desk-store';
import type { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import type { CaseStatus } from '#domain/case';
import { refundTotals } from '#domain/refunds';
import type { CaseStore, StatementData } from '#domain/case-store';
import { Decimal, sum, ZERO } from '#domain/money';

export interface SaleQualityFigures {
  /** Sales with a settlement. */
  sales: number;
  /** Arrival slippage, weighted by gross proceeds, bps (positive: sold below the arrival mid). */
  arrivalSlippageBps?: string;
  /** Implementation shortfall (Perold), weighted by paper value at the decision, bps. */
  implementationShortfallBps?: string;
  /** Worst single sale. */
  worstShortfallBps?: string;
  /** Net proceeds beyond what was owed, over all sales (lot rounding and the exchange minimum). */
  overshootKrw?: string;
  slices?: number;
  pauses?: number;
  /** Sales whose record names the figures. */
  measured: number;
  /** Where the figures were read: the sale records, or the settlements' audit details. */
  source: 'sale records' | 'settlement audit';
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
  /** `delivered`: handed to a channel that delivers (a print batch, an e-mail), not a local folder or nothing. */
  notices: { total: number; byKind: Record<string, number>; pending: number; delivered: number };
  saleQuality: SaleQualityFigures;
  /** Release records (coins back to taxpayers) and how many reached DONE at the exchange. */
  releases: { requested: number; done: number };
  /** Refunds by state, from the city's journal: made payable, in a file for the finance system, confirmed paid. */
  refunds?: { payable: string; instructed: string; paid: string; outstanding: string };
  /** Sale proceeds confirmed moved to the treasury, and what is still at the exchange. */
  treasury?: { movedKrw: string; atExchangeKrw: string };
  /** The custody reconciliation at the end of the run. */
  reconciliation?: { exchangeMatchesLedger: boolean; differences: number };
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

/** Each settled sale's quality figures from its sale record, by sale id. */
/** The sale desks' figures over a city's desks (docs/SALE-DESK.md): what the desks did together. */
export interface DeskFiguresSummary {
  /** Desks (market and day) that ran, and their executions (a desk reopened the same day runs again). */
  desks: number;
  runs: number;
  orders: number;
  /**
   * Value-weighted implementation shortfall over the desks' fills: each case's coins against the mid
   * of its own sale's decision, fees included (the per-sale figure's execution cost and fees, over
   * the same fills; docs/SALE-DESK.md "The desk's figures").
   */
  implementationShortfallBps?: string;
  /** The largest share of a minute's market volume one desk order took (estimated from the 24 h volume). */
  maxParticipationPerMinute: string;
}

/** Reads the desks named (city, desk id) and sums their figures. */
export async function readDeskFigures(
  desks: { get(cityId: string, deskId: string): Promise<DeskRecord | undefined> },
  refs: readonly { cityId: string; deskId: string }[],
): Promise<DeskFiguresSummary> {
  const unique = [...new Map(refs.map((r) => [`${r.cityId}#${r.deskId}`, r])).values()];
  let orders = 0;
  let runs = 0;
  let arrival = new Decimal(0);
  let gross = new Decimal(0);
  let fee = new Decimal(0);
  let participation = new Decimal(0);
  for (const r of unique) {
    const d = await desks.get(r.cityId, r.deskId);
    if (!d) continue;
    orders += d.figures.orders;
    runs += d.run;
    arrival = arrival.add(d.figures.arrivalValueKrw);
    gross = gross.add(d.figures.grossKrw);
    fee = fee.add(d.figures.feeKrw);
    participation = Decimal.max(participation, d.figures.maxParticipation);
  }
  const shortfall = deskShortfallBps({ ...emptyFigures(), arrivalValueKrw: arrival, grossKrw: gross, feeKrw: fee });
  return {
    desks: unique.length,
    runs,
    orders,
    ...(shortfall ? { implementationShortfallBps: shortfall.toDecimalPlaces(2).toFixed(2) } : {}),
    maxParticipationPerMinute: participation.toDecimalPlaces(4).toFixed(),
  };
}

export async function readSaleQuality(
  sales: {
    get(cityId: string, caseId: string, saleId: string): Promise<{ quality?: Record<string, string> } | undefined>;
  },
  statements: readonly StatementData[],
): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const s of statements) {
    for (const a of s.audit.filter((x) => x.action === 'SETTLE_SALE' && x.details.saleId)) {
      const record = await sales.get(s.case.cityId, s.case.caseId, a.details.saleId as string);
      if (record?.quality) out.set(a.details.saleId as string, record.quality);
    }
  }
  return out;
}

export async function readStatements(store: CaseStore, cityId: string, concurrency = 8): Promise<StatementData[]> {
  const ids = await allCaseIds(store, cityId);
  const out = new Array<StatementData>(ids.length);
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

const dec = (v: string | undefined): Decimal | undefined =>
  v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? new Decimal(v) : undefined;

/**
 * @param saleRecords each sale's quality figures from its sale record (by sale id); where absent,
 *   the settlement's audit details (the same figures, written in the same transaction) are used.
 */
export function summarize(
  cityId: string,
  statements: readonly StatementData[],
  saleRecords?: ReadonlyMap<string, Readonly<Record<string, string>>>,
): RunSummary {
  const byState: Partial<Record<CaseStatus, number>> = {};
  let owed = ZERO;
  let outstanding = ZERO;
  const totals = { allocation: ZERO, allocationBySale: ZERO, refund: ZERO, fee: ZERO, gross: ZERO, rounding: ZERO };
  const released: Record<string, Decimal> = {};
  const releasesByReason: Record<string, number> = {};
  const releases = { requested: 0, done: 0 };
  const notices = { total: 0, byKind: {} as Record<string, number>, pending: 0, delivered: 0 };
  const unbalanced: string[] = [];
  const quality = {
    sales: 0,
    measured: 0,
    slipWeighted: ZERO,
    slipWeight: ZERO,
    shortWeighted: ZERO,
    shortWeight: ZERO,
    worst: undefined as Decimal | undefined,
    overshoot: ZERO,
    slices: 0,
    pauses: 0,
  };

  for (const s of statements) {
    const c = s.case;
    byState[c.status] = (byState[c.status] ?? 0) + 1;
    const registration = s.audit.find((a) => a.action === 'REGISTER');
    owed = owed.add(new Decimal(registration?.details.arrears ?? '0'));
    if (!['SETTLED', 'PAID', 'CANCELLED'].includes(c.status)) {
      outstanding = outstanding.add(c.balance.owed);
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
      releases.requested++;
      if (r.status === 'DONE') releases.done++;
      released[r.market] = (released[r.market] ?? ZERO).add(r.quantity);
      releasesByReason[r.reason] = (releasesByReason[r.reason] ?? 0) + 1;
    }
    for (const n of s.notices) {
      notices.total++;
      notices.byKind[n.kind] = (notices.byKind[n.kind] ?? 0) + 1;
      if (n.status === 'PENDING') notices.pending++;
      if (n.status === 'SENT' && n.channel !== undefined && n.channel !== 'LOCAL_FOLDER') notices.delivered++;
    }

    // Sale quality from each sale's record (or its settlement's audit details).
    for (const a of s.audit.filter((x) => x.action === 'SETTLE_SALE')) {
      quality.sales++;
      const figures = saleRecords?.get(a.details.saleId ?? '') ?? a.details;
      const gross = dec(a.details.grossKrw) ?? ZERO;
      const slip = dec(figures.arrivalSlippageBps);
      const short = dec(figures.implementationShortfallBps);
      const paper = dec(figures.paperValueKrw) ?? gross;
      quality.overshoot = quality.overshoot.add(dec(figures.overshootKrw) ?? ZERO);
      quality.slices += Number(figures.slices ?? 0);
      quality.pauses += Number(figures.pauses ?? 0);
      if (slip !== undefined && gross.gt(0)) {
        quality.slipWeighted = quality.slipWeighted.add(slip.mul(gross));
        quality.slipWeight = quality.slipWeight.add(gross);
      }
      if (short !== undefined && paper.gt(0)) {
        quality.measured++;
        quality.shortWeighted = quality.shortWeighted.add(short.mul(paper));
        quality.shortWeight = quality.shortWeight.add(paper);
        if (quality.worst === undefined || short.gt(quality.worst)) quality.worst = short;
      }
    }
  }

  const saleQuality: SaleQualityFigures = {
    sales: quality.sales,
    measured: quality.measured,
    source: saleRecords && saleRecords.size > 0 ? 'sale records' : 'settlement audit',
    ...(quality.slipWeight.gt(0)
      ? { arrivalSlippageBps: quality.slipWeighted.div(quality.slipWeight).toDecimalPlaces(2).toFixed(2) }
      : {}),
    ...(quality.shortWeight.gt(0)
      ? { implementationShortfallBps: quality.shortWeighted.div(quality.shortWeight).toDecimalPlaces(2).toFixed(2) }
      : {}),
    ...(quality.worst !== undefined ? { worstShortfallBps: quality.worst.toFixed(2) } : {}),
    ...(quality.sales > 0
      ? { overshootKrw: quality.overshoot.toFixed(0), slices: quality.slices, pauses: quality.pauses }
      : {}),
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
    releasedCoins: Object.fromEntries(
      Object.entries(released)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, q]) => [m, q.toFixed()]),
    ),
    releasesByReason,
    releases,
    notices,
    saleQuality,
    balanced: unbalanced.length === 0,
    unbalanced,
  };
}

function allocatedFrom(s: StatementData, source: string): Decimal {
  return sum(
    s.ledger.flatMap((b) =>
      b.entries.filter((e) => e.kind === 'ALLOCATION' && e.source === source).map((e) => e.amount),
    ),
  );
}

/**
 * Refunds and proceeds from the city's journal, added to a summary: every won refunded in the
 * ledger must be in exactly one refund state (else the summary is not balanced). The figures are
 * cumulative, as a reader of the run expects: `payable` every refund that arose, `instructed` what
 * went into a finance file, `paid` what the city confirmed paid, `outstanding` what is still owed.
 */
export async function withMoneyOut(
  summary: RunSummary,
  journal: Pick<DynamoDbJournalStore, 'refundLines' | 'instructions' | 'krwLines'>,
): Promise<RunSummary> {
  const [lines, instructions, krw] = await Promise.all([
    journal.refundLines(summary.cityId),
    journal.instructions(summary.cityId),
    journal.krwLines(summary.cityId),
  ]);
  const t = refundTotals(lines, instructions);
  const inStates = t.payable.add(t.instructed).add(t.paid);
  const unbalanced = inStates.eq(new Decimal(summary.refundedKrw))
    ? summary.unbalanced
    : [
        ...summary.unbalanced,
        `refunds: ledger ${summary.refundedKrw} ≠ payable + instructed + paid ${inStates.toFixed()}`,
      ];
  return {
    ...summary,
    refunds: {
      payable: inStates.toFixed(0),
      instructed: t.instructed.add(t.paid).toFixed(0),
      paid: t.paid.toFixed(0),
      outstanding: t.payable.add(t.instructed).toFixed(0),
    },
    treasury: {
      movedKrw: sum(krw.filter((l) => l.transfer).map((l) => l.amount.neg())).toFixed(0),
      atExchangeKrw: sum(krw.map((l) => l.amount)).toFixed(),
    },
    balanced: unbalanced.length === 0,
    unbalanced,
  };
}
