/**
 * The reads the officers' console needs beyond the case routes: sale runs (every running and
 * finished sale of a city, and one sale's slices, pauses, escalation, quality and approvals) and the
 * filtered case listing. Same roles, city scoping and validation as every route (router.ts, app.ts).
 */
import type * as z from 'zod/mini';
import type { Case, CaseStatus } from '#domain/case';
import { CaseNotFoundError, type CaseSummary, type Page } from '#domain/case-store';
import { addDays, kstDate } from '#domain/dates';
import { approvalsNeeded } from '#domain/four-eyes';
import type { OrderRecord, SaleRecord } from '#adapters/dynamodb/sale-store';
import { renderNotice } from '#domain/notices';
import type { SaleExecutions } from '#adapters/workflow/execution-history';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';
import { defineRoute, type AnyRoute } from './router';
import type { RouteDeps } from './routes';
import {
  CaseListView,
  CityQuery,
  ListQuery,
  ProblemView,
  SaleDetailView,
  SaleListQuery,
  SaleListView,
  SaleParams,
  SaleRunView,
  CaseParams,
  NoticeListView,
  SaleDetailQuery,
  type ExecutionRef,
  type ExecutionStatesView,
} from './schemas';
import { caseListView } from './views';

const READERS = ['CITY_SYSTEM', 'OFFICER', 'AUDITOR'] as const;
/** The 400 and 403 every read route may answer (shared with desk-routes.ts). */
export const COMMON = {
  400: { description: 'The request is not valid: the problem names each wrong field.', schema: ProblemView },
  403: { description: 'The caller is unknown or its role may not do this.', schema: ProblemView },
};

const text = (d: { toFixed(): string } | undefined) => d?.toFixed();

/** One sale run as the console lists it: where it stands, its approvals (four eyes), its figures. */
export function saleRunView(c: Case, sale: SaleRecord, deps: Pick<RouteDeps, 'policy'>): z.infer<typeof SaleRunView> {
  const approvals = c.saleApproval?.saleId === sale.saleId ? c.saleApproval.approvals : [];
  const needed =
    sale.approval && deps.policy ? approvalsNeeded(sale.approval.plannedValueKrw, deps.policy) : sale.approval ? 1 : 0;
  return {
    cityId: sale.cityId,
    caseId: sale.caseId,
    saleId: sale.saleId,
    status: sale.status,
    caseStatus: c.status,
    requestedBy: sale.requestedBy,
    startedAt: sale.startedAt,
    ...(sale.endedAt ? { endedAt: sale.endedAt } : {}),
    needAtStartKrw: sale.needAtStartKrw.toFixed(),
    ...(sale.arrival
      ? { plannedValueKrw: sale.arrival.plannedValueKrw.toFixed(), markets: sale.arrival.legs.map((l) => l.market) }
      : {}),
    approval: {
      needed,
      ...(sale.approval
        ? { requestedAt: sale.approval.requestedAt, plannedValueKrw: sale.approval.plannedValueKrw.toFixed() }
        : {}),
      approvedBy: approvals.map((a) => ({ by: a.by, at: a.at })),
      // Who may not approve (four eyes): whoever asked for the sale or last changed the case's bills or holds.
      interested: [c.saleRequest?.requestedBy, c.changedBy?.bills, c.changedBy?.holds].filter(
        (x): x is string => x !== undefined,
      ),
    },
    slices: sale.sliceCount,
    pauses: sale.pauseCount,
    ...(sale.escalation ? { escalation: { ...sale.escalation } } : {}),
    ...(sale.stopReason ? { stopReason: sale.stopReason } : {}),
    ...(sale.error ? { error: `${sale.error.error}: ${sale.error.cause}`.slice(0, 500) } : {}),
    ...(sale.outcome ? { outcome: sale.outcome } : {}),
    ...(sale.quality ? { quality: { ...sale.quality } } : {}),
  };
}

