/**
 * Sale quality on the exchange simulator replaying real candles: a fixed book of forced sales run
 * three ways on the same paths.
 *
 *   npm run bench -- sale [--quick]
 *
 * Every (sale, strategy) run gets a fresh simulator (same seed, same start instant), so each
 * strategy meets the same market path with an untouched book; the simulated clock only moves when
 * the strategy waits. All orders go through the project's Upbit adapter (`UpbitExchange`) over HTTP.
 *
 *  a. naive: one market sell of the whole need (quantity at the arrival bid, net of fee); when the
 *     exchange refuses it as larger than the visible book, what the book takes is sold at once,
 *     again and again in the same minute, until the quantity is sold (an officer selling by hand);
 *     likewise a sell above the exchange's largest order total (₩1 billion) goes as several at once.
 *  b. TWAP: the same quantity in 12 equal market sells, one every 5 minutes (an hour), no guards.
 *  c. engine: the sale loop of functions/sale/market-steps.ts with the default policy
 *     (DEFAULT_EXECUTION_POLICY) and the same domain functions: `planSale` on the still-needed won
 *     (re-planned after every fill with the real proceeds), `guardMarket` on each quote,
 *     `nextSlice` for size and limit price, limit IOC orders. What is not run: the Step Functions
 *     machine, DynamoDB records and the officer's approval (sales above the threshold are taken as
 *     approved at once). The circuit breaker sees the sale's own quotes plus one quote a minute over
 *     the window before the start (what the price poller stores). An escalation (3 pauses in a row)
 *     is taken as an officer resuming the sale an hour later. A sale unfinished after 14 simulated
 *     days stops there: the rest is unfilled need.
 *
 * Figures per strategy (`saleQuality` of shared/domain/sale-quality.ts, arrival = the order-book mid
 * at the start): implementation shortfall (bps, fees and the unfilled part at the last mid
 * included), won recovered per won owed, overshoot, unfilled need, time to complete, and orders
 * priced outside the policy band (for market orders: the worst fill against the mid at the order).
 */
import { Decimal, ZERO, bps, floorWon, max, sum } from '#domain/money';
import { DEFAULT_EXECUTION_POLICY, guardMarket, nextSlice, priceBandViolation, type PricePoint } from '#domain/execution-policy';
import { planSale, quantityToRaise, smallestOrder, type PricedHolding } from '#domain/sale-plan';
import { saleQuality, type ExecutedFill } from '#domain/sale-quality';
import { ExchangeError, type ExchangeOrder, type OrderBook, type Quote, type MarketRules } from '#adapters/exchange/exchange';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { startExchangeSimulator, type ExchangeSimulator } from '../local/exchange-sim';
import { defineCommand } from '../local/cli';
import { machine, median, percentile, round, table, targetLines, writeResult, type Target } from './support/common';

const KEY = { accessKey: 'bench-access', secretKey: 'bench-secret' };
const SEED = 20240805;
const MINUTE = 60_000;
const HORIZON_MS = 14 * 86_400_000;
const LOT = new Decimal('0.00000001');
const POLICY = DEFAULT_EXECUTION_POLICY;
const TWAP_SLICES = 12;
const TWAP_EVERY_MS = 5 * MINUTE;

type Strategy = 'naive' | 'twap' | 'engine';
const STRATEGIES: Strategy[] = ['naive', 'twap', 'engine'];

interface SaleCase {
  id: string;
  market: string;
  start: string;
  owedKrw: Decimal;
  note: string;
}

/** Start instants (UTC). KRW-ETH: Upbit 15-minute 2024 (the 2024-08-05 crash); KRW-BTC: Binance.US March 2023 (the de-peg weekend). */
const STARTS: Record<string, { at: string; note: string }[]> = {
  'KRW-ETH': [
    { at: '2024-08-05T00:00:00Z', note: 'crash day, 09:00 KST' },
    { at: '2024-08-05T03:00:00Z', note: 'crash day, 12:00 KST' },
    { at: '2024-08-05T06:30:00Z', note: 'crash day, 15:30 KST' },
    { at: '2024-03-12T02:00:00Z', note: 'calm' },
    { at: '2024-06-10T05:00:00Z', note: 'calm' },
    { at: '2024-11-12T01:00:00Z', note: 'rally' },
  ],
  'KRW-BTC': [
    { at: '2023-03-10T14:00:00Z', note: 'SVB failure, evening' },
    { at: '2023-03-11T02:00:00Z', note: 'USDC de-peg' },
    { at: '2023-03-12T20:00:00Z', note: 'de-peg recovery' },
    { at: '2023-03-13T13:00:00Z', note: 'Monday rally' },
    { at: '2023-03-03T10:00:00Z', note: 'calm' },
    { at: '2023-03-17T08:00:00Z', note: 'calm' },
  ],
};
/** Won owed: a typical Cheongju case (₩1-10 million) up to a large holding. */
const SIZES = ['1000000', '10000000', '100000000', '1000000000'];

