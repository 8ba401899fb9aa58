import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The sale workflow on real local parts, for a test file: the state machine definition the CDK stack
 * synthesizes (bundling skipped), resolved to plain ASL and run by aws-local-stepfunctions with every
 * Task state bound to the real step handlers, against DynamoDB Local (a table of its own), the
 * exchange simulator (Upbit protocol, its own clock), and the city's API for payments, holds and
 * approvals. Waits and retry pauses are overridden to (near) zero; the simulator's clock moves one
 * minute at each quote, as the real waits would let it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  confirmCustody,
  markDue,
  registerCase,
  requestTransfer,
  recordPreSaleDelivery,
  sendPreSaleNotice,
  startSale,
  nextSaleId,
  type Case,
  type Transition,
  type TransitionContext,
} from '#domain/case';
import type { AssessedBill } from '#domain/bills';
import type { CaseStore } from '#domain/case-store';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { DEFAULT_EXECUTION_POLICY, type ExecutionPolicy } from '#domain/execution-policy';
import { Decimal, decimal, won, ZERO } from '#domain/money';
import { DynamoDbPriceStore, type PriceSnapshot } from '#adapters/dynamodb/price-store';
import { DynamoDbSaleStore, type OrderRecord, type SaleRecord } from '#adapters/dynamodb/sale-store';
import type { OrderExchange } from '../../../functions/sale/orders-in-doubt';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { DynamoDbRateBudget } from '#adapters/dynamodb/rate-budget-store';
import { DESK_MACHINE_ID, resolveStateMachineDefinition, type AslDefinition } from '#adapters/workflow/definition';
import { DeskStore } from '#adapters/dynamodb/desk-store';
import { createDeskSteps } from '../../../functions/sale/desk-steps';
import { DESK_LOOK_INTERVALS } from '../../../functions/sale/desk-shares';
import { LocalSaleWorkflowStarter, type LocalExecution, type LocalTaskHandler } from '#adapters/workflow/local-starter';
import type { SaleExecutionInput } from '#adapters/workflow/sale-workflow';
import { latest, statesOf, type ExecutionStates } from '#adapters/workflow/execution-history';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';
import { asStepFunctionsHistory } from '../../../local/sale-workflow';
import type { Group } from '../../../local/exchange-sim/limits';
import { createCaseSteps } from '../../../functions/sale/case-steps';
import { DEFAULT_SALE_LIMITS, type SaleLimits } from '../../../functions/sale/config';
import type { SaleDeps } from '../../../functions/sale/context';
import { localTaskHandlers, stepDispatcher } from '../../../functions/sale/dispatch';
import { createMarketSteps } from '../../../functions/sale/market-steps';
import { createOrderSweep, type SweepReport } from '../../../functions/sale/sweep';
import type { DESK_STATES as DeskStates, SALE_STATES as SaleStates } from '../../../infra/constructs/sale-workflow';
import { cachedTemplate, type TemplateJson } from '../../infra/template-cache';
import { testApi, type TestApi } from '../../support/api';
import { useCasesTable, type TestTable } from '../../support/dynamodb';

export const CITY = 'cheongju';
export const START = '2023-03-15T01:00:00Z'; // 10:00 KST, inside the simulator's BTC candles
export const KEYS = { accessKey: 'city-sale-test-access', secretKey: 'city-sale-test-secret-key-0123456789abcdef' };
export const settings = { ...DEFAULT_CITY_SETTINGS, cityId: CITY };
export const silent = new Logger({ logLevel: 'SILENT' });

/**
 * The states the world steps into by name, checked against the construct's names when type-checked
 * (importing the construct would load the CDK library in every sale test file: seconds of CPU each).
 */
const SALE_STATES = {
  quoteMarket: 'QuoteMarket',
  lookUpOrdersInDoubt: 'LookUpOrdersInDoubt',
  awaitApproval: 'AwaitApproval',
  readDeskShare: 'ReadDeskShare',
} as const satisfies Partial<typeof SaleStates>;
const DESK_STATES = { planDeskSlice: 'PlanDeskSlice' } as const satisfies Partial<typeof DeskStates>;

/** A definition's Wait states (the world overrides their durations). */
const waitStates = (definition: AslDefinition) =>
  Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Wait')
    .map(([name]) => name);

