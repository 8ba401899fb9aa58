/**
 * The routes of the city's API. Each handler: load → domain transition → the answer; app.ts
 * validates before and commits after. No business rule lives here.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { billHead, type AssessedBill } from '#domain/bills';
import {
  approveSale,
  cancelCase,
  CaseRuleError,
  confirmCustody,
  holdBackPreSaleNotice,
  orderPublicNotice,
  placeHold,
  stopSale,
  recordPreSaleDelivery,
  releasePreSaleNotice,
  sendPreSaleNotice,
  recordPayment,
  recordRefundPaid,
  registerCase,
  releaseHold,
  requestSaleByTaxpayer,
  requestTransfer,
  updateBills,
  type Case,
  type TransitionContext,
} from '#domain/case';
import { CaseNotFoundError, type CaseStore } from '#domain/case-store';
import { kstDate } from '#domain/dates';
import { decimal, won } from '#domain/money';
import type * as z from 'zod/mini';
import type { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import type { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import type { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import type { SaleExecutions } from '#adapters/workflow/execution-history';
import type { ExecutionPolicy } from '#domain/execution-policy';
import { caseListing, saleRoutes } from './sale-routes';
import { deskRoutes, type DeskReads } from './desk-routes';
import { approveRelease, recordDestination, ReleaseRuleError, type ReleaseWork } from '#domain/release';
import type { ApiConfig } from './config';
import { defineRoute, type AnyRoute, type Change, type Recorded, type RouteInput } from './router';
import {
  BillInput,
  CancelBody,
  AuditTrailView,
  CaseListView,
  CitySettingsBody,
  CitySettingsView,
  CaseParams,
  CaseView,
  CityQuery,
  CustodyBody,
  DeliveryBody,
  HoldBackBody,
  HoldBody,
  HoldCreatedView,
  HoldParams,
  ListQuery,
  NoticeParams,
  PaymentBody,
  PreSaleNoticeBody,
  PublicNoticeBody,
  ProblemView,
  RegisterCaseBody,
  SaleApprovalBody,
  SaleParams,
  SaleRequestBody,
  SaleStopBody,
  SeizuresBody,
  StatementView,
  SummaryView,
  UpdateBillsBody,
  DestinationBody,
  ReleaseApprovalBody,
  ReleaseListView,
  ReleaseParams,
  ReleaseView,
  TaxpayerAccessQuery,
  TaxpayerAccessView,
  TaxpayerCheckBody,
  TaxpayerCheckView,
  RefundParams,
  RefundPaymentBody,
  RefundView,
  RefundListQuery,
  RefundListView,
  TreasuryQuery,
  TransferBody,
  TreasuryView,
} from './schemas';
import type { CitySettingsStore } from '#adapters/dynamodb/city-settings-store';
import { parseCitySettings } from '#domain/city-settings';
import { invalid, Problem } from './problem';
import {
  checkTransfer,
  confirmRefundPaid,
  refundTotals,
  treasuryPosition,
  type RefundInstruction,
} from '#domain/refunds';
import type { DynamoDbSelfServiceStore } from '#adapters/dynamodb/self-service-store';
import { checkDigest, type AccessKeys } from '#adapters/self-service/access-keys';
import { actorOf } from './roles';
import { currentValuation, NoCurrentPriceError } from '../send-pre-sale-notices/app';
import { caseCoverageView, caseView, statementView, summaryView, type LatestPrices } from './views';

export interface RouteDeps {
  store: CaseStore;
  config: ApiConfig;
  /** Each city's settings (cached briefly) and, for the officers' settings route, their record. */
  settings: CitySettingsStore;
  newId(prefix: string): string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The price poller's data: holdings' value and coverage in the summary, coverage on GET /cases/{caseId}; a pre-sale notice's valuation. */
  prices?: LatestPrices;
  /** Releases (destination, approvals): absent, the release routes answer 404. */
  releases?: Pick<DynamoDbReleaseStore, 'get' | 'open' | 'save'>;
  /** Sale records and their orders (the sale-run reads): absent, those routes answer 404. */
  sales?: Pick<DynamoDbSaleStore, 'get' | 'caseOrders'>;
  /** The sale desks' records (GET /sale-desks): absent, the list is empty and a desk answers 404. */
  desks?: DeskReads;
  /** The sale executions' states as Step Functions ran them (the sale detail's state-by-state view): absent, left out. */
  executions?: SaleExecutions;
  /** The same for the sale desks' executions (the desk detail): absent, left out. */
  deskExecutions?: SaleExecutions;
  /** The execution policy's approval thresholds: how many officers a sale needs. */
  policy?: ExecutionPolicy;
  /** The city's money journal: the latest custody reconciliation, refunds and their instructions, proceeds to the treasury. */
  custody?: Pick<
    DynamoDbJournalStore,
    'latestReconciliation' | 'refundLines' | 'instructions' | 'instruction' | 'krwLines' | 'transfer' | 'recordTransfer'
  >;
  /** The taxpayer page's second check and access log (its keys and records): absent, their routes answer 404. */
  taxpayerCheck?: { keys: () => Promise<AccessKeys>; store: Pick<DynamoDbSelfServiceStore, 'setCheck' | 'accessPage'> };
}

