/**
 * The taxpayer's routes (docs/SELF_SERVICE.md): open a session with the notice's code and the
 * second check; then, with the session, read the statement, preview a sale and ask for one. Every
 * route reads only the case the session names; the sale request is the one change, made by the
 * domain's own `requestSaleByTaxpayer` with its evidence (channel SELF_SERVICE, when, the notice).
 */
import type * as z from 'zod/mini';
import { requestSaleByTaxpayer, type Case } from '#domain/case';
import { CaseNotFoundError, type CaseStore } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { kstDate } from '#domain/dates';
import { decimal, type Decimal } from '#domain/money';
import { ACCESS_LIMITS, previewSale } from '#domain/self-service';
import type { AccessOutcome, DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import {
  checkDigest,
  checkMatches,
  codeMatches,
  normalizeCode,
  signSession,
  type AccessKeys,
  type TaxpayerSession,
} from '#adapters/self-service/access-keys';
import type { Change, Reply, ResponseSpec, RouteSpec } from '../api/router';
import { invalid, Problem } from '../api/problem';
import { ProblemView } from '../api/schemas';
import type { LatestPrices } from '../api/views';
import {
  floorsFromQuery,
  SalePreviewQuery,
  SalePreviewView,
  SaleRequestedView,
  SessionBody,
  SessionView,
  TaxpayerSaleRequestBody,
  TaxpayerStatementView,
} from './schemas';
import { taxpayerStatement } from './views';

export interface TaxpayerDeps {
  store: Pick<CaseStore, 'get' | 'statement' | 'commit' | 'create' | 'getIdempotency'>;
  settings: CitySettingsSource;
  selfService: Pick<
    DynamoDbSelfServiceStore,
    'getLink' | 'getCheck' | 'reserveAttempt' | 'clearAttempts' | 'recordAccess'
  >;
  keys: () => Promise<AccessKeys>;
  prices?: LatestPrices;
  /** Sale progress: the orders of the case's sale. */
  orders?: {
    caseOrders(
      cityId: string,
      caseId: string,
    ): Promise<
      {
        saleId: string;
        market: string;
        status: string;
        executedVolume?: Decimal;
        grossKrw?: Decimal;
        feeKrw?: Decimal;
      }[]
    >;
  };
  newId(prefix: string): string;
}

export interface TaxpayerInput<Q, B> {
  query: Q;
  body: B;
  now: Date;
  requestId: string;
  /** Present on every route but the one that opens a session (the authorizer checked it). */
  session: TaxpayerSession;
  /** Tells the audit trail of the access (every access is recorded). */
  audit: (outcome: AccessOutcome) => Promise<void>;
}

type Loose = z.ZodMiniType;
interface TaxpayerRouteSpec<Q extends Loose, B extends Loose> extends Omit<
  RouteSpec<z.ZodMiniUndefined, Q, B>,
  'roles' | 'params'
> {
  /** Whether the route needs a session (all but the one that opens it). */
  session: boolean;
}
export type TaxpayerRoute =
  | (TaxpayerRouteSpec<Loose, Loose> & {
      kind: 'read';
      handle(input: TaxpayerInput<unknown, unknown>, deps: TaxpayerDeps): Promise<Reply>;
    })
  | (TaxpayerRouteSpec<Loose, Loose> & {
      kind: 'change';
      handle(input: TaxpayerInput<unknown, unknown>, deps: TaxpayerDeps): Promise<Change>;
    });

function defineTaxpayerRoute<Q extends Loose = z.ZodMiniUndefined, B extends Loose = z.ZodMiniUndefined>(
  route: TaxpayerRouteSpec<Q, B> &
    (
      | { kind: 'read'; handle(input: TaxpayerInput<z.output<Q>, z.output<B>>, deps: TaxpayerDeps): Promise<Reply> }
      | { kind: 'change'; handle(input: TaxpayerInput<z.output<Q>, z.output<B>>, deps: TaxpayerDeps): Promise<Change> }
    ),
): TaxpayerRoute {
  return route;
}

/**
 * The one refusal, whatever was wrong: a code that is unknown, altered or expired, a wrong date of
 * birth, too many attempts, or a case without a second check. Nothing tells them apart, so nobody
 * learns whether a case or a link exists.
 */
export const notRecognized = (): Problem =>
  new Problem(
    401,
    'not-recognized',
    '확인할 수 없습니다',
    '확인 번호가 맞지 않거나 이용 기한이 지났거나, 생년월일이 맞지 않습니다. 여러 번 틀리시면 하루 동안 이용하실 수 없습니다. 통지서에 적힌 문의처로 연락해 주십시오.',
  );

async function loadCase(deps: TaxpayerDeps, s: TaxpayerSession): Promise<Case> {
  const c = await deps.store.get(s.cityId, s.caseId);
  if (!c) throw new CaseNotFoundError(s.cityId, s.caseId);
  return c;
}

async function bidsFor(deps: TaxpayerDeps, c: Case): Promise<Record<string, { bid: Decimal; at: string }>> {
  const markets = c.holdings.map((h) => h.market);
  if (!deps.prices || markets.length === 0) return {};
  return deps.prices.latestBids(markets);
}

const json = (schema: z.ZodMiniType, description: string): ResponseSpec => ({ description, schema });
const problem = (description: string): ResponseSpec => ({ description, schema: ProblemView });
const REFUSED = {
  401: problem('The session is missing, altered or expired: open a new one.'),
  429: problem('Too many requests from this address: wait for the Retry-After seconds.'),
};

export const taxpayerRoutes: readonly TaxpayerRoute[] = [
  defineTaxpayerRoute<z.ZodMiniUndefined, typeof SessionBody>({
    kind: 'read',
    method: 'POST',
    path: '/taxpayer/sessions',
    operationId: 'openTaxpayerSession',
    summary: 'Open a session with the notice’s code and the taxpayer’s date of birth',
    description:
      'Every refusal is the same 401, whatever was wrong (unknown, altered or expired code, wrong date, too many attempts), so it never tells whether a case exists. Five wrong answers per link and ten per case lock them for a day.',
    session: false,
    body: SessionBody,
    responses: {
      201: json(SessionView, 'The session (15 minutes).'),
      400: problem('The request is not valid.'),
      401: problem('Not recognized.'),
      429: REFUSED[429],
    },
    async handle({ body, now, requestId }, deps) {
      const keys = await deps.keys();
      const code = normalizeCode(body.code);
      const link = code ? await deps.selfService.getLink(code) : undefined;
      if (!code || !link || !codeMatches(keys, code, link)) {
        // As much work as a real check, so the answer's timing tells nothing either.
        checkDigest(keys, '-', '-', body.birthDate);
        throw notRecognized();
      }
      const audit = (outcome: AccessOutcome) =>
        deps.selfService.recordAccess(link.cityId, link.caseId, {
          at: now.toISOString(),
          outcome,
          noticeId: link.noticeId,
          route: 'POST /taxpayer/sessions',
          requestId,
        });
      if (link.expiresOn < kstDate(now)) {
        await audit('EXPIRED');
        throw notRecognized();
      }
      const digest = await deps.selfService.getCheck(link.cityId, link.caseId);
      if (!digest) {
        await audit('NO_CHECK');
        throw notRecognized();
      }
      // An attempt is reserved before the answer is compared: parallel guesses cannot pass the limit.
      const allowed =
        (await deps.selfService.reserveAttempt(
          { kind: 'LINK', code },
          now,
          ACCESS_LIMITS.perLink,
          ACCESS_LIMITS.windowMs,
        )) &&
        (await deps.selfService.reserveAttempt(
          { kind: 'CASE', cityId: link.cityId, caseId: link.caseId },
          now,
          ACCESS_LIMITS.perCase,
          ACCESS_LIMITS.windowMs,
        ));
      if (!allowed) {
        await audit('LOCKED');
        throw notRecognized();
      }
      if (!checkMatches(keys, digest, link.cityId, link.caseId, body.birthDate)) {
        await audit('CHECK_FAILED');
        throw notRecognized();
      }
      await Promise.all([
        deps.selfService.clearAttempts({ kind: 'LINK', code }),
        deps.selfService.clearAttempts({ kind: 'CASE', cityId: link.cityId, caseId: link.caseId }),
      ]);
      await audit('CHECK_PASSED');
      const session = await signSession(
        keys,
        { cityId: link.cityId, caseId: link.caseId, noticeId: link.noticeId, code },
        now,
      );
      return {
        status: 201,
        body: { session: session.token, expiresAt: session.expiresAt.toISOString() },
        headers: { 'cache-control': 'no-store' },
      };
    },
  }),

  defineTaxpayerRoute({
    kind: 'read',
    method: 'GET',
    path: '/taxpayer/statement',
    operationId: 'getTaxpayerStatement',
    summary:
      'What is owed today, bill by bill, how it grows, the coins and their value, the sale, how to pay and object',
    session: true,
    responses: { 200: json(TaxpayerStatementView, 'The statement.'), ...REFUSED },
    async handle({ session, now, audit }, deps) {
      const data = await deps.store.statement(session.cityId, session.caseId);
      if (!data) throw new CaseNotFoundError(session.cityId, session.caseId);
      const [settings, bids, orders] = await Promise.all([
        deps.settings.get(session.cityId),
        bidsFor(deps, data.case),
        data.case.saleId && deps.orders ? deps.orders.caseOrders(session.cityId, session.caseId) : [],
      ]);
      await audit('READ');
      return {
        status: 200,
        body: taxpayerStatement(data, settings, kstDate(now), bids, orders),
        headers: { 'cache-control': 'no-store' },
      };
    },
  }),

  defineTaxpayerRoute<typeof SalePreviewQuery>({
    kind: 'read',
    method: 'GET',
    path: '/taxpayer/sale-preview',
    operationId: 'previewTaxpayerSale',
    summary:
      'The plan a sale asked for now would follow: how much would be sold, the estimated proceeds, what would come back',
    description:
      'Floors by market in the query (`?floor=KRW-BTC:95000000`). An estimate at today’s bids; the sale itself quotes the market again before every order.',
    session: true,
    query: SalePreviewQuery,
    responses: {
      200: json(SalePreviewView, 'The plan.'),
      400: problem('A floor is not valid or names a coin the case does not hold.'),
      ...REFUSED,
    },
    async handle({ session, query, now, audit }, deps) {
      const c = await loadCase(deps, session);
      let asked: Record<string, string>;
      try {
        asked = floorsFromQuery(query.floor);
      } catch {
        throw invalid([
          { in: 'query', name: 'floor', detail: 'each price must be a decimal above 0, each market named once' },
        ]);
      }
      const floors = floorsOf(c, asked, 'query');
      const settings = await deps.settings.get(c.cityId);
      const bids = Object.fromEntries(Object.entries(await bidsFor(deps, c)).map(([m, p]) => [m, p.bid]));
      const p = previewSale(c, kstDate(now), settings, bids, floors);
      await audit('SALE_PLAN');
      const sold = new Map(p.plan.legs.map((l) => [l.market, l.quantity]));
      return {
        status: 200,
        body: {
          asOf: kstDate(now),
          owed: p.owed.toFixed(0),
          legs: p.plan.legs.map((l) => ({
            market: l.market,
            quantity: l.quantity.toFixed(),
            estimatedNetKrw: l.expectedNetKrw.toFixed(0),
          })),
          estimatedProceeds: p.proceeds.toFixed(0),
          estimatedRefund: p.refund.toFixed(0),
          shortfall: p.plan.shortfallKrw.toFixed(0),
          returned: c.holdings
            .map((h) => ({
              market: h.market,
              quantity: h.inCustody
                .sub(h.sold)
                .sub(h.released)
                .sub(sold.get(h.market) ?? 0),
            }))
            .filter((r) => r.quantity.gt(0))
            .map((r) => ({ market: r.market, quantity: r.quantity.toFixed() })),
          belowFloor: p.belowFloor,
          unpriced: p.unpriced,
        },
      };
    },
  }),

  defineTaxpayerRoute<z.ZodMiniUndefined, typeof TaxpayerSaleRequestBody>({
    kind: 'change',
    method: 'POST',
    path: '/taxpayer/sale-requests',
    operationId: 'requestTaxpayerSale',
    summary: 'Ask the city to sell the seized coins now, optionally with floor prices',
    description:
      'Recorded with its evidence (channel SELF_SERVICE, when, the notice whose link was used); the case becomes DUE and the sale workflow picks it up. Needs an Idempotency-Key.',
    session: true,
    body: TaxpayerSaleRequestBody,
    responses: {
      200: json(SaleRequestedView, 'The request, recorded.'),
      400: problem('A floor is not valid or names a coin the case does not hold.'),
      409: problem('Not possible in the case’s state (already asked, on hold, closed).'),
      422: problem('A rule refused it, or the idempotency key was used for another request.'),
      ...REFUSED,
    },
    async handle({ session, body, now, audit }, deps) {
      const c = await loadCase(deps, session);
      const limitPrices = floorsOf(c, body.limitPrices, 'body');
      const settings = await deps.settings.get(c.cityId);
      const requestId = deps.newId('r');
      const transition = requestSaleByTaxpayer(
        c,
        {
          requestId,
          requestedAt: now.toISOString(),
          limitPrices,
          // Evidence that the taxpayer asked (their own page, when, through which notice's link).
          evidence: {
            relayedBy: 'self-service page',
            receivedAt: now.toISOString(),
            channel: 'SELF_SERVICE',
            reference: session.noticeId,
          },
        },
        { now, settings, actor: { kind: 'TAXPAYER', id: `self-service:${session.noticeId}` } },
      );
      await audit('SALE_REQUEST');
      return {
        previousVersion: c.version,
        transition,
        status: 200,
        body: { requestId, requestedAt: now.toISOString(), status: transition.case.status },
      };
    },
  }),
];

/** Floors for coins the case holds only (a floor for anything else is a mistake worth saying). */
function floorsOf(c: Case, floors: Record<string, string>, where: 'query' | 'body'): Record<string, Decimal> {
  const held = new Set(c.holdings.map((h) => h.market));
  const unknown = Object.keys(floors).filter((m) => !held.has(m));
  if (unknown.length > 0)
    throw invalid(
      unknown.map((m) =>
        where === 'body'
          ? { in: 'body', pointer: `/limitPrices/${m}`, detail: 'is not a coin held for this case' }
          : { in: 'query', name: 'floor', detail: `${m} is not a coin held for this case` },
      ),
    );
  return Object.fromEntries(Object.entries(floors).map(([m, p]) => [m, decimal(p)]));
}