let template: TemplateJson | undefined;

/**
 * The template the CDK stack synthesizes (cdk.json's context, bundling skipped), shared with the infra
 * tests (synthesized once per set of inputs, test/infra/helpers.ts): read from their cache, the
 * library loaded only when there is none yet.
 */
async function synthesizedTemplate(): Promise<TemplateJson> {
  template ??= cachedTemplate() ?? (await import('../../infra/helpers')).synthesizedTemplate();
  return template;
}

/** The sale desk's state machine, as synthesized beside the sale's. */
export async function synthesizedDeskDefinition(): Promise<AslDefinition> {
  return resolveStateMachineDefinition(await synthesizedTemplate(), DESK_MACHINE_ID);
}

/** The sale's state machine the CDK stack synthesizes, tokens resolved (placeholder Lambda ARNs). */
export async function synthesizedDefinition(): Promise<AslDefinition> {
  return resolveStateMachineDefinition(await synthesizedTemplate());
}

export interface RecordedMetric {
  name: string;
  value: number;
}

/** Hooks a test puts around a Task state's real handler (to inject a payment, a crash, a clock move). */
export type StateHook = (input: unknown, run: () => Promise<unknown>) => Promise<unknown>;

export interface SaleWorld {
  sim: ExchangeSimulator;
  api: TestApi;
  sales: DynamoDbSaleStore;
  prices: DynamoDbPriceStore;
  starter: LocalSaleWorkflowStarter;
  definition: AslDefinition;
  /** The desks' executions (the desk's synthesized state machine on the same step handlers). */
  deskStarter: LocalSaleWorkflowStarter;
  desks: DeskStore;
  /** Notice ids the steps handed to the notice pipeline. */
  published: string[];
  metrics: RecordedMetric[];
  /** The policy the steps use (reset to the defaults before each test). */
  policy: ExecutionPolicy;
  limits: SaleLimits;
  /** The steps' clock runs this far ahead of the exchange's (a frozen price feed then looks stale). */
  clockOffsetMs: number;
  /** The exchange the market steps call (a test may wrap it). */
  exchange: OrderExchange;
  realExchange: UpbitExchange;
  /** The rate budget every client of the world shares. */
  budget: DynamoDbRateBudget;
  hooks: Partial<Record<string, StateHook>>;
  now(): Date;
  readonly store: CaseStore;
  /** A new starter on the same bindings. */
  newStarter(): LocalSaleWorkflowStarter;
  /** The cities' settings in the world's table (what the API reads). */
  readonly citySettings: TestTable['settings'];
  /** Waits pass on the simulator's clock (the steps' answers' waitSeconds), for sales over days. */
  simulateWaits: boolean;
  /** The scheduled sweep of orders in doubt, on the same stores, exchange and clock. */
  sweep(): Promise<SweepReport>;
}

export interface SaleWorldOptions {
  /** The simulator's per-second request limits by group; default Upbit's (local/exchange-sim/limits.ts). */
  readonly rateLimits?: Partial<Record<Group, number>>;
}