/** Prices older than this do not value a pre-sale notice sent by an officer (as the daily run's default). */
const NOTICE_PRICE_AGE_MS = 15 * 60_000;

// ---------------------------------------------------------------- helpers

const ctxFor = async (
  deps: RouteDeps,
  input: RouteInput<unknown, unknown, unknown>,
  cityId: string,
): Promise<TransitionContext> => ({
  now: input.now,
  actor: actorOf(input.caller),
  settings: await deps.settings.get(cityId),
});

async function load(deps: RouteDeps, cityId: string, caseId: string): Promise<Case> {
  const c = await deps.store.get(cityId, caseId);
  if (!c) throw new CaseNotFoundError(cityId, caseId);
  return c;
}

const view = async (deps: RouteDeps, c: Case, now: Date) =>
  caseView(c, await deps.settings.get(c.cityId), kstDate(now));

function toBill(b: z.output<typeof BillInput>): AssessedBill {
  return {
    ...billHead(b),
    cost: won(b.cost),
    tax: won(b.tax),
    surcharge: won(b.surcharge),
    surchargeAsOf: b.surchargeAsOf,
  };
}

/** A change to an existing case: load, apply, answer with the new case. */
async function change(
  deps: RouteDeps,
  input: RouteInput<{ caseId: string }, unknown, { cityId: string }>,
  apply: (c: Case, ctx: TransitionContext) => ReturnType<typeof recordPayment>,
): Promise<Change> {
  const c = await load(deps, input.body.cityId, input.params.caseId);
  const transition = apply(c, await ctxFor(deps, input, c.cityId));
  return { previousVersion: c.version, transition, status: 200, body: await view(deps, transition.case, input.now) };
}

async function settingsView(deps: RouteDeps, stored: Awaited<ReturnType<CitySettingsStore['put']>>) {
  const changes = await deps.settings.changes(stored.settings.cityId);
  return {
    cityId: stored.settings.cityId,
    version: stored.version,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
    settings: stored.settings,
    changes: changes.map((c) => ({ at: c.at, by: c.by, version: c.version })),
  };
}

// ---------------------------------------------------------------- releases

export const releaseView = (r: ReleaseWork) => ({
  caseId: r.caseId,
  releaseId: r.releaseId,
  market: r.market,
  quantity: r.quantity.toFixed(),
  reason: r.reason,
  status: r.status,
  ...(r.destination ? { destination: r.destination } : {}),
  approvals: r.approvals,
  ...(r.withdrawal
    ? {
        withdrawal: {
          ...(r.withdrawal.uuid ? { uuid: r.withdrawal.uuid } : {}),
          ...(r.withdrawal.state ? { state: r.withdrawal.state } : {}),
          ...(r.withdrawal.txid ? { txid: r.withdrawal.txid } : {}),
          amount: r.withdrawal.amount.toFixed(),
          fee: r.withdrawal.fee.toFixed(),
          sendingAt: r.withdrawal.sendingAt,
        },
      }
    : {}),
  ...(r.failure ? { failure: r.failure } : {}),
  createdAt: r.createdAt,
});

/**
 * Loads a release and applies an officer's act to it; the pipeline writes it over the revision read,
 * with the request's idempotency record (a repeated request gets the first answer).
 */
async function changeRelease(
  deps: RouteDeps,
  input: RouteInput<{ caseId: string; releaseId: string }, unknown, { cityId: string }>,
  apply: (r: ReleaseWork) => ReleaseWork,
): Promise<Recorded> {
  const ref = { cityId: input.body.cityId, caseId: input.params.caseId, releaseId: input.params.releaseId };
  const releases = deps.releases;
  const r = releases ? await releases.get(ref) : undefined;
  if (!r || !releases) throw new CaseNotFoundError(ref.cityId, `${ref.caseId} (release ${ref.releaseId})`);
  try {
    const next = apply(r);
    return {
      status: 200,
      body: releaseView(next),
      commit: (idempotency) => releases.save(next, r.revision, idempotency),
    };
  } catch (e) {
    if (e instanceof ReleaseRuleError) throw new CaseRuleError(e.code, e.message);
    throw e;
  }
}

// ---------------------------------------------------------------- refunds and proceeds

export const refundView = (i: RefundInstruction) => ({
  instructionId: i.instructionId,
  caseId: i.caseId,
  cityCaseRef: i.cityCaseRef,
  taxpayerRef: i.taxpayerRef,
  amount: i.amount.toFixed(0),
  day: i.day,
  fileKey: i.fileKey,
  status: i.paid ? ('PAID' as const) : ('INSTRUCTED' as const),
  ...(i.paid ? { paid: i.paid } : {}),
});

function journalOf(deps: RouteDeps): NonNullable<RouteDeps['custody']> {
  if (!deps.custody) throw new Problem(404, 'not-found', 'Not found', 'this deployment keeps no money journal');
  return deps.custody;
}