function book(quick: boolean): SaleCase[] {
  const out: SaleCase[] = [];
  for (const [market, starts] of Object.entries(STARTS)) {
    for (const s of quick ? starts.slice(0, 2) : starts) {
      for (const size of quick ? SIZES.slice(1) : SIZES) {
        out.push({ id: `${market}@${s.at.slice(0, 16)}/${size}`, market, start: s.at, owedKrw: new Decimal(size), note: s.note });
      }
    }
  }
  return out;
}

interface RunResult {
  strategy: Strategy;
  fills: ExecutedFill[];
  /** When each fill's order was placed (simulated), for the daily cap. */
  fillTimes: number[];
  orders: number;
  ordersOutsideBand: number;
  decidedQuantity: Decimal;
  arrivalMid: Decimal;
  endMid: Decimal;
  durationMs: number;
  completed: boolean;
  pauses: number;
  escalations: number;
  overshootAllowanceKrw: Decimal;
}

interface Snapshot {
  quote: Quote;
  book: OrderBook;
  mid: Decimal;
  bestBid: Decimal;
}

class Session {
  private slice = 0;
  constructor(
    readonly sim: ExchangeSimulator,
    readonly ex: UpbitExchange,
    readonly c: SaleCase,
    readonly rules: MarketRules,
  ) {}

  now(): Date {
    return this.sim.clock.now();
  }

  async snapshot(): Promise<Snapshot> {
    const [[quote], [ob]] = await Promise.all([this.ex.quotes([this.c.market]), this.ex.orderBooks([this.c.market])]);
    if (!quote || !ob || !ob.bids[0] || !ob.asks[0]) throw new Error(`${this.c.market}: no quote`);
    return { quote, book: ob, bestBid: ob.bids[0].price, mid: ob.bids[0].price.add(ob.asks[0].price).div(2) };
  }

  identifier(strategy: Strategy): string {
    this.slice += 1;
    return `bench-${strategy}-${this.slice}`;
  }

  async sell(order: Parameters<UpbitExchange['placeSell']>[0]): Promise<ExchangeOrder> {
    const placed = await this.ex.placeSell(order);
    return placed.state === 'done' || placed.state === 'cancel' ? this.ex.getOrder({ uuid: placed.uuid }) : this.ex.settle({ uuid: placed.uuid });
  }
}

const fillOf = (o: ExchangeOrder): ExecutedFill => ({ quantity: o.executedVolume, grossKrw: o.executedFunds, feeKrw: o.paidFee });
const netOf = (fills: readonly ExecutedFill[]): Decimal => floorWon(sum(fills.map((f) => f.grossKrw.sub(f.feeKrw))));
const worstFill = (o: ExchangeOrder): Decimal | undefined => o.trades.map((t) => t.price).sort((a, b) => a.cmp(b))[0];

function holdingFor(s: Session, snap: Snapshot, quantity: Decimal): PricedHolding {
  return { market: s.c.market, quantity, bid: snap.bestBid, askFee: s.rules.askFee, lotSize: LOT, minOrderKrw: s.rules.minOrderTotal, recentTradedValue: snap.quote.accTradeValue24h };
}