export function useSaleWorld(options: SaleWorldOptions = {}): SaleWorld {
  const table = useCasesTable();
  const world = {
    hooks: {},
    published: [],
    metrics: [],
    clockOffsetMs: 0,
    policy: DEFAULT_EXECUTION_POLICY,
    limits: DEFAULT_SALE_LIMITS,
  } as unknown as SaleWorld;
  Object.defineProperty(world, 'store', { get: () => table.store });
  Object.defineProperty(world, 'citySettings', { get: () => table.settings });

  beforeAll(async () => {
    const definition = await synthesizedDefinition();
    const sim = await startExchangeSimulator({
      seed: 11,
      keys: [KEYS],
      clock: START,
      markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'],
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    });
    // Within the shared rate budget on the world's table, as the deployed functions are, at the
    // simulator's limits (Upbit's unless the test says otherwise): it counts them in real seconds.
    const budget = new DynamoDbRateBudget(table.client, table.tableName, {
      scopes: { account: 'upbit', egress: 'upbit-egress' },
      ...(options.rateLimits ? { limits: options.rateLimits } : {}),
    });
    const realExchange = new UpbitExchange({
      baseUrl: sim.url,
      ...KEYS,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      resolveDelayMs: 1,
      resolveAttempts: 3,
      settleDelayMs: 1,
      maxAttempts: 4,
      timeoutMs: 2000,
      budget,
    });
    const sales = new DynamoDbSaleStore(table.client, table.tableName);
    const desks = new DeskStore(table.client, table.tableName);
    const prices = new DynamoDbPriceStore(table.client, table.tableName);
    Object.assign(world, {
      sim,
      sales,
      desks,
      prices,
      definition,
      budget,
      realExchange,
      exchange: realExchange,
      // The officers' reads of desks and of a sale's execution state by state, as deployed.
      api: testApi(table, START, {
        desks,
        executions: { states: (name, limit) => executionStates(world, name, limit) },
      }),
    });
    const now = () => new Date(sim.clock.nowMs() + world.clockOffsetMs);
    world.now = now;
    const exchange: OrderExchange = {
      quotes: (m) => world.exchange.quotes(m),
      orderBooks: (m) => world.exchange.orderBooks(m),
      marketRules: (m) => world.exchange.marketRules(m),
      placeSell: (o) => world.exchange.placeSell(o),
      placeOrResolve: (o) => world.exchange.placeOrResolve(o),
      getOrder: (r) => world.exchange.getOrder(r),
      settle: (r) => world.exchange.settle(r),
      cancelOrder: (r) => world.exchange.cancelOrder(r),
      balances: () => world.exchange.balances(),
      closedOrders: (q) => world.exchange.closedOrders(q),
      ordersByRefs: (r) => world.exchange.ordersByRefs(r),
    };
    const metrics = {
      addMetric: (name: string, _unit: unknown, value: number) => void world.metrics.push({ name, value }),
      addDimension: () => undefined,
    };
    const common: SaleDeps = {
      store: table.store,
      sales,
      get policy() {
        return world.policy;
      },
      get limits() {
        return world.limits;
      },
      settings: sameSettingsForEveryCity(settings),
      clock: now,
      logger: silent,
      metrics: metrics as unknown as SaleDeps['metrics'],
    };
    const caseSteps = stepDispatcher(
      createCaseSteps(
        Object.assign(withGetters(common), {
          starter: { start: (i: SaleExecutionInput) => world.starter.start(i) },
          desks,
          deskStarter: { start: (i: never) => world.deskStarter.start(i) },
          notices: { publish: async (_c: unknown, ids: readonly string[]) => void world.published.push(...ids) },
        }),
      ),
    );
    const marketDeps = Object.assign(withGetters(common), { exchange, priceHistory: prices, desks });
    const marketSteps = stepDispatcher({ ...createMarketSteps(marketDeps), ...createDeskSteps(marketDeps) });
    const sweep = createOrderSweep(
      Object.assign(withGetters(common), {
        cities: [CITY],
        exchange,
        desks,
        notices: { publish: async (_c: unknown, ids: readonly string[]) => void world.published.push(...ids) },
      }),
    );
    world.sweep = () => sweep();
    const deskDefinition = await synthesizedDeskDefinition();
    const bound = {
      ...localTaskHandlers(definition, { caseSteps, marketSteps }),
      ...localTaskHandlers(deskDefinition, { caseSteps, marketSteps }),
    };
    const handlers: Record<string, LocalTaskHandler> = {};
    const desksTurned = deskTurnCounter();
    for (const [stateName, step] of Object.entries(bound)) {
      const run =
        stateName === DESK_STATES.planDeskSlice
          ? (input: unknown) => step(input).finally(() => desksTurned.count())
          : step;
      handlers[stateName] = async (input) => {
        // A case in a desk looks again after the desks' next few turns (DESK_LOOK_INTERVALS slice
        // intervals as deployed, a desk turn each), not every few milliseconds of real time.
        if (stateName === SALE_STATES.readDeskShare) await desksTurned.next(DESK_LOOK_INTERVALS);
        // A minute passes at each quote (the case's own, or the desk's turn).
        if (stateName === SALE_STATES.quoteMarket || stateName === DESK_STATES.planDeskSlice) sim.clock.advance(60_000);
        const hook = world.hooks[stateName];
        if (world.simulateWaits) {
          // Long-sale tests: the Wait after this step passes on the exchange's clock too.
          const out = (hook ? await hook(input, () => run(input)) : await run(input)) as {
            waitSeconds?: number;
            final?: boolean;
          } | null;
          if (out && typeof out.waitSeconds === 'number' && out.waitSeconds > 0 && out.final !== false)
            sim.clock.advance(out.waitSeconds * 1000);
          return out;
        }
        // The wait before an order in doubt is looked up again passes on the exchange's clock too.
        if (stateName === SALE_STATES.lookUpOrdersInDoubt) sim.clock.advance(world.limits.inDoubtRecheckSeconds * 1000);
        return (hook ? await hook(input, () => run(input)) : await run(input)) as never;
      };
    }
    world.newStarter = () =>
      new LocalSaleWorkflowStarter(definition, {
        taskHandlers: handlers,
        waitTimeOverrides: Object.fromEntries(
          waitStates(definition).map((s) => [s, s === SALE_STATES.awaitApproval ? 25 : 0]),
        ),
        retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((s) => [s, 0])),
      });
    world.starter = world.newStarter();
    world.deskStarter = LocalSaleWorkflowStarter.forDesk(deskDefinition, {
      taskHandlers: handlers,
      waitTimeOverrides: Object.fromEntries(waitStates(deskDefinition).map((s) => [s, 0])),
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((s) => [s, 0])),
    });
  });

  beforeEach(() => {
    world.policy = DEFAULT_EXECUTION_POLICY;
    // Each case sells alone unless the test sells through the desk (`useDesk`).
    world.limits = { ...DEFAULT_SALE_LIMITS, desk: false };
    world.clockOffsetMs = 0;
    world.simulateWaits = false;
    world.hooks = {};
    world.exchange = world.realExchange;
    world.sim.faults.clear();
    // Ten minutes between tests: the books earlier sales ate into refill.
    world.sim.clock.advance(10 * 60_000);
    world.api.clock.now = world.now();
  });

  afterAll(async () => {
    await world.starter?.settle();
    await world.deskStarter?.settle();
    await world.sim?.close();
  });

  return world;
}