const sliceView = (o: OrderRecord) => ({
  identifier: o.identifier,
  slice: o.slice,
  market: o.market,
  plannedAt: o.plannedAt,
  ...(o.sentAt ? { sentAt: o.sentAt } : {}),
  status: o.status,
  limitPrice: o.limitPrice.toFixed(),
  referencePrice: o.referencePrice.toFixed(),
  binding: o.binding,
  volume: o.volume.toFixed(),
  executedVolume: text(o.executedVolume) ?? '0',
  grossKrw: text(o.grossKrw) ?? '0',
  feeKrw: text(o.feeKrw) ?? '0',
  ...(o.firstTradeAt ? { firstTradeAt: o.firstTradeAt } : {}),
  ...(o.exchangeState ? { exchangeState: o.exchangeState } : {}),
  ...(o.deskId ? { deskId: o.deskId } : {}),
});

/** Cases a filtered listing reads at most per request: past it, the page returns what matched so far and its cursor. */
export const FILTER_SCAN_BUDGET = 500;

/**
 * GET /cases: one page by status. With a filter, the filter applies to the whole listing
 * (filledPage): each case examined is read once for its reference, coins and coverage, and
 * following the cursor pages over the filtered results.
 */
export async function caseListing(
  query: z.output<typeof ListQuery>,
  deps: RouteDeps,
  now: Date,
): Promise<z.infer<typeof CaseListView>> {
  const filtered =
    query.coin !== undefined ||
    query.coverage !== undefined ||
    query.deadlineWithinDays !== undefined ||
    query.taxpayerRef !== undefined;
  const want = query.limit ?? 50;
  const sheet = query.detail === 'true' || filtered ? await deps.prices?.coverageSheet?.(query.city) : undefined;
  const coverage = new Map((sheet?.entries ?? []).map((e) => [e.caseId, { state: e.state, ratio: e.ratio }]));
  const until = query.deadlineWithinDays === undefined ? undefined : addDays(kstDate(now), query.deadlineWithinDays);

  /** The page's items that match, each with its detail. */
  async function matching(page: Page<CaseSummary>) {
    // The summary's deadline and the coverage sheet decide without reading the case.
    const candidates = caseListView(page).items.filter((item) => {
      if (until !== undefined && (!item.deadline || item.deadline > until)) return false;
      return query.coverage === undefined || coverage.get(item.caseId)?.state === query.coverage;
    });
    const cases = await Promise.all(candidates.map((item) => deps.store.get(query.city, item.caseId)));
    return candidates.flatMap((item, i) => {
      const c = cases[i];
      if (!c) return [];
      const markets = c.holdings.map((h) => h.market);
      if (query.coin !== undefined && !markets.includes(`KRW-${query.coin}`)) return [];
      if (
        query.taxpayerRef !== undefined &&
        c.taxpayer.ref !== query.taxpayerRef &&
        c.cityCaseRef !== query.taxpayerRef
      )
        return [];
      const cover = coverage.get(c.caseId);
      return [
        {
          ...item,
          taxpayerRef: c.taxpayer.ref,
          cityCaseRef: c.cityCaseRef,
          markets,
          ...(cover ? { coverage: cover } : {}),
        },
      ];
    });
  }

  if (!filtered) {
    const page = await deps.store.listByStatus(query.city, query.status, {
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: want,
    });
    return query.detail === 'true'
      ? { items: await matching(page), ...(page.cursor ? { cursor: page.cursor } : {}) }
      : caseListView(page);
  }
  return filledPage(
    (cursor, limit) => deps.store.listByStatus(query.city, query.status, { ...(cursor ? { cursor } : {}), limit }),
    matching,
    want,
    query.cursor,
  );
}

/**
 * A page of a filtered listing: reads the listing on from `cursor`, asking for no more than the
 * page still needs (so the listing's cursor is always just after the last item examined), keeps
 * the matches, until the page is full, FILTER_SCAN_BUDGET items were read, or the listing ends.
 * A page the budget cut short says so (truncated, examined): its cursor reads on.
 */