/** A market sell of `quantity`, cut to what the visible book accepts as often as needed, all at once. */
async function marketSell(s: Session, strategy: Strategy, quantity: Decimal, r: RunResult): Promise<void> {
  let left = quantity;
  for (let tries = 0; left.gt(0) && tries < 50; tries++) {
    const snap = await s.snapshot();
    const visible = sum(snap.book.bids.map((b) => b.size));
    let volume = left;
    if (volume.gt(visible)) volume = visible.mul('0.999').toDecimalPlaces(8, Decimal.ROUND_DOWN);
    // The exchange's largest order total (₩1 billion on Upbit): a bigger sell goes as several.
    const largest = s.rules.maxOrderTotal?.div(snap.mid).mul('0.99').toDecimalPlaces(8, Decimal.ROUND_DOWN);
    if (largest && volume.gt(largest)) volume = largest;
    if (volume.mul(snap.bestBid).lt(s.rules.minOrderTotal)) break;
    let o: ExchangeOrder;
    try {
      o = await s.sell({ type: 'market', market: s.c.market, identifier: s.identifier(strategy), volume });
    } catch (error) {
      if (error instanceof ExchangeError && error.exchangeName === 'exceeds_orderbook_depth_ask') {
        continue; // refused: the next try sizes to the book again
      }
      throw error;
    }
    r.orders += 1;
    const worst = worstFill(o);
    if (worst && priceBandViolation(worst, snap.mid, POLICY)) r.ordersOutsideBand += 1;
    r.fills.push(fillOf(o));
    left = left.sub(o.executedVolume);
  }
}

async function runNaive(s: Session, r: RunResult): Promise<void> {
  await marketSell(s, 'naive', r.decidedQuantity, r);
  r.completed = netOf(r.fills).gte(s.c.owedKrw);
  r.endMid = (await s.snapshot()).mid;
}

async function runTwap(s: Session, r: RunResult): Promise<void> {
  const each = r.decidedQuantity.div(TWAP_SLICES).toDecimalPlaces(8, Decimal.ROUND_DOWN);
  for (let i = 0; i < TWAP_SLICES; i++) {
    const quantity = i === TWAP_SLICES - 1 ? r.decidedQuantity.sub(each.mul(TWAP_SLICES - 1)) : each;
    await marketSell(s, 'twap', quantity, r);
    if (i < TWAP_SLICES - 1) s.sim.clock.advance(TWAP_EVERY_MS);
  }
  r.completed = netOf(r.fills).gte(s.c.owedKrw);
  r.endMid = (await s.snapshot()).mid;
}

/** The loop of functions/sale/market-steps.ts (QuoteMarket → PlanNextSlice → PlaceOrder → ReconcileOrder) on the domain functions. */
async function runEngine(s: Session, r: RunResult, holdingQuantity: Decimal): Promise<void> {
  const startMs = s.now().getTime();
  const history: PricePoint[] = [];
  // What the price poller would have stored: one trade price a minute over the breaker's window before the start.
  for (let t = startMs - POLICY.circuitBreakerWindowMs; t < startMs; t += MINUTE) {
    history.push({ at: new Date(t), price: s.sim.market(s.c.market).midAt(t) });
  }
  let consecutivePauses = 0;
  let sold = ZERO;
  let first = true;
  let lastMid = r.arrivalMid;
  while (s.now().getTime() - startMs < HORIZON_MS) {
    const need = s.c.owedKrw.sub(netOf(r.fills));
    if (need.lte(0)) {
      r.completed = true;
      break;
    }
    const snap = await s.snapshot();
    lastMid = snap.mid;
    const now = s.now();
    const left = holdingQuantity.sub(sold);
    const plan = planSale({ need, holdings: [holdingFor(s, snap, left)], margin: bps(POLICY.planningMarginBps) });
    const leg = plan.legs[0];
    if (!leg) break; // only dust left
    if (first) r.decidedQuantity = leg.quantity;
    first = false;
    const guard = guardMarket({
      policy: POLICY,
      now,
      quote: { tradePrice: snap.quote.tradePrice, bookMid: snap.mid, bestBid: snap.bestBid, quotedAt: new Date(Math.min(snap.quote.timestamp.getTime(), snap.book.timestamp.getTime())) },
      recentPrices: history.filter((p) => p.at.getTime() >= now.getTime() - POLICY.circuitBreakerWindowMs),
      consecutivePauses,
    });
    history.push({ at: now, price: snap.quote.tradePrice });
    if (guard.action !== 'GO') {
      r.pauses += 1;
      if (guard.action === 'ESCALATE') {
        r.escalations += 1;
        consecutivePauses = 0;
        s.sim.clock.advance(60 * MINUTE);
      } else {
        consecutivePauses = guard.consecutivePauses;
        s.sim.clock.advance(Math.max(MINUTE, guard.resumeAt.getTime() - now.getTime()));
      }
      continue;
    }
    consecutivePauses = 0;
    const dayStart = now.getTime() - ((now.getTime() + 9 * 3_600_000) % 86_400_000);
    const decision = nextSlice({
      policy: POLICY,
      now,
      remainingQuantity: leg.quantity,
      referencePrice: snap.mid,
      bids: snap.book.bids,
      tickSize: s.rules.tickSize,
      lotSize: LOT,
      minOrderKrw: s.rules.minOrderTotal,
      recentTradedVolume: snap.quote.accTradeVolume24h.mul(POLICY.volumeLookbackMs).div(86_400_000),
      plannedTotalQuantity: r.decidedQuantity,
      soldTodayQuantity: sum(r.fills.filter((_, i) => (r.fillTimes[i] ?? 0) >= dayStart).map((f) => f.quantity)),
      averageDailyTradedValue: snap.quote.accTradeValue24h,
    });
    if (decision.action === 'SELL') {
      const o = await s.sell({ type: 'limit', timeInForce: 'ioc', market: s.c.market, identifier: s.identifier('engine'), volume: decision.quantity, price: decision.limitPrice });
      r.orders += 1;
      if (priceBandViolation(decision.limitPrice, snap.mid, POLICY)) r.ordersOutsideBand += 1;
      r.fills.push(fillOf(o));
      r.fillTimes.push(now.getTime());
      sold = sold.add(o.executedVolume);
      s.sim.clock.advance(POLICY.sliceIntervalMs);
    } else if (decision.action === 'WAIT') {
      r.pauses += 1;
      s.sim.clock.advance(Math.max(MINUTE, decision.resumeAt.getTime() - now.getTime()));
    } else if (decision.action === 'RELEASE_DUST' || decision.action === 'DONE') break;
  }
  r.completed = netOf(r.fills).gte(s.c.owedKrw);
  r.endMid = lastMid;
}

