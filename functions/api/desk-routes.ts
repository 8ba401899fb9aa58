/**
 * The sale desks as officers follow them (docs/SALE-DESK.md): a city's desks of a Korean day, and
 * one desk's members, its orders (newest first, page by page) and each case's share of each order.
 * Read from the desk's records only; same roles, city scoping and validation as every route.
 */
import type { z } from 'zod';
import { kstDate } from '#domain/dates';
import { sum } from '#domain/money';
import type { DeskOrder, DeskRecord, DeskStore, MemberStatus } from '#adapters/dynamodb/desk-store';
import { deskExecutionName } from '#adapters/workflow/sale-workflow';
import { Problem } from './problem';
import { defineRoute, type AnyRoute } from './router';
import type { RouteDeps } from './routes';
import {
  DeskDetailView,
  DeskListQuery,
  DeskListView,
  DeskParams,
  DeskQuery,
  DeskSummaryView,
  ProblemView,
} from './schemas';

export type DeskReads = Pick<DeskStore, 'ofDay' | 'get' | 'members' | 'memberCounts' | 'ordersOfSlices'>;

const OVERSIGHT = ['OFFICER', 'AUDITOR'] as const;
const COMMON = {
  400: { description: 'The request is not valid: the problem names each wrong field.', schema: ProblemView },
  403: { description: 'The caller is unknown or its role may not do this.', schema: ProblemView },
};

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
      ...(fill ? { quantity: fill.quantity.toFixed(), grossKrw: fill.grossKrw.toFixed(), feeKrw: fill.feeKrw.toFixed() } : {}),
    };
  }),
});

function desksOf(deps: RouteDeps): DeskReads {
  if (!deps.desks) throw new Problem(404, 'not-found', 'No such desk', 'this deployment runs no sale desk');
  return deps.desks;
}

export const deskRoutes: readonly AnyRoute<RouteDeps>[] = [
  defineRoute<RouteDeps, z.ZodUndefined, typeof DeskListQuery>({
    kind: 'read',
    method: 'GET',
    path: '/sale-desks',
    operationId: 'listSaleDesks',
    summary: 'A city’s sale desks of a Korean day, one per market: run, state, members, what they sold',
    description:
      'One desk per market and day sells the coins of every case selling that coin together (docs/SALE-DESK.md). Not paged: one item per market the city sold that day.',
    roles: OVERSIGHT,
    query: DeskListQuery,
    responses: { 200: { description: 'The day’s desks, by market.', schema: DeskListView }, ...COMMON },
    async handle({ query, now }, deps) {
      const desks = deps.desks ? await deps.desks.ofDay(query.city, query.day ?? kstDate(now)) : [];
      const items = await Promise.all(
        desks.map(async (d) => deskView(d, await desksOf(deps).memberCounts(d.cityId, d.deskId))),
      );
      return { status: 200, body: { items: items.sort((a, b) => (a.market < b.market ? -1 : 1)) } };
    },
  }),

  defineRoute<RouteDeps, typeof DeskParams, typeof DeskQuery>({
    kind: 'read',
    method: 'GET',
    path: '/sale-desks/{deskId}',
    operationId: 'getSaleDesk',
    summary:
      'One sale desk: its members with what each offered and sold, and its orders (newest first, page by page) with each case’s share',
    roles: OVERSIGHT,
    params: DeskParams,
    query: DeskQuery,
    responses: {
      200: { description: 'The desk.', schema: DeskDetailView },
      ...COMMON,
      404: { description: 'No such desk in this city.', schema: ProblemView },
    },
    async handle({ params, query }, deps) {
      const desks = desksOf(deps);
      const desk = await desks.get(query.city, params.deskId);
      if (!desk) throw new Problem(404, 'not-found', 'No such desk', `city ${query.city} has no desk ${params.deskId}`);
      const members = await desks.members(query.city, params.deskId);
      const counts: Record<MemberStatus, number> = { ACTIVE: 0, WITHDRAWN: 0, DONE: 0 };
      for (const m of members) counts[m.status]++;
      // Slices are numbered 1..sliceCount: a page is the slices below the cursor, newest first.
      const top = Math.min(desk.sliceCount, (query.cursor ?? desk.sliceCount + 1) - 1);
      const bottom = Math.max(1, top - (query.limit ?? 20) + 1);
      const slices = top >= 1 ? Array.from({ length: top - bottom + 1 }, (_, i) => top - i) : [];
      const orders = await desks.ordersOfSlices(query.city, params.deskId, slices);
      return {
        status: 200,
        body: {
          ...deskView(desk, counts),
          memberList: members.map((m) => ({
            caseId: m.caseId,
            saleId: m.saleId,
            status: m.status,
            ...(m.reason ? { reason: m.reason } : {}),
            joinedAt: m.joinedAt,
            offered: m.offered.toFixed(),
            ...(m.floorPrice ? { floorPrice: m.floorPrice.toFixed() } : {}),
            sold: sum(Object.values(m.sold)).toFixed(),
          })),
          orderList: orders.map(orderView),
          ...(bottom > 1 && top >= 1 ? { cursor: String(bottom) } : {}),
        },
      };
    },
  }),
];
