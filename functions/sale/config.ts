/**
 * The sale workflow's configuration, read once from the environment at start-up (the step
 * functions and the sweep of orders in doubt; the starter and the deadline check read only the parts
 * they use); a missing or malformed variable stops the function before it does anything.
 *
 *   TABLE_NAME                  the cases table
 *   SERVED_CITIES               comma-separated city ids
 *   EXECUTION_POLICY            JSON overrides of the execution policy (domain defaults otherwise;
 *                               approvalThresholdKrw as a string of digits)
 *   SALE_APPROVAL_POLL_SECONDS  how often a sale waiting for an officer looks again (default 300)
 *   SALE_APPROVAL_TIMEOUT_HOURS a sale not approved by then stops, nothing sold (default 72)
 *   SALE_MAX_DAYS               a sale still running after this stops and settles what it sold (default 20;
 *                               the state machine's own timeout, 24 days, is the backstop)
 *   SALE_FILL_POLL_SECONDS      wait before an order is looked at again (default 2)
 *   SALE_MAX_ATTEMPTS           sale attempts per case before the deadline check stops asking (default 5)
 *   SALE_IN_DOUBT_BOUND_MINUTES an order in doubt holds its sale's new orders this long, then an
 *                               officer is alerted and the sale goes on without its coins (default 10)
 *   SALE_DESK                   on (default): cases sell through their market's desk; off: each case alone
 *   NOTICE_QUEUE_URL            the notice queue (optional; the case steps and the deadline check send to it)
 */
import * as z from 'zod/mini';
import type { ExecutionPolicy } from '#domain/execution-policy';
import { Decimal } from '#domain/money';
import { cityIds, ConfigError, ENV, optional, parseEnv, required, saleMaxAttempts, whole } from '#adapters/env';
import { executionPolicyVar } from '#adapters/execution-policy-env';

export { ConfigError };

/**
 * Reserved concurrency of the market steps (infra/constructs/sale-workflow.ts; the local stack runs
 * them at the same): at most this many market steps call the exchange at once, so what waits on the
 * rate budget stays short. A step beyond it is throttled and retried by the state machine.
 */
export const MARKET_STEPS_CONCURRENCY = 10;

export interface SaleLimits {
  /** The exchange's quantity step: Upbit takes volumes with at most 8 decimals. */
  lotSize: Decimal;
  approvalPollSeconds: number;
  approvalTimeoutMs: number;
  maxSaleDurationMs: number;
  fillPollSeconds: number;
  /** An order still open on the exchange after this is cancelled (an IOC never should be). */
  maxOpenOrderMs: number;
  maxSaleAttempts: number;
  /** A sale waits this long for an order in doubt before it goes on without its coins (officer alerted). */
  inDoubtBoundMs: number;
  /** How often an order in doubt is looked up while its sale waits. */
  inDoubtRecheckSeconds: number;
  /** How often a sale waiting for the taxpayer's floor price looks at the market again. */
  floorRecheckSeconds: number;
  /** The longest a sale waits before it checks again (the daily cap waits for the next day in steps of it). */
  longestWaitSeconds: number;
  /** An execution that has run this long hands the sale on to a new one (history stays small). */
  executionSpanMs: number;
  /** Cases sell through their market's desk (docs/SALE-DESK.md); false: each case sells alone (SALE_DESK=off). */
  desk: boolean;
  /**
   * A desk reads its market's rules (tick size, fee, minimum) again after this; a refusal on a rule
   * it kept makes it read them at once (docs/SALE-DESK.md "Exchange calls").
   */
  rulesMaxAgeMs: number;
}

export const DEFAULT_SALE_LIMITS: SaleLimits = Object.freeze({
  lotSize: new Decimal('0.00000001'),
  approvalPollSeconds: 300,
  approvalTimeoutMs: 72 * 3_600_000,
  maxSaleDurationMs: 20 * 86_400_000,
  fillPollSeconds: 2,
  maxOpenOrderMs: 60_000,
  maxSaleAttempts: 5,
  inDoubtBoundMs: 10 * 60_000,
  inDoubtRecheckSeconds: 30,
  floorRecheckSeconds: 15 * 60,
  longestWaitSeconds: 3_600,
  executionSpanMs: 86_400_000,
  desk: true,
  rulesMaxAgeMs: 15 * 60_000,
});

export interface SaleConfig {
  tableName: string;
  cities: readonly string[];
  policy: ExecutionPolicy;
  limits: SaleLimits;
  /** The notice queue (absent: the sale's notices wait for the outbox sweeper). */
  noticeQueueUrl?: string;
}

/** The variables every sale function reads (the starter and the deadline check extend it). */
export const SaleEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.executionPolicy]: executionPolicyVar(),
  [ENV.saleApprovalPollSeconds]: whole(300, 1, 86_400),
  [ENV.saleApprovalTimeoutHours]: whole(72, 1, 24 * 30),
  [ENV.saleMaxDays]: whole(20, 1, 23),
  [ENV.saleFillPollSeconds]: whole(2, 1, 60),
  [ENV.saleMaxAttempts]: saleMaxAttempts(),
  [ENV.saleInDoubtBoundMinutes]: whole(10, 1, 24 * 60),
  [ENV.noticeQueueUrl]: optional(),
  [ENV.saleDesk]: z.optional(z.enum(['on', 'off'])),
});

/** The sale configuration from an environment parsed with `SaleEnv` (or a schema extending it). */
export function saleConfigOf(e: z.output<typeof SaleEnv>): SaleConfig {
  return {
    tableName: e[ENV.tableName],
    cities: e[ENV.servedCities],
    policy: e[ENV.executionPolicy],
    limits: {
      ...DEFAULT_SALE_LIMITS,
      approvalPollSeconds: e[ENV.saleApprovalPollSeconds],
      approvalTimeoutMs: e[ENV.saleApprovalTimeoutHours] * 3_600_000,
      maxSaleDurationMs: e[ENV.saleMaxDays] * 86_400_000,
      fillPollSeconds: e[ENV.saleFillPollSeconds],
      maxSaleAttempts: e[ENV.saleMaxAttempts],
      inDoubtBoundMs: e[ENV.saleInDoubtBoundMinutes] * 60_000,
      desk: e[ENV.saleDesk] !== 'off',
    },
    ...(e[ENV.noticeQueueUrl] ? { noticeQueueUrl: e[ENV.noticeQueueUrl] } : {}),
  };
}

export function loadSaleConfig(env: NodeJS.ProcessEnv = process.env): SaleConfig {
  return saleConfigOf(parseEnv(SaleEnv, env));
}