async function runOne(c: SaleCase, strategy: Strategy): Promise<{ r: RunResult; source: string; hourlyValueKrw: Decimal }> {
  const sim = await startExchangeSimulator({ seed: SEED, keys: [KEY], clock: c.start, markets: ['KRW-BTC', 'KRW-ETH'], rateLimits: { ticker: 100_000, orderbook: 100_000, order: 100_000, default: 100_000 } });
  try {
    const ex = new UpbitExchange({ baseUrl: sim.url, accessKey: KEY.accessKey, secretKey: KEY.secretKey, settleDelayMs: 0 });
    const rules = await ex.marketRules(c.market);
    const s = new Session(sim, ex, c, rules);
    const arrival = await s.snapshot();
    // The holding: twice what the need is worth at arrival, so the need, not the holding, binds.
    const holding = floorWon(c.owedKrw.mul(2)).div(arrival.bestBid).toDecimalPlaces(8, Decimal.ROUND_UP);
    sim.accounts.credit(sim.market(c.market).baseCurrency, holding.toFixed());
    const h = holdingFor(s, arrival, holding);
    const r: RunResult = {
      strategy,
      fills: [],
      fillTimes: [],
      orders: 0,
      ordersOutsideBand: 0,
      decidedQuantity: quantityToRaise(c.owedKrw, h),
      arrivalMid: arrival.mid,
      endMid: arrival.mid,
      durationMs: 0,
      completed: false,
      pauses: 0,
      escalations: 0,
      overshootAllowanceKrw: max(rules.minOrderTotal, smallestOrder(h).mul(arrival.bestBid)).ceil(),
    };
    const started = s.now().getTime();
    if (strategy === 'naive') await runNaive(s, r);
    else if (strategy === 'twap') await runTwap(s, r);
    else await runEngine(s, r, holding);
    r.durationMs = s.now().getTime() - started;
    return { r, source: sim.describeSource(), hourlyValueKrw: arrival.quote.accTradeValue24h.div(24) };
  } finally {
    await sim.close();
  }
}

interface Row {
  sale: string;
  market: string;
  note: string;
  owedKrw: string;
  shareOfHourlyValueBps: number;
  strategy: Strategy;
  shortfallBps: number;
  recoveredPerOwed: number;
  overshootKrw: string;
  overshootAllowanceKrw: string;
  unfilledKrw: string;
  minutes: number;
  completed: boolean;
  orders: number;
  ordersOutsideBand: number;
  pauses: number;
  escalations: number;
}