/**
 * Counts the desks' turns (PlanDeskSlice) for the cases waiting in a desk: `next(n)` resolves after n
 * more turns, or after a quarter of a second of real time when no desk turns (it has ended, or waits).
 */
function deskTurnCounter() {
  let turns = 0;
  const waiting = new Set<{ at: number; wake: () => void }>();
  return {
    count() {
      turns++;
      for (const w of waiting) if (turns >= w.at) w.wake();
    },
    next(n: number): Promise<void> {
      return new Promise((resolve) => {
        const w = { at: turns + n, wake: () => (clearTimeout(timer), waiting.delete(w), resolve()) };
        const timer = setTimeout(w.wake, 250);
        waiting.add(w);
      });
    },
  };
}

/** A sale execution's states as the API reads them (Step Functions' history), from the interpreter's event log. */
async function executionStates(world: SaleWorld, name: string, limit: number): Promise<ExecutionStates | undefined> {
  const execution = world.starter.executions.get(name);
  if (!execution) return undefined;
  const events = execution.events.map((e) => ({
    at: new Date(e.timestamp).toISOString(),
    type: e.type,
    ...(e.state ? { state: e.state.name, stateType: e.state.type } : {}),
    ...(e.Error ? { error: e.Error } : {}),
  }));
  return {
    name,
    status: execution.status,
    ...latest(statesOf(asStepFunctionsHistory(events), execution.status), limit),
  };
}

/** Sells through the desk, as deployed, with a paced client. */
export function throughDesk(world: SaleWorld): void {
  world.limits = DEFAULT_SALE_LIMITS;
  world.exchange = pacedExchange(world);
}

const HOUR_MS = 3_600_000;

/**
 * For a test whose desk turns must fall on one KST day (a desk sells one day): begun in the day's
 * last six hours (earlier tests move the clock, more of it on a loaded machine), it starts at the next
 * 10:00 KST instead.
 */
export function awayFromMidnight(world: SaleWorld): void {
  const intoDayMs = (world.sim.clock.nowMs() + 9 * HOUR_MS) % (24 * HOUR_MS);
  if (intoDayMs < 18 * HOUR_MS) return;
  world.sim.clock.advance(24 * HOUR_MS - intoDayMs + 10 * HOUR_MS);
  world.api.clock.now = world.now();
}