async function filledPage<S, T>(
  read: (cursor: string | undefined, limit: number) => Promise<Page<S>>,
  keep: (page: Page<S>) => Promise<T[]>,
  want: number,
  from: string | undefined,
): Promise<{ items: T[]; cursor?: string; truncated?: true; examined?: number }> {
  const items: T[] = [];
  let cursor = from;
  let examined = 0;
  do {
    const page = await read(cursor, Math.min(want - items.length, FILTER_SCAN_BUDGET - examined));
    examined += page.items.length;
    items.push(...(await keep(page)));
    cursor = page.cursor;
  } while (cursor && items.length < want && examined < FILTER_SCAN_BUDGET);
  if (!cursor) return { items };
  return items.length < want ? { items, cursor, truncated: true, examined } : { items, cursor };
}

/** The states the execution views list: the latest visits of one execution (a day's run has hundreds). */
const STATES_SHOWN = 200;

/** An execution's states as Step Functions ran them; left out (and logged) when its history cannot be read. */
export async function readExecution(
  executions: SaleExecutions | undefined,
  ref: z.infer<typeof ExecutionRef>,
  logger: RouteDeps['logger'],
): Promise<z.infer<typeof ExecutionStatesView> | undefined> {
  if (!executions) return undefined;
  try {
    const states = await executions.states(ref.name, STATES_SHOWN);
    return states ? { ...ref, ...states } : undefined;
  } catch (error) {
    logger.warn('an execution’s history could not be read', { executionName: ref.name, error });
    return undefined;
  }
}

/** A sale's executions, first to current: one a day for a long sale (`_c<n>`). */
function executionsOf(sale: SaleRecord): z.infer<typeof ExecutionRef>[] {
  const current = sale.continuations ?? 0;
  return Array.from({ length: current + 1 }, (_, continuation) => ({
    continuation,
    name:
      continuation === current && sale.executionName
        ? sale.executionName
        : saleExecutionName(sale.cityId, sale.saleId, continuation),
  }));
}

const SALE_CASE_STATES: Record<string, CaseStatus> = { SELLING: 'SELLING', SETTLED: 'SETTLED', SHORTFALL: 'SHORTFALL' };