function summarize(rows: Row[]) {
  const s = (xs: number[]) => ({ median: round(median(xs), 1), p95: round(percentile(xs, 95), 1) });
  const done = rows.filter((r) => r.completed).map((r) => r.minutes);
  return {
    sales: rows.length,
    shortfallBps: s(rows.map((r) => r.shortfallBps)),
    recoveredPerOwed: { median: round(median(rows.map((r) => r.recoveredPerOwed)), 4), min: round(Math.min(...rows.map((r) => r.recoveredPerOwed)), 4) },
    overshootKrw: { median: median(rows.map((r) => Number(r.overshootKrw))), max: Math.max(...rows.map((r) => Number(r.overshootKrw))) },
    unfilledKrw: { total: sum(rows.map((r) => new Decimal(r.unfilledKrw))).toFixed(0), salesWithUnfilled: rows.filter((r) => r.unfilledKrw !== '0').length },
    minutesToComplete: { median: done.length ? round(median(done), 0) : null, p95: done.length ? round(percentile(done, 95), 0) : null, completed: done.length },
    orders: rows.reduce((a, r) => a + r.orders, 0),
    ordersOutsideBand: rows.reduce((a, r) => a + r.ordersOutsideBand, 0),
  };
}

export const command = defineCommand({
  name: 'npm run bench -- sale',
  about: 'Sale quality on the exchange simulator replaying real candles: a fixed book of forced sales, each run naive, TWAP and by the engine.',
  options: { quick: { type: 'boolean', description: 'two sales per market instead of the whole book' } },
  read: (v) => ({ quick: v.quick ?? false }),
});