/** Polls (real time) until `done` holds, for at most a minute. */
export async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
}

/** Until every case is a member of the desk (the cases' executions join it at their own pace). */
export async function untilMembers(world: SaleWorld, deskId: string, cases: readonly Case[]): Promise<void> {
  await until(async () =>
    (await Promise.all(cases.map((c) => world.desks.member(CITY, deskId, c.caseId)))).every((m) => m !== undefined),
  );
}

/** A client with the backoff of a real one (the world's budget too), for steps that repeat without real waits. */
export function pacedExchange(world: SaleWorld): UpbitExchange {
  return new UpbitExchange({
    baseUrl: world.sim.url,
    ...KEYS,
    backoffBaseMs: 50,
    backoffMaxMs: 1000,
    resolveDelayMs: 1,
    resolveAttempts: 3,
    settleDelayMs: 1,
    timeoutMs: 2000,
    budget: world.budget,
  });
}

/** A copy that keeps `policy` and `limits` live (getters read at each call, as tests change them). */
function withGetters(deps: SaleDeps): SaleDeps {
  return Object.defineProperties({}, Object.getOwnPropertyDescriptors(deps)) as SaleDeps;
}

// ---------------------------------------------------------------- cases

export function bill(billId: string, tax: string, overrides: Partial<AssessedBill> = {}): AssessedBill {
  return {
    billId,
    taxItem: '지방소득세',
    provincial: false,
    dueDate: '2022-05-31',
    cost: ZERO,
    tax: won(tax),
    surcharge: won('30000'),
    surchargeAsOf: '2022-06-30',
    ...overrides,
  };
}

/** A bill update's body (PUT /cases/{caseId}/bills): the case's one bill B1 with this tax. */
export const billBody = (tax: string) => ({
  cityId: CITY,
  bills: [
    {
      billId: 'B1',
      taxItem: '지방소득세',
      provincial: false,
      dueDate: '2022-05-31',
      cost: '0',
      tax,
      surcharge: '30000',
      surchargeAsOf: '2022-06-30',
    },
  ],
});

const ctx = (at: string | Date, kind: 'CITY_SYSTEM' | 'SYSTEM' = 'CITY_SYSTEM'): TransitionContext => ({
  now: new Date(at),
  actor: { kind, id: kind === 'SYSTEM' ? 'test' : 'arn:aws:iam::111122223333:role/city-tax-system' },
  settings,
});

export interface CaseSpec {
  caseId: string;
  market?: string;
  quantity: string;
  bills?: AssessedBill[];
  /** Stop at this state (default SELLING). */
  until?: 'NOTICE_SENT' | 'DUE' | 'SELLING';
}

/**
 * Registers a case (deadline in February 2023), seizes and takes custody of its coins (credited to
 * the city's exchange account), sends the pre-sale notice, and walks it to the state asked for.
 */
export async function caseReady(world: SaleWorld, spec: CaseSpec): Promise<Case> {
  const market = spec.market ?? 'KRW-BTC';
  const quantity = decimal(spec.quantity);
  const bills = spec.bills ?? [
    bill('B1', '1000000'),
    bill('B2', '50000', { taxItem: '자동차세', dueDate: '2022-01-31', cost: won('3000') }),
  ];
  const steps: Transition[] = [];
  const registered = registerCase(
    {
      cityId: CITY,
      caseId: spec.caseId,
      cityCaseRef: `CC-${spec.caseId}`,
      taxpayer: { ref: `TP-${spec.caseId}`, name: '김납세', contact: { phone: '010-1234-5678' } },
      bills,
    },
    ctx('2022-12-01T00:00:00Z'),
  );
  await world.store.create(registered);
  let c = registered.case;
  const commit = async (t: Transition) => {
    await world.store.commit(c.version, t);
    steps.push(t);
    c = t.case;
  };
  await commit(requestTransfer(c, [{ market, quantity }], ctx('2022-12-05T00:00:00Z')));
  await commit(confirmCustody(c, { market, quantity }, ctx('2022-12-20T00:00:00Z')));
  world.sim.accounts.credit(market.split('-')[1]!, quantity.toFixed());
  await commit(sendPreSaleNotice(c, [{ market, bid: new Decimal('30000000') }], ctx('2023-01-02T00:00:00Z')));
  // Delivered the same day: the deadline runs from it.
  await commit(
    recordPreSaleDelivery(
      c,
      { noticeId: c.preSaleNotice!.noticeId, outcome: 'DELIVERED', on: '2023-01-02' },
      ctx('2023-01-02T00:00:00Z'),
    ),
  );
  if (spec.until === 'NOTICE_SENT') return c;
  await commit(markDue(c, ctx(world.now(), 'SYSTEM')));
  if (spec.until === 'DUE') return c;
  await commit(startSale(c, nextSaleId(c), ctx(world.now(), 'SYSTEM')));
  return c;
}