async function treasuryView(journal: NonNullable<RouteDeps['custody']>, cityId: string, day: string) {
  const [position, transfer] = await Promise.all([
    journal.krwLines(cityId).then((lines) => treasuryPosition(lines, day)),
    journal.transfer(cityId, day),
  ]);
  return {
    cityId,
    day,
    proceedsKrw: position.proceeds.toFixed(),
    atExchangeKrw: position.atExchange.toFixed(),
    toMoveKrw: position.toMove.toFixed(0),
    ...(transfer
      ? {
          transfer: {
            amount: transfer.amount.toFixed(0),
            reference: transfer.reference,
            by: transfer.by,
            at: transfer.at,
          },
        }
      : {}),
  };
}

/** Refunds by state and proceeds at the exchange, for the city report. */
async function moneyOut(journal: RouteDeps['custody'], cityId: string, today: string) {
  if (!journal) return {};
  const [lines, instructions, krw] = await Promise.all([
    journal.refundLines(cityId),
    journal.instructions(cityId),
    journal.krwLines(cityId),
  ]);
  const totals = refundTotals(lines, instructions);
  const position = treasuryPosition(krw, today);
  return {
    refunds: {
      payable: totals.payable.toFixed(0),
      instructed: totals.instructed.toFixed(0),
      paid: totals.paid.toFixed(0),
    },
    treasury: { atExchangeKrw: position.atExchange.toFixed(), toMoveKrw: position.toMove.toFixed(0) },
  };
}

// ---------------------------------------------------------------- responses

const json = (schema: z.ZodMiniType, description: string) => ({ description, schema });
const problem = (description: string) => ({ description, schema: ProblemView });
const COMMON = {
  400: problem('The request is not valid: the problem names each wrong field.'),
  403: problem('The caller is unknown or its role may not do this.'),
};
const ON_CASE = {
  ...COMMON,
  404: problem('No such case in this city.'),
  409: problem('Not allowed in the case’s state, or the case changed meanwhile (retryable).'),
  422: problem('A rule refused it (code names the rule), or the idempotency key was used for another request.'),
};

const CITY_SYSTEM = ['CITY_SYSTEM'] as const;
const OFFICER = ['OFFICER'] as const;
/** Reads: the city's system, its officers and auditors (who may only read). */
const READERS = ['CITY_SYSTEM', 'OFFICER', 'AUDITOR'] as const;
const BOTH = ['CITY_SYSTEM', 'OFFICER'] as const;
const OVERSIGHT = ['OFFICER', 'AUDITOR'] as const;

// ---------------------------------------------------------------- routes

