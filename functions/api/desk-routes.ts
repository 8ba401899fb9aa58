/**
 * The sale desks as officers follow them (docs/SALE-DESK.md): a city's desks of a Korean day, or
 * one desk's members, its orders (newest first, page by page) and each case's share of each order.
 * Read from the desk's records only; same roles, city scoping and validation as every route.
 */
import type * as z from 'zod/mini';
import { kstDate } from '#domain/dates';
import { sum } from '#domain/money';
import {
  deskIdOf,
  type DeskOrder,
  type DeskRecord,
  type DeskStore,
  type MemberStatus,
} from '#adapters/dynamodb/desk-store';
import { deskExecutionName } from '#adapters/workflow/sale-workflow';
import { defineRoute, type AnyRoute } from './router';
import type { RouteDeps } from './routes';
import { COMMON, readExecution } from './sale-routes';
import { DeskListQuery, DeskListView, DeskSummaryView } from './schemas';

export type DeskReads = Pick<DeskStore, 'ofDay' | 'get' | 'memberPage' | 'memberCounts' | 'ordersOfSlices'>;

const OVERSIGHT = ['OFFICER', 'AUDITOR'] as const;

function deskView(d: DeskRecord, members: Record<MemberStatus, number>): z.infer<typeof DeskSummaryView> {
  return {
    cityId: d.cityId,
    deskId: d.deskId,
    market: d.market,
    day: d.day,
    status: d.status,
    run: d.run,
    execution: deskExecutionName(d),
    startedAt: d.startedAt,
    ...(d.endedAt ? { endedAt: d.endedAt } : {}),
    ...(d.lastDecision ? { lastDecision: { ...d.lastDecision } } : {}),
    members: { active: members.ACTIVE, withdrawn: members.WITHDRAWN, done: members.DONE },
    slices: d.sliceCount,
    openOrders: d.openOrders.length,
    orders: d.figures.orders,
    soldQuantity: d.figures.soldQuantity.toFixed(),
    grossKrw: d.figures.grossKrw.toFixed(),
    ...(d.arrivalMid ? { arrivalMid: d.arrivalMid.toFixed() } : {}),
    arrivalValueKrw: d.figures.arrivalValueKrw.toFixed(),
    maxParticipation: d.figures.maxParticipation.toFixed(),
  };
}

const orderView = (o: DeskOrder) => ({
  identifier: o.identifier,
  slice: o.slice,
  plannedAt: o.plannedAt,
  ...(o.sentAt ? { sentAt: o.sentAt } : {}),
  status: o.status,
  limitPrice: o.limitPrice.toFixed(),
  binding: o.binding,
  volume: o.volume.toFixed(),
  executedVolume: o.executedVolume?.toFixed() ?? '0',
  grossKrw: o.grossKrw?.toFixed() ?? '0',
  feeKrw: o.feeKrw?.toFixed() ?? '0',
  ...(o.volumePerMinute?.gt(0) && o.executedVolume
    ? { participation: o.executedVolume.div(o.volumePerMinute).toDecimalPlaces(6).toFixed() }
    : {}),
  ...(o.absentReason ? { absentReason: o.absentReason } : {}),
  shares: o.offers.map((offer) => {
    const fill = o.allocation?.find((f) => f.caseId === offer.caseId);
    return {
      caseId: offer.caseId,
      offered: offer.quantity.toFixed(),
      ...(offer.floorPrice ? { floorPrice: offer.floorPrice.toFixed() } : {}),
      ...(fill
        ? { quantity: fill.quantity.toFixed(), grossKrw: fill.grossKrw.toFixed(), feeKrw: fill.feeKrw.toFixed() }
        : {}),
    };
  }),
});

/**
 * One desk with a page of its members (by case id, after `memberCursor`), the page of its orders
 * below `cursor` (slices are numbered 1..sliceCount), its runs of the day and one run's states.
 */
async function deskDetail(
  deps: RouteDeps & { desks: DeskReads },
  desk: DeskRecord,
  query: z.output<typeof DeskListQuery>,
) {
  const { desks } = deps;
  const limit = query.limit ?? 20;
  const top = Math.min(desk.sliceCount, (query.cursor ?? desk.sliceCount + 1) - 1);
  const bottom = Math.max(1, top - limit + 1);
  const slices = top >= 1 ? Array.from({ length: top - bottom + 1 }, (_, i) => top - i) : [];
  const runs = Array.from({ length: desk.run }, (_, i) => ({
    run: i + 1,
    name: deskExecutionName({ ...desk, run: i + 1 }),
  }));
  const shown = runs[(query.run ?? desk.run) - 1];
  const [counts, page, orders, executionStates] = await Promise.all([
    desks.memberCounts(desk.cityId, desk.deskId),
    desks.memberPage(desk.cityId, desk.deskId, {
      limit: query.memberLimit ?? 50,
      ...(query.memberCursor ? { after: query.memberCursor } : {}),
    }),
    desks.ordersOfSlices(desk.cityId, desk.deskId, slices),
    shown ? readExecution(deps.deskExecutions, shown, deps.logger) : undefined,
  ]);
  return {
    ...deskView(desk, counts),
    memberList: page.members.map((m) => ({
      caseId: m.caseId,
      saleId: m.saleId,
      status: m.status,
      ...(m.reason ? { reason: m.reason } : {}),
      joinedAt: m.joinedAt,
      offered: m.offered.toFixed(),
      ...(m.floorPrice ? { floorPrice: m.floorPrice.toFixed() } : {}),
      sold: sum(Object.values(m.sold)).toFixed(),
    })),
    ...(page.next ? { memberCursor: page.next } : {}),
    orderList: orders.map(orderView),
    ...(top > 1 && bottom > 1 ? { cursor: String(bottom) } : {}),
    runs,
    ...(executionStates ? { executionStates } : {}),
  };
}

export const deskRoutes: readonly AnyRoute<RouteDeps>[] = [
  // One route (each costs API Gateway resources on both APIs): with market, the desk's detail, as /cases' detail=true.
  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof DeskListQuery>({
    kind: 'read',
    method: 'GET',
    path: '/sale-desks',
    operationId: 'listSaleDesks',
    summary: 'A city’s sale desks of a Korean day, one per market; with market, that desk’s members, orders and shares',
    description:
      'One desk per market and day sells the coins of every case selling that coin together (docs/SALE-DESK.md). Each desk: its run and Step Functions execution, state, members, what it sold, its orders and participation (not paged: one per market). With market: that desk alone, with its members (what each offered and sold) and its orders newest first, page by page, each with every case’s share.',
    roles: OVERSIGHT,
    query: DeskListQuery,
    responses: { 200: { description: 'The day’s desks, by market.', schema: DeskListView }, ...COMMON },
    async handle({ query, now }, deps) {
      const desks = deps.desks;
      const day = query.day ?? kstDate(now);
      if (!desks) return { status: 200, body: { items: [] } };
      if (query.market) {
        const desk = await desks.get(query.city, deskIdOf(query.market, day));
        const items = desk ? [await deskDetail({ ...deps, desks }, desk, query)] : [];
        return { status: 200, body: { items } };
      }
      const items = await Promise.all(
        (await desks.ofDay(query.city, day)).map(async (d) =>
          deskView(d, await desks.memberCounts(d.cityId, d.deskId)),
        ),
      );
      return { status: 200, body: { items: items.sort((a, b) => (a.market < b.market ? -1 : 1)) } };
    },
  }),
];
