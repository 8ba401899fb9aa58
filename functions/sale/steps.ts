/**
 * The contract between the state machine (infra/constructs/sale-workflow.ts) and the step
 * functions: which steps exist, which Lambda runs each, what each receives and returns. The state
 * machine passes every step the sale's reference and what that step needs (`step` names it), and
 * keeps each result under its own key for the Choice states and for officers reading the console.
 *
 * Two Lambdas, one per capability:
 *  - case steps (no network but DynamoDB): read and change the case, settle, record failures;
 *  - market steps (behind the fixed egress IP, with the exchange keys): quote, plan, place, reconcile.
 * Only the market steps can touch the city's exchange account, and their concurrency can be capped
 * to the exchange's order rate; the case steps stay outside the VPC.
 */
// zod's mini build: the step functions parse every event, and bundle size is their cold start.
import * as z from 'zod/mini';

export const CASE_STEPS = [
  'LoadCase',
  'CheckSaleAllowed',
  'ContinueAsNew',
  'Escalate',
  'Settle',
  'NotifyResult',
  'RecordFailure',
  'JoinDesk',
  'ReadDeskShare',
] as const;
export const MARKET_STEPS = [
  'QuoteMarket',
  'PlanNextSlice',
  'PlaceOrder',
  'ReconcileOrder',
  'LookUpOrdersInDoubt',
  'ResolveOpenOrders',
  'PlanDeskSlice',
  'PlaceDeskOrder',
  'ReconcileDeskOrder',
  'ResolveDeskOrders',
] as const;
/** The sale desk's own steps (its state machine; the market-steps function runs them). */
export const DESK_STEPS = ['PlanDeskSlice', 'PlaceDeskOrder', 'ReconcileDeskOrder', 'ResolveDeskOrders'] as const;
export type DeskStep = (typeof DESK_STEPS)[number];
export type CaseStep = (typeof CASE_STEPS)[number];
export type MarketStep = (typeof MARKET_STEPS)[number];
export type StepName = CaseStep | MarketStep;

const id = z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/));

/** What the execution is started with (and every step receives). */
export const SaleRef = z.object({ cityId: id, caseId: id, saleId: id });
export type SaleRef = z.infer<typeof SaleRef>;

export const SaleExecutionInput = z.extend(SaleRef, {
  requestedBy: z.enum(['DEADLINE', 'TAXPAYER']),
  requestedAt: z.string(),
  continuation: z.optional(z.int().check(z.minimum(1))),
});
export type SaleExecutionInput = z.infer<typeof SaleExecutionInput>;

export const StepEvent = z.extend(SaleRef, {
  step: z.enum([...CASE_STEPS, ...MARKET_STEPS]),
  executionName: z.optional(z.string()),
  identifier: z.optional(id),
  noticeIds: z.optional(z.array(z.string())),
  /** The caught error (Catch → ResolveOpenOrders → RecordFailure). */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type StepEvent = z.infer<typeof StepEvent>;

/** What a desk's execution is started with and every desk step receives. */
export const DeskStepEvent = z.object({
  step: z.enum(DESK_STEPS),
  cityId: id,
  deskId: id,
  market: z.string().check(z.regex(/^[A-Z]{2,5}-[A-Z0-9]{1,15}$/)),
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  run: z.optional(z.int().check(z.minimum(1))),
  identifier: z.optional(id),
  executionName: z.optional(z.string()),
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type DeskStepEvent = z.infer<typeof DeskStepEvent>;

// ---------------------------------------------------------------- results (what Choice states read)

export interface LoadCaseResult {
  requestedBy: 'DEADLINE' | 'TAXPAYER';
  needAtStartKrw: string;
}

/** CheckSaleAllowed: go on quoting, wait for the officer, or settle (with why). */
export interface CheckResult {
  /** CONTINUE: this execution has run a day; the sale goes on in a new one (ContinueAsNew). */
  /** DESK: the sale is a member of its market's desk: read its share (ReadDeskShare). */
  next: 'QUOTE' | 'AWAIT_APPROVAL' | 'SETTLE' | 'CONTINUE' | 'DESK';
  reason?: string;
  waitSeconds: number;
}

/** QuoteMarket's guard decision on the market to sell next (GuardPrice branches on it). */
export interface GuardResult {
  action: 'GO' | 'PAUSE' | 'ESCALATE';
  market?: string;
  reason?: string;
  waitSeconds: number;
}

/** PlanNextSlice: sell a slice, wait for the market, look again, ask an officer, or settle. */
export interface SliceResult {
  /** JOIN: the slice is sold by the market's desk (JoinDesk), with every other case selling that coin. */
  action: 'SELL' | 'WAIT' | 'NEXT' | 'AWAIT_APPROVAL' | 'SETTLE' | 'JOIN';
  identifier?: string;
  market?: string;
  quantity?: string;
  limitPrice?: string;
  reason?: string;
  waitSeconds: number;
}

export interface OrderResult {
  identifier: string;
  status: 'PLACED' | 'DONE' | 'ABSENT' | 'IN_DOUBT';
  resolvedByLookup: boolean;
  /** Not sent: a hold, a payment, a cancellation or the need covered, seen at the last moment. */
  blockedBy?: string;
  /** Refused on a rule the desk kept from an earlier turn (a tick size, a minimum): read again, planned anew. */
  refusedBy?: string;
}

/** LookUpOrdersInDoubt: orders of the sale still in doubt, and whether to wait and look again before settling. */
export interface InDoubtResult {
  inDoubt: number;
  wait: boolean;
  waitSeconds: number;
}

export interface FillResult {
  identifier: string;
  final: boolean;
  /** More to sell after this order (then wait a slice interval). */
  more: boolean;
  executedVolume: string;
  waitSeconds: number;
}

export interface SettleResult {
  status: string;
  netKrw: string;
  noticeIds: string[];
  stoppedBecause?: string;
}

/** The desk's turn: sell one order, wait, or end (no member left, or the day is over). */
export interface DeskSliceResult {
  action: 'SELL' | 'WAIT' | 'END';
  identifier?: string;
  quantity?: string;
  limitPrice?: string;
  members?: number;
  reason?: string;
  waitSeconds: number;
}

/** A case in a desk: still selling there (wait and look again), or back to its own steps. */
export interface DeskShareResult {
  next: 'WAIT' | 'ESCALATE' | 'LEFT';
  deskId?: string;
  soldQuantity?: string;
  reason?: string;
  waitSeconds: number;
}

export class UnknownStepError extends Error {
  override readonly name = 'UnknownStepError';
}