export const routes: readonly AnyRoute<RouteDeps>[] = [
  defineRoute<RouteDeps, z.ZodMiniUndefined, z.ZodMiniUndefined, typeof RegisterCaseBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases',
    operationId: 'registerCase',
    summary: 'Register a delinquent case with its bills',
    description:
      'The city system’s reference (cityCaseRef) names one open case per city: registering it again, under any Idempotency-Key, answers 409 with the open case’s id.',
    roles: CITY_SYSTEM,
    body: RegisterCaseBody,
    responses: {
      201: json(CaseView, 'The case, registered.'),
      ...COMMON,
      409: problem('An open case of this city has the same cityCaseRef: its id is in caseId (and Location).'),
      422: ON_CASE[422],
    },
    async handle(input, deps) {
      const { body } = input;
      const caseId = deps.newId('c');
      const contact = Object.fromEntries(
        Object.entries(body.taxpayer.contact).filter(([, v]) => v !== undefined),
      ) as Case['taxpayer']['contact'];
      const transition = registerCase(
        {
          cityId: body.cityId,
          caseId,
          cityCaseRef: body.cityCaseRef,
          taxpayer: { ref: body.taxpayer.ref, name: body.taxpayer.name, contact },
          bills: body.bills.map(toBill),
        },
        await ctxFor(deps, input, body.cityId),
      );
      return {
        previousVersion: null,
        transition,
        status: 201,
        headers: { Location: `/cases/${caseId}?city=${body.cityId}` },
        body: await view(deps, transition.case, input.now),
      };
    },
  }),

  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof ListQuery>({
    kind: 'read',
    method: 'GET',
    path: '/cases',
    operationId: 'listCases',
    summary: 'List a city’s cases, by status, page by page',
    roles: READERS,
    query: ListQuery,
    responses: { 200: json(CaseListView, 'One page of cases, oldest registration first.'), ...COMMON },
    async handle({ query, now }, deps) {
      return { status: 200, body: await caseListing(query, deps, now) };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    path: '/cases/{caseId}',
    operationId: 'getCase',
    summary: 'Read a case',
    roles: READERS,
    params: CaseParams,
    query: CityQuery,
    responses: { 200: json(CaseView, 'The case.'), ...COMMON, 404: ON_CASE[404] },
    async handle({ params, query, now }, deps) {
      const c = await load(deps, query.city, params.caseId);
      const body = await view(deps, c, now);
      if (!deps.prices) return { status: 200, body };
      // Coverage now: this case's bills and holdings, the latest bids (one small read of its markets).
      return {
        status: 200,
        body: {
          ...body,
          coverage: await caseCoverageView(c, await deps.settings.get(c.cityId), kstDate(now), deps.prices),
        },
      };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof UpdateBillsBody>({
    kind: 'change',
    method: 'PUT',
    path: '/cases/{caseId}/bills',
    operationId: 'updateBills',
    summary: 'Replace the city’s bill amounts (payments recorded here are kept)',
    roles: CITY_SYSTEM,
    params: CaseParams,
    body: UpdateBillsBody,
    responses: { 200: json(CaseView, 'The case with the new amounts.'), ...ON_CASE },
    handle: (input, deps) => change(deps, input, (c, ctx) => updateBills(c, input.body.bills.map(toBill), ctx)),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof SeizuresBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/seizures',
    operationId: 'recordSeizures',
    summary: 'Record seized coins and the transfer demand to the exchange',
    roles: CITY_SYSTEM,
    params: CaseParams,
    body: SeizuresBody,
    responses: { 200: json(CaseView, 'The case, transfer requested.'), ...ON_CASE },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) =>
        requestTransfer(
          c,
          input.body.seizures.map((s) => ({ market: s.market, quantity: decimal(s.quantity) })),
          ctx,
        ),
      ),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof CustodyBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/custody',
    operationId: 'confirmCustody',
    summary: 'Confirm that seized coins reached the city’s account',
    roles: BOTH,
    params: CaseParams,
    body: CustodyBody,
    responses: { 200: json(CaseView, 'The case; IN_CUSTODY once every seized coin arrived.'), ...ON_CASE },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) =>
        confirmCustody(c, { market: input.body.market, quantity: decimal(input.body.quantity) }, ctx),
      ),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof PaymentBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/payments',
    operationId: 'recordPayment',
    summary: 'Record a payment the city received (applied in the legal order)',
    roles: CITY_SYSTEM,
    params: CaseParams,
    body: PaymentBody,
    responses: { 200: json(CaseView, 'The case; PAID (coins released) when nothing is owed any more.'), ...ON_CASE },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) =>
        recordPayment(
          c,
          { paymentId: input.body.paymentId, amount: won(input.body.amount), receivedOn: input.body.receivedOn },
          ctx,
        ),
      ),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof SaleRequestBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/sale-requests',
    operationId: 'requestSale',
    summary: 'Relay the taxpayer’s request to sell now, optionally with floor prices',
    description: 'Records the request (the case becomes DUE); the sale workflow picks it up from there.',
    roles: CITY_SYSTEM,
    params: CaseParams,
    body: SaleRequestBody,
    responses: { 200: json(CaseView, 'The case, due for sale at the taxpayer’s request.'), ...ON_CASE },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) =>
        requestSaleByTaxpayer(
          c,
          {
            requestId: deps.newId('r'),
            requestedAt: input.now.toISOString(),
            limitPrices: Object.fromEntries(Object.entries(input.body.limitPrices).map(([m, p]) => [m, decimal(p)])),
            evidence: { ...input.body.evidence, receivedAt: new Date(input.body.evidence.receivedAt).toISOString() },
          },
          ctx,
        ),
      ),
  }),

  defineRoute<RouteDeps, typeof SaleParams, z.ZodMiniUndefined, typeof SaleApprovalBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/sales/{saleId}/approval',
    operationId: 'approveSale',
    summary: 'Approve a running sale planned at or above the approval threshold',
    description:
      'The sale workflow waits for this before its first order, looking again every few minutes; it goes on at its next check.',
    roles: OFFICER,
    params: SaleParams,
    body: SaleApprovalBody,
    responses: { 200: json(CaseView, 'The case, its running sale approved.'), ...ON_CASE },
    handle: (input, deps) => change(deps, input, (c, ctx) => approveSale(c, input.params.saleId, ctx)),
  }),

  defineRoute<RouteDeps, typeof SaleParams, z.ZodMiniUndefined, typeof SaleStopBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/sales/{saleId}/stop',
    operationId: 'stopSale',
    summary: 'End a running sale',
    description:
      'Recorded on the case with the officer (audit STOP_SALE). The sale workflow acts on it at its next check (before every order, and after every wait, which lasts an hour at most): no new order is sent, open orders are resolved and orders in doubt looked up again, what was sold is settled (legal-order allocation, refund, releases) and the case goes back to DUE (ON_HOLD under a hold; SETTLED when nothing is owed). An order still in doubt keeps its coins in custody and is followed by the sweep. Place a hold as well to keep the next daily run from starting another attempt.',
    roles: OFFICER,
    params: SaleParams,
    body: SaleStopBody,
    responses: { 200: json(CaseView, 'The case, still SELLING until the workflow has settled the sale.'), ...ON_CASE },
    handle: (input, deps) => change(deps, input, (c, ctx) => stopSale(c, input.params.saleId, input.body.reason, ctx)),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof HoldBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/holds',
    operationId: 'placeHold',
    summary: 'Put the case on hold (appeal, lawsuit, deferral): no sale, deadline suspended',
    roles: OFFICER,
    params: CaseParams,
    body: HoldBody,
    responses: { 201: json(HoldCreatedView, 'The hold and the case.'), ...ON_CASE },
    async handle(input, deps) {
      const holdId = deps.newId('h');
      const result = await change(deps, input, (c, ctx) =>
        placeHold(c, { holdId, kind: input.body.kind, reason: input.body.reason }, ctx),
      );
      return { ...result, status: 201, body: { holdId, case: result.body } };
    },
  }),

  defineRoute<RouteDeps, typeof HoldParams, typeof CityQuery>({
    kind: 'change',
    method: 'DELETE',
    path: '/cases/{caseId}/holds/{holdId}',
    operationId: 'releaseHold',
    summary: 'Lift a hold; the last one lifted resumes the case',
    roles: OFFICER,
    params: HoldParams,
    query: CityQuery,
    responses: { 200: json(CaseView, 'The case.'), ...ON_CASE },
    async handle(input, deps) {
      const c = await load(deps, input.query.city, input.params.caseId);
      const transition = releaseHold(c, input.params.holdId, await ctxFor(deps, input, c.cityId));
      return {
        previousVersion: c.version,
        transition,
        status: 200,
        body: await view(deps, transition.case, input.now),
      };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof PreSaleNoticeBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/pre-sale-notice',
    operationId: 'sendPreSaleNotice',
    summary: 'Send the pre-sale notice for one case now',
    description:
      'For a case in custody, whatever the city’s waiting period (a hold-back is cleared). The coins are valued at the price poller’s latest bids; without a current price the request is refused (NO_CURRENT_PRICE) and may be repeated.',
    roles: OFFICER,
    params: CaseParams,
    body: PreSaleNoticeBody,
    responses: {
      200: json(CaseView, 'The case, NOTICE_SENT; its deadline is set once the notice is delivered.'),
      ...ON_CASE,
    },
    async handle(input, deps) {
      const c = await load(deps, input.body.cityId, input.params.caseId);
      if (!deps.prices) throw new CaseRuleError('NO_CURRENT_PRICE', 'no price source is configured');
      let valuation;
      try {
        valuation = await currentValuation(c, deps.prices, input.now, NOTICE_PRICE_AGE_MS);
      } catch (error) {
        if (error instanceof NoCurrentPriceError) throw new CaseRuleError('NO_CURRENT_PRICE', error.message);
        throw error;
      }
      const transition = sendPreSaleNotice(c, valuation, await ctxFor(deps, input, c.cityId));
      return {
        previousVersion: c.version,
        transition,
        status: 200,
        body: await view(deps, transition.case, input.now),
      };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof HoldBackBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/pre-sale-notice/hold-back',
    operationId: 'holdBackPreSaleNotice',
    summary: 'Hold the pre-sale notice back for a case (the daily run skips it)',
    roles: OFFICER,
    params: CaseParams,
    body: HoldBackBody,
    responses: { 200: json(CaseView, 'The case, its pre-sale notice held back.'), ...ON_CASE },
    handle: (input, deps) => change(deps, input, (c, ctx) => holdBackPreSaleNotice(c, input.body.reason, ctx)),
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof CityQuery>({
    kind: 'change',
    method: 'DELETE',
    path: '/cases/{caseId}/pre-sale-notice/hold-back',
    operationId: 'releasePreSaleNotice',
    summary: 'Release the hold-back: the daily run sends the notice when it is due',
    roles: OFFICER,
    params: CaseParams,
    query: CityQuery,
    responses: { 200: json(CaseView, 'The case.'), ...ON_CASE },
    async handle(input, deps) {
      const c = await load(deps, input.query.city, input.params.caseId);
      const transition = releasePreSaleNotice(c, await ctxFor(deps, input, c.cityId));
      return {
        previousVersion: c.version,
        transition,
        status: 200,
        body: await view(deps, transition.case, input.now),
      };
    },
  }),

  defineRoute<RouteDeps, typeof NoticeParams, z.ZodMiniUndefined, typeof DeliveryBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/notices/{noticeId}/delivery',
    operationId: 'recordDelivery',
    summary: 'Relay the post office’s delivery result of the pre-sale notice',
    description:
      'Delivered on a date: the notice takes effect that day and the deadline runs from it (지방세기본법 §32). Failed: recorded with the reason; an officer may then order public notice.',
    // The city's system relays the post office's result; an officer may record one the city received otherwise (a returned letter).
    roles: BOTH,
    params: NoticeParams,
    body: DeliveryBody,
    responses: { 200: json(CaseView, 'The case, with its deadline once the notice took effect.'), ...ON_CASE },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) =>
        recordPreSaleDelivery(
          c,
          input.body.outcome === 'DELIVERED'
            ? { noticeId: input.params.noticeId, outcome: 'DELIVERED', on: input.body.on }
            : { noticeId: input.params.noticeId, outcome: 'FAILED', on: input.body.on, reason: input.body.reason },
          ctx,
        ),
      ),
  }),

  defineRoute<RouteDeps, typeof NoticeParams, z.ZodMiniUndefined, typeof PublicNoticeBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/notices/{noticeId}/public-notice',
    operationId: 'orderPublicNotice',
    summary: 'Order public notice of the pre-sale notice after a failed delivery (effective 14 days after posting)',
    roles: OFFICER,
    params: NoticeParams,
    body: PublicNoticeBody,
    responses: {
      200: json(CaseView, 'The case; its deadline runs from the day the public notice takes effect.'),
      ...ON_CASE,
    },
    handle: (input, deps) =>
      change(deps, input, (c, ctx) => orderPublicNotice(c, input.params.noticeId, input.body.postedOn, ctx)),
  }),

  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof CancelBody>({
    kind: 'change',
    method: 'POST',
    path: '/cases/{caseId}/cancel',
    operationId: 'cancelCase',
    summary: 'Cancel the case (bills withdrawn): coins go back',
    roles: OFFICER,
    params: CaseParams,
    body: CancelBody,
    responses: { 200: json(CaseView, 'The case, cancelled.'), ...ON_CASE },
    handle: (input, deps) => change(deps, input, (c, ctx) => cancelCase(c, input.body.reason, ctx)),
  }),

  // Not a case change: the check's own record, written whole (a repeat writes the same digest).
  defineRoute<RouteDeps, typeof CaseParams, z.ZodMiniUndefined, typeof TaxpayerCheckBody>({
    kind: 'read',
    method: 'PUT',
    path: '/cases/{caseId}/taxpayer-check',
    operationId: 'setTaxpayerCheck',
    summary: 'Set the second check of the taxpayer’s self-service page: the taxpayer’s date of birth',
    description:
      'Only a peppered HMAC of the date is stored (docs/SELF_SERVICE.md); until it is set, the page refuses every attempt for the case.',
    roles: CITY_SYSTEM,
    params: CaseParams,
    body: TaxpayerCheckBody,
    responses: { 200: json(TaxpayerCheckView, 'Set.'), ...COMMON, 404: ON_CASE[404] },
    async handle({ params, body, now }, deps) {
      await load(deps, body.cityId, params.caseId);
      if (!deps.taxpayerCheck)
        throw new CaseNotFoundError(body.cityId, `${params.caseId} (no self-service page in this deployment)`);
      const digest = checkDigest(await deps.taxpayerCheck.keys(), body.cityId, params.caseId, body.birthDate);
      await deps.taxpayerCheck.store.setCheck(body.cityId, params.caseId, digest, now.toISOString());
      return { status: 200, body: { cityId: body.cityId, caseId: params.caseId, setAt: now.toISOString() } };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof TaxpayerAccessQuery>({
    kind: 'read',
    method: 'GET',
    // Beside the audit trail, for the same readers (not under /cases/{caseId}: see /audit-trails).
    path: '/audit-trails/{caseId}/taxpayer-access',
    operationId: 'listTaxpayerAccess',
    summary: 'The taxpayer self-service page’s access log for the case, newest first, page by page',
    description:
      'Every access through the notice’s link: second checks passed and failed, lockouts, expired links, and in a session the statement read, sale plans and the sale request (docs/SELF_SERVICE.md).',
    roles: OVERSIGHT,
    params: CaseParams,
    query: TaxpayerAccessQuery,
    responses: { 200: json(TaxpayerAccessView, 'One page of accesses.'), ...COMMON, 404: ON_CASE[404] },
    async handle({ params, query }, deps) {
      await load(deps, query.city, params.caseId);
      if (!deps.taxpayerCheck)
        throw new CaseNotFoundError(query.city, `${params.caseId} (no self-service page in this deployment)`);
      const page = await deps.taxpayerCheck.store.accessPage(query.city, params.caseId, {
        limit: query.limit ?? 50,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { status: 200, body: page };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    path: '/cases/{caseId}/statement',
    operationId: 'getStatement',
    summary: 'The taxpayer’s statement',
    roles: READERS,
    params: CaseParams,
    query: CityQuery,
    responses: { 200: json(StatementView, 'The statement.'), ...COMMON, 404: ON_CASE[404] },
    async handle({ params, query, now }, deps) {
      const data = await deps.store.statement(query.city, params.caseId);
      if (!data) throw new CaseNotFoundError(query.city, params.caseId);
      return { status: 200, body: statementView(data, await deps.settings.get(query.city), kstDate(now)) };
    },
  }),

  defineRoute<RouteDeps, typeof CaseParams, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    // Not under /cases/{caseId}: an execute-api ARN's * spans '/', so GET /cases/* would grant it to every reader.
    path: '/audit-trails/{caseId}',
    operationId: 'getAuditTrail',
    summary: 'The case’s full audit trail, with who did what',
    roles: OVERSIGHT,
    params: CaseParams,
    query: CityQuery,
    responses: { 200: json(AuditTrailView, 'The audit trail, oldest first.'), ...COMMON, 404: ON_CASE[404] },
    async handle({ params, query }, deps) {
      const data = await deps.store.statement(query.city, params.caseId);
      if (!data) throw new CaseNotFoundError(query.city, params.caseId);
      const entries = data.audit.map((a) => ({
        at: a.at,
        action: a.action,
        before: a.before,
        after: a.after,
        actor: { ...a.actor },
        ...(a.reason ? { reason: a.reason } : {}),
        details: { ...a.details },
      }));
      return { status: 200, body: { cityId: query.city, caseId: params.caseId, entries } };
    },
  }),

  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    path: '/settings',
    operationId: 'getCitySettings',
    summary: 'The city’s settings, their version and who changed them',
    roles: OVERSIGHT,
    query: CityQuery,
    responses: {
      200: json(CitySettingsView, 'The settings.'),
      ...COMMON,
      404: problem('The city has no settings yet.'),
    },
    async handle({ query }, deps) {
      const stored = await deps.settings.read(query.city);
      if (!stored)
        return {
          status: 404,
          body: {
            type: 'about:blank',
            title: 'No settings',
            status: 404,
            detail: `city ${query.city} has no settings yet`,
          },
        };
      return { status: 200, body: await settingsView(deps, stored) };
    },
  }),

  // Not a case change: the settings store writes the settings and their change record in one transaction.
  defineRoute<RouteDeps, z.ZodMiniUndefined, z.ZodMiniUndefined, typeof CitySettingsBody>({
    kind: 'read',
    method: 'PUT',
    path: '/settings',
    operationId: 'putCitySettings',
    summary: 'Change the city’s settings (its officers only; recorded with who changed them)',
    roles: OFFICER,
    body: CitySettingsBody,
    responses: {
      200: json(CitySettingsView, 'The settings as now stored.'),
      ...COMMON,
      409: problem('The settings changed since they were read.'),
    },
    async handle({ body, caller, now }, deps) {
      const settings = parseCitySettings(body.settings);
      if (settings.cityId !== body.cityId)
        throw invalid([
          { in: 'body', pointer: '/settings/cityId', detail: `must be ${body.cityId}, the city changed` },
        ]);
      const stored = await deps.settings.put(settings, {
        expectedVersion: body.expectedVersion,
        by: actorOf(caller).id,
        at: now.toISOString(),
      });
      deps.logger.info('city settings changed', { cityId: settings.cityId, version: stored.version });
      return { status: 200, body: await settingsView(deps, stored) };
    },
  }),

  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    path: '/reports/summary',
    operationId: 'getSummary',
    summary: 'A city’s totals: cases by status, arrears outstanding, recovered to date, holdings',
    roles: READERS,
    query: CityQuery,
    responses: { 200: json(SummaryView, 'The totals.'), ...COMMON },
    async handle({ query, now }, deps) {
      const [summary, latest] = await Promise.all([
        summaryView(await deps.store.cityTotals(query.city), now, deps.prices),
        deps.custody?.latestReconciliation(),
      ]);
      const custody = latest && {
        at: latest.at,
        exchangeMatchesLedger: latest.differences.length === 0,
        salesRunning: latest.salesRunning,
        differences: latest.differences.map((d) => ({
          currency: d.currency,
          exchange: d.exchange.toFixed(),
          ledger: d.ledger.toFixed(),
          difference: d.difference.toFixed(),
        })),
      };
      return {
        status: 200,
        body: {
          ...summary,
          ...(await moneyOut(deps.custody, query.city, kstDate(now))),
          ...(custody ? { custody } : {}),
        },
      };
    },
  }),
  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof CityQuery>({
    kind: 'read',
    method: 'GET',
    path: '/releases',
    operationId: 'listReleases',
    summary: 'The city’s releases not yet done: destination, approvals, withdrawal',
    roles: OFFICER,
    query: CityQuery,
    responses: { 200: json(ReleaseListView, 'Open releases, oldest first.'), ...COMMON },
    async handle({ query }, deps) {
      return {
        status: 200,
        body: { items: (deps.releases ? await deps.releases.open(query.city) : []).map(releaseView) },
      };
    },
  }),
  defineRoute<RouteDeps, typeof ReleaseParams, z.ZodMiniUndefined, typeof DestinationBody>({
    kind: 'record',
    method: 'PUT',
    path: '/cases/{caseId}/releases/{releaseId}/destination',
    operationId: 'recordReleaseDestination',
    summary: 'Record the taxpayer’s destination for a release (voids earlier approvals)',
    description:
      'The release function checks it against the addresses the city registered at the exchange before any withdrawal. A destination at another exchange whose withdrawal fee would take all the coins is refused (422 BELOW_FEE): an account at the same exchange takes them without a fee.',
    roles: OFFICER,
    params: ReleaseParams,
    body: DestinationBody,
    responses: { 200: json(ReleaseView, 'The release.'), ...ON_CASE },
    handle: (input, deps) =>
      changeRelease(deps, input, (r) => {
        const { cityId: _city, ...dest } = input.body;
        return recordDestination(r, dest, actorOf(input.caller), input.now, deps.config.withdrawalFees);
      }),
  }),

  defineRoute<RouteDeps, typeof ReleaseParams, z.ZodMiniUndefined, typeof ReleaseApprovalBody>({
    kind: 'record',
    method: 'POST',
    path: '/cases/{caseId}/releases/{releaseId}/approvals',
    operationId: 'approveRelease',
    summary: 'Approve a release (two different officers)',
    roles: OFFICER,
    params: ReleaseParams,
    body: ReleaseApprovalBody,
    responses: { 200: json(ReleaseView, 'The release; APPROVED after the second officer.'), ...ON_CASE },
    handle: (input, deps) => changeRelease(deps, input, (r) => approveRelease(r, actorOf(input.caller), input.now)),
  }),
  ...saleRoutes,
  ...deskRoutes,

  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof RefundListQuery>({
    kind: 'read',
    method: 'GET',
    path: '/refunds',
    operationId: 'listRefunds',
    summary: 'The city’s refund instructions, with their payment once confirmed',
    roles: READERS,
    query: RefundListQuery,
    responses: { 200: json(RefundListView, 'Instructions, oldest file first.'), ...COMMON },
    async handle({ query }, deps) {
      const items = (await journalOf(deps).instructions(query.city))
        .map(refundView)
        .filter((r) => !query.status || r.status === query.status);
      return { status: 200, body: { items } };
    },
  }),

  defineRoute<RouteDeps, typeof RefundParams, z.ZodMiniUndefined, typeof RefundPaymentBody>({
    kind: 'change',
    method: 'POST',
    path: '/refunds/{instructionId}/payment',
    operationId: 'confirmRefundPaid',
    summary: 'Confirm that the finance system paid a refund it was instructed to pay',
    description:
      'Once per refund: recorded on the case’s trail with who confirmed it, and the case’s refund payable goes down by it. A repeat under the same Idempotency-Key answers as the first; a second confirmation under another key is refused (REFUND_ALREADY_PAID).',
    roles: CITY_SYSTEM,
    params: RefundParams,
    body: RefundPaymentBody,
    responses: {
      200: json(RefundView, 'The refund, PAID.'),
      ...ON_CASE,
      404: problem('No such refund instruction in this city.'),
    },
    async handle(input, deps) {
      const { cityId } = input.body;
      const instruction = await journalOf(deps).instruction(cityId, input.params.instructionId);
      if (!instruction)
        throw new Problem(
          404,
          'not-found',
          'No such refund',
          `city ${cityId} has no refund instruction ${input.params.instructionId}`,
        );
      const actor = actorOf(input.caller);
      const paid = confirmRefundPaid(
        instruction,
        { on: input.body.paidOn, reference: input.body.reference },
        actor.id,
        input.now,
        kstDate(input.now),
      );
      const c = await load(deps, cityId, instruction.caseId);
      return {
        previousVersion: c.version,
        transition: recordRefundPaid(c, paid, await ctxFor(deps, input, cityId)),
        status: 200,
        body: refundView(paid),
      };
    },
  }),

  defineRoute<RouteDeps, z.ZodMiniUndefined, typeof TreasuryQuery>({
    kind: 'read',
    method: 'GET',
    path: '/treasury',
    operationId: 'getTreasury',
    summary: 'Sale proceeds at the exchange and the KRW to move to the treasury for a day',
    roles: OVERSIGHT,
    query: TreasuryQuery,
    responses: { 200: json(TreasuryView, 'The day’s position.'), ...COMMON },
    async handle({ query, now }, deps) {
      return { status: 200, body: await treasuryView(journalOf(deps), query.city, query.day ?? kstDate(now)) };
    },
  }),

  // Not a case change: one journal line per city and day, written once (a repeat with the same figures answers the same).
  defineRoute<RouteDeps, z.ZodMiniUndefined, z.ZodMiniUndefined, typeof TransferBody>({
    kind: 'read',
    method: 'POST',
    path: '/treasury/transfers',
    operationId: 'confirmTreasuryTransfer',
    summary: 'Confirm that the day’s proceeds moved from the exchange to the treasury',
    description:
      'The transfer itself is a person’s act at the exchange (KRW withdrawals need the account holder’s second factor); this records it. One officer confirms: the daily custody reconciliation checks the figure against the exchange’s KRW balance.',
    roles: OFFICER,
    body: TransferBody,
    responses: {
      200: json(TreasuryView, 'The day’s position with its transfer.'),
      ...COMMON,
      409: problem('The day’s transfer was confirmed already with other figures.'),
      422: problem(
        'A rule refused it: nothing to move (NOTHING_TO_MOVE), or not the amount to move (TRANSFER_AMOUNT_DIFFERS), or a day after today.',
      ),
    },
    async handle({ body, caller, now }, deps) {
      const journal = journalOf(deps);
      const { cityId, day, reference } = body;
      const amount = won(body.amount);
      const same = (t: { amount: { eq(x: typeof amount): boolean }; reference: string }) =>
        t.amount.eq(amount) && t.reference === reference;
      const conflict = (t: { amount: { toFixed(n: number): string }; reference: string }) =>
        new Problem(
          409,
          'already-confirmed',
          'Already confirmed',
          `the transfer for ${day} was confirmed as ${t.amount.toFixed(0)} KRW (reference ${t.reference})`,
        );
      if (day > kstDate(now))
        throw new CaseRuleError('TRANSFER_IN_FUTURE', `${day} is after today (${kstDate(now)} in Korea)`);
      const earlier = await journal.transfer(cityId, day);
      if (earlier && !same(earlier)) throw conflict(earlier);
      if (!earlier) {
        checkTransfer(treasuryPosition(await journal.krwLines(cityId), day), amount);
        const written = await journal.recordTransfer(cityId, day, amount, {
          by: actorOf(caller).id,
          at: now.toISOString(),
          reference,
        });
        const recorded = written ? undefined : await journal.transfer(cityId, day);
        if (recorded && !same(recorded)) throw conflict(recorded);
        if (written) deps.logger.info('treasury transfer confirmed', { cityId, day, amount: amount.toFixed(0) });
      }
      return { status: 200, body: await treasuryView(journal, cityId, day) };
    },
  }),
];