export const saleRoutes: readonly AnyRoute<RouteDeps>[] = [
  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof SaleListQuery>({
    kind: 'read',
    method: 'GET',
    path: '/sales',
    operationId: 'listSales',
    summary: 'A city’s sale runs, by the state of their cases: running (SELLING) or finished (SETTLED, SHORTFALL)',
    description:
      'Each item is the case’s latest sale: its state as the sale workflow recorded it, approvals (four eyes), slices, pauses, escalation and quality figures. awaitingApproval=true keeps those waiting for an officer.',
    roles: READERS,
    query: SaleListQuery,
    responses: { 200: { description: 'One page of sale runs.', schema: SaleListView }, ...COMMON },
    async handle({ query }, deps) {
      const runsOf = async (page: Page<CaseSummary>) => {
        const runs = await Promise.all(
          page.items.map(async (s) => {
            const c = await deps.store.get(query.city, s.caseId);
            const sale = c?.saleId && deps.sales ? await deps.sales.get(query.city, c.caseId, c.saleId) : undefined;
            return c && sale ? saleRunView(c, sale, deps) : undefined;
          }),
        );
        return runs
          .filter((r): r is NonNullable<typeof r> => r !== undefined)
          .filter(
            (r) =>
              query.awaitingApproval !== 'true' ||
              (r.status === 'AWAITING_APPROVAL' && r.approval.approvedBy.length < Math.max(1, r.approval.needed)),
          );
      };
      // awaitingApproval=true applies to the whole listing, as the case filters do.
      const body = await filledPage(
        (cursor, limit) =>
          deps.store.listByStatus(query.city, SALE_CASE_STATES[query.state ?? 'SELLING'], {
            ...(cursor ? { cursor } : {}),
            limit,
          }),
        runsOf,
        query.limit ?? 20,
        query.cursor,
      );
      return { status: 200, body };
    },
  }),

  defineRoute<RouteDeps, typeof SaleParams, typeof SaleDetailQuery>({
    kind: 'read',
    method: 'GET',
    // Not under /cases/{caseId}: an execute-api ARN's * spans '/' (see /audit-trails).
    path: '/sales/{caseId}/{saleId}',
    operationId: 'getSale',
    summary:
      'One sale run: its state, every slice (time, price, quantity, fill), pauses and their reasons, escalation, quality, and its execution state by state as Step Functions ran it',
    description:
      'A long sale goes on in a new execution each day: `executions` lists them, and `execution` picks the one shown state by state (default the current one).',
    roles: READERS,
    params: SaleParams,
    query: SaleDetailQuery,
    responses: {
      200: { description: 'The sale run.', schema: SaleDetailView },
      ...COMMON,
      404: { description: 'No such sale of this city, or no such execution of the sale.', schema: ProblemView },
    },
    async handle({ params, query }, deps) {
      const c = await deps.store.get(query.city, params.caseId);
      const sale = c && deps.sales ? await deps.sales.get(query.city, params.caseId, params.saleId) : undefined;
      if (!c || !sale || !deps.sales)
        throw new CaseNotFoundError(query.city, `${params.caseId} (sale ${params.saleId})`);
      const executions = executionsOf(sale);
      const shown = executions[query.execution ?? executions.length - 1];
      if (!shown)
        throw new CaseNotFoundError(
          query.city,
          `${params.caseId} (sale ${params.saleId} has no execution ${query.execution}: ${executions.length} so far)`,
        );
      const [orders, execution] = await Promise.all([
        // The case's orders of this sale: its own slices and its shares of desk orders (`<city>.<deskId>.s<n>.<caseId>`).
        deps.sales.caseOrders(query.city, params.caseId).then((all) => all.filter((o) => o.saleId === params.saleId)),
        readExecution(deps.executions, shown, deps.logger),
      ]);
      return {
        status: 200,
        body: {
          ...saleRunView(c, sale, deps),
          ...(sale.arrival
            ? {
                arrival: {
                  decidedAt: sale.arrival.decidedAt,
                  needKrw: sale.arrival.needKrw.toFixed(),
                  legs: sale.arrival.legs.map((l) => ({ market: l.market, quantity: l.quantity.toFixed() })),
                  mids: Object.fromEntries(Object.entries(sale.arrival.mids).map(([m, p]) => [m, p.toFixed()])),
                },
              }
            : {}),
          pauseLog: sale.pauses.map((p) => ({ at: p.at, market: p.market, reason: p.reason, action: p.action })),
          slicesLog: orders.map(sliceView), // in the order they were planned (caseOrders)
          executions,
          ...(execution ? { execution } : {}),
        },
      };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    // Not under /cases/{caseId} (see /audit-trails): the taxpayer's letters are for officers and auditors.
    path: '/notices/{caseId}',
    operationId: 'listNotices',
    summary: 'The case’s notices as the taxpayer reads them (title and Korean text), with their dispatch state',
    roles: ['OFFICER', 'AUDITOR'],
    params: CaseParams,
    query: CityQuery,
    responses: {
      200: { description: 'The notices, oldest first.', schema: NoticeListView },
      ...COMMON,
      404: { description: 'No such case in this city.', schema: ProblemView },
    },
    async handle({ params, query }, deps) {
      const data = await deps.store.statement(query.city, params.caseId);
      if (!data) throw new CaseNotFoundError(query.city, params.caseId);
      const items = data.notices.map((n) => {
        let rendered: { title: string; body: string } | undefined;
        try {
          const r = renderNotice(n.content);
          rendered = { title: r.title, body: r.body };
        } catch {
          rendered = undefined;
        }
        return {
          noticeId: n.noticeId,
          kind: n.kind,
          createdAt: n.createdAt,
          status: n.status,
          ...(n.channel ? { channel: n.channel } : {}),
          ...(rendered ?? { title: n.kind, body: '' }),
        };
      });
      return { status: 200, body: { cityId: query.city, caseId: params.caseId, items } };
    },
  }),
];