export default async function bench({ quick }: ReturnType<typeof command.read>): Promise<void> {
  const m = machine();
  const sales = book(quick);
  const rows: Row[] = [];
  const sources = new Set<string>();
  const wall = performance.now();
  for (const c of sales) {
    for (const strategy of STRATEGIES) {
      const { r, source, hourlyValueKrw } = await runOne(c, strategy);
      sources.add(source);
      const q = saleQuality([{ market: c.market, arrivalMid: r.arrivalMid, decidedQuantity: r.decidedQuantity, endMid: r.endMid, fills: r.fills }], c.owedKrw);
      const net = netOf(r.fills);
      const recovered = Decimal.min(net, c.owedKrw);
      rows.push({
        sale: c.id,
        market: c.market,
        note: c.note,
        owedKrw: c.owedKrw.toFixed(0),
        shareOfHourlyValueBps: round(c.owedKrw.div(hourlyValueKrw).mul(10_000).toNumber(), 1),
        strategy,
        shortfallBps: round((q.implementationShortfallBps ?? ZERO).toNumber(), 2),
        recoveredPerOwed: round(recovered.div(c.owedKrw).toNumber(), 6),
        overshootKrw: q.overshootKrw.toFixed(0),
        overshootAllowanceKrw: r.overshootAllowanceKrw.toFixed(0),
        unfilledKrw: c.owedKrw.sub(recovered).toFixed(0),
        minutes: round(r.durationMs / MINUTE, 0),
        completed: r.completed,
        orders: r.orders,
        ordersOutsideBand: r.ordersOutsideBand,
        pauses: r.pauses,
        escalations: r.escalations,
      });
    }
    process.stdout.write(`${c.id}: ${rows.slice(-3).map((x) => `${x.strategy} ${x.shortfallBps} bps`).join(', ')}\n`);
  }
  const wallSeconds = (performance.now() - wall) / 1000;

  const by = (st: Strategy, filter: (r: Row) => boolean = () => true) => rows.filter((r) => r.strategy === st && filter(r));
  const large = (r: Row) => r.shareOfHourlyValueBps > 100;
  const summary = Object.fromEntries(STRATEGIES.map((st) => [st, { all: summarize(by(st)), above1PctOfHourlyValue: summarize(by(st, large)) }]));
  const bySize: Record<string, { shareOfHourlyValueBpsMedian: number; shortfallBps: Record<Strategy, { median: number; p95: number }> }> = Object.fromEntries(
    SIZES.map((size) => {
      const of = (r: Row) => r.owedKrw === size;
      const shortfallBps = Object.fromEntries(STRATEGIES.map((st) => [st, summarize(by(st, of)).shortfallBps])) as Record<Strategy, { median: number; p95: number }>;
      return [size, { shareOfHourlyValueBpsMedian: round(median(by('engine', of).map((r) => r.shareOfHourlyValueBps)), 1), shortfallBps }];
    }),
  );
  const med = (st: Strategy, f?: (r: Row) => boolean) => round(median(by(st, f).map((r) => r.shortfallBps)), 1);
  const engineLarge = med('engine', large);
  const naiveLarge = med('naive', large);
  const twapLarge = med('twap', large);
  const engineAll = med('engine');
  const twapAll = med('twap');
  const overshootMisses = by('engine').filter((r) => new Decimal(r.overshootKrw).gt(r.overshootAllowanceKrw));
  const outside = by('engine').reduce((a, r) => a + r.ordersOutsideBand, 0);
  const targets: Target[] = [
    { name: 'engine median shortfall <= half the naive one, sales above 1% of hourly traded value (bps, engine vs naive)', goal: `<= ${round(naiveLarge / 2, 1)}`, value: `${engineLarge} vs ${naiveLarge}`, met: engineLarge <= naiveLarge / 2 },
    { name: 'engine median shortfall no worse than TWAP, sales above 1% of hourly traded value (bps, engine vs TWAP)', goal: `<= ${twapLarge}`, value: `${engineLarge} vs ${twapLarge}`, met: engineLarge <= twapLarge },
    { name: 'engine median shortfall no worse than TWAP, all sales (bps, engine vs TWAP)', goal: `<= ${twapAll}`, value: `${engineAll} vs ${twapAll}`, met: engineAll <= twapAll },
    { name: 'engine overshoot within one smallest order (lot or exchange minimum) per coin: sales over', goal: '0', value: overshootMisses.length, met: overshootMisses.length === 0 },
    { name: 'engine orders priced outside the policy band', goal: '0', value: outside, met: outside === 0 },
  ];

  const line = (st: Strategy, label: string, f?: (r: Row) => boolean) => {
    const x = summarize(by(st, f));
    return [label, st, x.sales, x.shortfallBps.median, x.shortfallBps.p95, x.recoveredPerOwed.median, x.overshootKrw.max, x.unfilledKrw.total, x.minutesToComplete.median ?? '-', `${x.minutesToComplete.completed}/${x.sales}`, x.orders, x.ordersOutsideBand];
  };
  process.stdout.write(
    [
      '',
      `data: ${[...sources].join(' | ')}`,
      table([
        ['sales', 'strategy', 'n', 'IS med bps', 'IS p95 bps', 'recovered/owed med', 'overshoot max ₩', 'unfilled ₩', 'minutes med', 'completed', 'orders', 'outside band'],
        ...STRATEGIES.map((st) => line(st, 'all')),
        ...STRATEGIES.map((st) => line(st, '>1% hourly value', large)),
      ]),
      table([
        ['owed ₩', 'share of hourly value (bps)', ...STRATEGIES.map((st) => `${st} IS med / p95 bps`)],
        ...Object.entries(bySize).map(([size, x]) => [size, x.shareOfHourlyValueBpsMedian, ...STRATEGIES.map((st) => `${x.shortfallBps[st].median} / ${x.shortfallBps[st].p95}`)]),
      ]),
      `${rows.length} runs in ${round(wallSeconds, 0)} s`,
      targetLines(targets),
      '',
    ].join('\n'),
  );
  const file = writeResult('sale', m, {
    data: [...sources],
    method:
      'fresh exchange simulator per (sale, strategy), same seed and start; orders through UpbitExchange over HTTP. naive: one market sell of the whole need (re-cut to the visible book when refused); TWAP: 12 equal market sells 5 minutes apart; engine: planSale/guardMarket/nextSlice with DEFAULT_EXECUTION_POLICY, limit IOC, re-planned after every fill (the market-steps loop without Step Functions and DynamoDB; approval taken as given; escalation = officer resumes after 1 h; 14-day horizon). Shortfall by saleQuality against the arrival mid.',
    seed: SEED,
    policy: { ...POLICY, approvalThresholdKrw: POLICY.approvalThresholdKrw.toFixed() },
    figures: { runs: rows.length, wallSeconds: round(wallSeconds, 0), summary, bySize, sales: rows },
    targets,
  });
  process.stdout.write(`wrote ${file}\n`);
}