export const executionInput = (
  c: Pick<Case, 'cityId' | 'caseId'> & { saleId?: string },
  requestedBy: 'DEADLINE' | 'TAXPAYER' = 'DEADLINE',
): SaleExecutionInput => ({
  cityId: c.cityId,
  caseId: c.caseId,
  saleId: c.saleId ?? '',
  requestedBy,
  requestedAt: new Date().toISOString(),
});

/** Runs `then` once, after the first time the state's real handler has finished. */
export function afterFirst(world: SaleWorld, state: string, then: () => Promise<void>): void {
  let done = false;
  world.hooks[state] = async (_input, run) => {
    const out = await run();
    if (!done) {
      done = true;
      await then();
    }
    return out;
  };
}

/** Starts the sale of a SELLING case and waits for its execution to end. */
export async function runSale(world: SaleWorld, c: Case): Promise<LocalExecution> {
  const started = await world.starter.start(executionInput(c));
  const execution = world.starter.executions.get(started.executionName);
  if (!execution) throw new Error('no execution');
  await execution.done;
  return execution;
}

// ---------------------------------------------------------------- reading what happened

export function statesEntered(execution: LocalExecution): string[] {
  return execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.state?.name ?? '');
}

/** The state's retries, each with the error that caused it (the StateFailed event just before). */
export function retriesOf(execution: LocalExecution, stateName: string): { error?: string; retrier: string[] }[] {
  const out: { error?: string; retrier: string[] }[] = [];
  let lastError: string | undefined;
  for (const e of execution.events) {
    if (e.state?.name !== stateName) continue;
    if (e.type === 'StateFailed') lastError = e.Error;
    if (e.type === 'StateRetried')
      out.push({
        ...(lastError ? { error: lastError } : {}),
        retrier: (e as { retry?: { retrier?: { ErrorEquals?: string[] } } }).retry?.retrier?.ErrorEquals ?? [],
      });
  }
  return out;
}

export function failuresOf(execution: LocalExecution, stateName: string): string[] {
  return execution.events
    .filter((e) => e.type === 'StateFailed' && e.state?.name === stateName)
    .map((e) => e.Error ?? '');
}

export async function saleOf(
  world: SaleWorld,
  c: Pick<Case, 'cityId' | 'caseId'>,
  saleId: string,
): Promise<{ sale: SaleRecord; orders: OrderRecord[] }> {
  const sale = await world.sales.get(c.cityId, c.caseId, saleId);
  if (!sale) throw new Error(`no sale record ${saleId}`);
  return { sale, orders: await world.sales.orders(c.cityId, c.caseId, saleId) };
}

/** The exchange's own record of the orders of one sale. */
export function exchangeOrders(world: SaleWorld, saleId: string) {
  return world.sim.orders.all().filter((o) => o.identifier?.startsWith(`${CITY}.${saleId}.s`));
}

/** A minute point of the price poller's series, as the poller would have written it. */
export function polledPrice(market: string, at: Date, price: Decimal): PriceSnapshot {
  return {
    market,
    polledAt: at,
    tradePrice: price,
    bestBid: price,
    bestAsk: price,
    mid: price,
    gapBps: ZERO,
    tradeAt: at,
    tickerAt: at,
    bookAt: at,
    quotedAt: at,
    ageMs: 0,
    flags: [],
    accTradeVolume24h: new Decimal('1000'),
    accTradeValue24h: new Decimal('30000000000'),
  };
}
