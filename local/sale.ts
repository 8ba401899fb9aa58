/**
 * `npm run sale -- [options]`: the sale desk against any Upbit-protocol server, in real time. One
 * sale (`--quantity`) or a desk run over several cases (`--cases FILE`) on one market: it prints a
 * dry-run report first (what it would sell, at what pace and why: the Almgren–Chriss schedule and the
 * policy's caps, docs/SALE-DESK.md), and places orders only with `--execute`: one limit IOC a slice
 * interval, each order's trades allocated to the cases (shared/domain/desk-allocation.ts).
 *
 * Keys: UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY from the environment (a secret on the command line
 * would stay in the shell's history), or --secret-key-file.
 *
 *   npm run sale -- --base-url http://127.0.0.1:7070 --market KRW-BTC --quantity 0.5
 *   npm run sale -- --base-url https://exchange.example --market KRW-ETH --cases cases.json --execute
 *
 * cases.json: [{ "caseId": "C-1", "quantity": "1.2", "floorPrice": "3900000" }, ...]
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { Decimal, ZERO, decimal, floorToStep, floorWon, sum } from '#domain/money';
import { DEFAULT_EXECUTION_POLICY, guardMarket, type PricePoint } from '#domain/execution-policy';
import { allocateOrder, type DeskParticipant } from '#domain/desk-allocation';
import { nextDeskSlice, type DeskTurn } from '#domain/sale-desk';
import { DEFAULT_SCHEDULE_PARAMS, type ScheduleParams } from '#domain/sale-schedule';
import { saleQuality } from '#domain/sale-quality';
import type { Exchange, ExchangeOrder, OrderBook, Quote } from '#adapters/exchange/exchange';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { UsageError, defineCommand, helpText, numberOption, parseCommandLine } from './cli';

const LOT = new Decimal('0.00000001');

export const SALE_COMMAND = defineCommand({
  name: 'npm run sale',
  about:
    'Sells coins through the sale desk against an Upbit-protocol server, in real time: a dry-run report first, orders only with --execute.',
  options: {
    'base-url': { type: 'string', value: 'URL', description: 'the exchange’s API address (required)' },
    market: { type: 'string', value: 'CODE', description: 'market to sell on, e.g. KRW-BTC (required)' },
    quantity: { type: 'string', value: 'COINS', description: 'one sale of this many coins' },
    floor: {
      type: 'string',
      value: 'PRICE',
      description: 'with --quantity: never sell below this price (the taxpayer’s floor)',
    },
    cases: { type: 'string', value: 'FILE', description: 'a desk run: JSON list of { caseId, quantity, floorPrice? }' },
    execute: { type: 'boolean', description: 'place the orders (without it: the dry-run report only)' },
    'max-slices': { type: 'string', value: 'N', description: 'stop after this many orders (default 1000)' },
    'interval-seconds': { type: 'string', value: 'S', description: 'seconds between slices (default the policy’s 60)' },
    'risk-aversion': {
      type: 'string',
      value: 'L',
      description: `λ per won of the schedule (default ${DEFAULT_SCHEDULE_PARAMS.riskAversionPerKrw})`,
    },
    'identifier-prefix': {
      type: 'string',
      value: 'P',
      description: 'order identifiers are P.s1, P.s2, … (default desk-<market>-<time>)',
    },
    'access-key': { type: 'string', value: 'KEY', description: 'access key (default env UPBIT_ACCESS_KEY)' },
    'secret-key-file': {
      type: 'string',
      value: 'FILE',
      description: 'file holding the secret key (default env UPBIT_SECRET_KEY)',
    },
  },
  read: (v) => {
    if (!v['base-url']) throw new UsageError('--base-url is required');
    if (!v.market || !/^[A-Z]+-[A-Z0-9]+$/.test(v.market)) throw new UsageError('--market is required, e.g. KRW-BTC');
    if ((v.quantity === undefined) === (v.cases === undefined))
      throw new UsageError('give either --quantity or --cases');
    if (v.floor !== undefined && v.quantity === undefined)
      throw new UsageError('--floor goes with --quantity (in --cases, each case has its floorPrice)');
    let url: URL;
    try {
      url = new URL(v['base-url']);
    } catch {
      throw new UsageError(`--base-url is not an address: ${JSON.stringify(v['base-url'])}`);
    }
    const participants =
      v.cases !== undefined
        ? readCases(v.cases)
        : [
            {
              caseId: 'sale',
              leftToSell: coins(v.quantity!, '--quantity'),
              active: true,
              ...(v.floor ? { floorPrice: coins(v.floor, '--floor') } : {}),
            },
          ];
    return {
      baseUrl: url.toString().replace(/\/$/, ''),
      market: v.market,
      participants,
      execute: v.execute ?? false,
      maxSlices: numberOption(v['max-slices'], 'max-slices', 1000, { min: 1, integer: true }),
      intervalMs:
        numberOption(v['interval-seconds'], 'interval-seconds', DEFAULT_EXECUTION_POLICY.sliceIntervalMs / 1000) * 1000,
      riskAversion: numberOption(v['risk-aversion'], 'risk-aversion', DEFAULT_SCHEDULE_PARAMS.riskAversionPerKrw),
      identifierPrefix: v['identifier-prefix'],
      accessKey: v['access-key'],
      secretKeyFile: v['secret-key-file'],
    };
  },
});

export type SaleArgs = ReturnType<typeof SALE_COMMAND.read>;

function coins(text: string, name: string): Decimal {
  try {
    const value = decimal(text);
    if (!value.gt(0)) throw new Error('not positive');
    return value;
  } catch {
    throw new UsageError(`${name} needs a positive decimal, not ${JSON.stringify(text)}`);
  }
}

const CasesFile = z
  .array(
    z.strictObject({ caseId: z.string().min(1).max(100), quantity: z.string(), floorPrice: z.string().optional() }),
  )
  .min(1);

function readCases(file: string): DeskParticipant[] {
  let parsed: z.infer<typeof CasesFile>;
  try {
    parsed = CasesFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UsageError(`--cases ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (new Set(parsed.map((c) => c.caseId)).size !== parsed.length)
    throw new UsageError(`--cases ${file}: a case is listed twice`);
  return parsed.map((c) => ({
    caseId: c.caseId,
    leftToSell: coins(c.quantity, `${c.caseId} quantity`),
    active: true,
    ...(c.floorPrice ? { floorPrice: coins(c.floorPrice, `${c.caseId} floorPrice`) } : {}),
  }));
}

export interface DeskRunDeps {
  exchange: Pick<Exchange, 'quotes' | 'orderBooks' | 'marketRules' | 'placeOrResolve' | 'settle'>;
  /** The last minutes' prices, oldest first (the public minute candles). */
  recentPrices(market: string): Promise<PricePoint[]>;
  sleep(ms: number): Promise<void>;
  now(): Date;
  print(line: string): void;
}

interface Snapshot {
  quote: Quote;
  book: OrderBook;
  mid: Decimal;
  bestBid: Decimal;
}

/** The run: the dry-run report, then (with `execute`) one order a slice until the cases are sold. */
export async function runDesk(
  args: SaleArgs,
  deps: DeskRunDeps,
): Promise<{ orders: number; soldQuantity: Decimal; netKrw: Decimal }> {
  const { exchange } = deps;
  const print = (line: string) => deps.print(line);
  const policy = DEFAULT_EXECUTION_POLICY;
  const schedule: ScheduleParams = { ...DEFAULT_SCHEDULE_PARAMS, riskAversionPerKrw: args.riskAversion };
  const rules = await exchange.marketRules(args.market);
  const participants = args.participants.map((p) => ({ ...p, leftToSell: floorToStep(p.leftToSell, LOT) }));
  const prices = await deps.recentPrices(args.market);
  const snapshot = async (): Promise<Snapshot> => {
    const [[quote], [book]] = await Promise.all([exchange.quotes([args.market]), exchange.orderBooks([args.market])]);
    if (!quote || !book?.bids[0] || !book.asks[0]) throw new Error(`${args.market}: no quote or order book`);
    return { quote, book, bestBid: book.bids[0].price, mid: book.bids[0].price.add(book.asks[0].price).div(2) };
  };
  const planned = sum(participants.map((p) => p.leftToSell));
  const turnAt = (s: Snapshot, soldToday: Decimal): DeskTurn =>
    nextDeskSlice({
      policy,
      schedule,
      now: deps.now(),
      participants,
      referencePrice: s.mid,
      bids: s.book.bids,
      tickSize: rules.tickSize,
      lotSize: LOT,
      minOrderKrw: rules.minOrderTotal,
      recentTradedVolume: s.quote.accTradeVolume24h.mul(policy.volumeLookbackMs).div(86_400_000),
      recentPrices: prices.slice(-30),
      plannedTotalQuantity: planned,
      soldTodayQuantity: soldToday,
      averageDailyTradedValue: s.quote.accTradeValue24h,
    });

  // The dry-run report.
  const arrival = await snapshot();
  const first = turnAt(arrival, ZERO);
  print(`dry run: ${args.market} on ${args.baseUrl} at ${deps.now().toISOString()}`);
  print(
    `  cases: ${participants.length}, to sell ${planned.toFixed()} coins, worth about ₩${floorWon(planned.mul(arrival.bestBid)).toFixed(0)} at the best bid ${arrival.bestBid.toFixed()}`,
  );
  for (const p of participants)
    print(`    ${p.caseId}: ${p.leftToSell.toFixed()}${p.floorPrice ? `, floor ${p.floorPrice.toFixed()}` : ''}`);
  if (first.schedule) {
    const e = first.schedule.estimates;
    print(`  pace: ${first.schedule.reason}`);
    print(
      `    half-spread ₩${e.halfSpread.toFixed(0)}, impact slope ₩${e.temporarySlope.toPrecision(3)} per coin² (${e.slopeSource === 'BOOK' ? 'from the visible book' : 'from traded volume'}), volatility ₩${e.volatility.toFixed(0)} per coin per √minute, fall ₩${e.expectedFall.toFixed(0)} per coin per minute`,
    );
    print(
      `    risk aversion λ = ${schedule.riskAversionPerKrw} per won → urgency κ = ${first.schedule.urgency.toPrecision(3)} per slice; expected cost ₩${first.schedule.expectedCostKrw.toFixed()} ± ₩${first.schedule.riskKrw.toFixed()}`,
    );
  }
  const d = first.decision;
  print(
    d.action === 'SELL'
      ? `  first slice: ${d.quantity.toFixed()} coins, limit IOC at ${d.limitPrice.toFixed()} (bound by ${d.binding}); then one slice every ${args.intervalMs / 1000} s`
      : `  first slice: none now (${d.action}${d.action === 'WAIT' ? `: ${d.reason} until ${d.resumeAt.toISOString()}` : ''})`,
  );
  if (!args.execute) {
    print('  nothing placed (dry run): add --execute to sell');
    return { orders: 0, soldQuantity: ZERO, netKrw: ZERO };
  }

  // The run: guard, plan, place, allocate; every order's shares printed as they are booked.
  const prefix = args.identifierPrefix ?? `desk-${args.market}-${deps.now().getTime()}`;
  const fills: { quantity: Decimal; grossKrw: Decimal; feeKrw: Decimal }[] = [];
  const soldAt: { ms: number; quantity: Decimal }[] = [];
  let orders = 0;
  let pauses = 0;
  let last = arrival;
  while (orders < args.maxSlices) {
    const s = await snapshot();
    last = s;
    const now = deps.now();
    const guard = guardMarket({
      policy,
      now,
      quote: {
        tradePrice: s.quote.tradePrice,
        bookMid: s.mid,
        bestBid: s.bestBid,
        quotedAt: new Date(Math.min(s.quote.timestamp.getTime(), s.book.timestamp.getTime())),
      },
      recentPrices: prices,
      consecutivePauses: pauses,
    });
    prices.push({ at: now, price: s.quote.tradePrice });
    if (guard.action !== 'GO') {
      if (guard.action === 'ESCALATE') {
        print(`stopped: ${guard.reason} ${guard.consecutivePauses} times in a row (an officer decides)`);
        break;
      }
      pauses = guard.consecutivePauses;
      print(`pause: ${guard.reason} until ${guard.resumeAt.toISOString()}`);
      await deps.sleep(Math.max(args.intervalMs, guard.resumeAt.getTime() - now.getTime()));
      continue;
    }
    pauses = 0;
    const dayStart = now.getTime() - ((now.getTime() + 9 * 3_600_000) % 86_400_000);
    const turn = turnAt(s, sum(soldAt.filter((x) => x.ms >= dayStart).map((x) => x.quantity)));
    const decision = turn.decision;
    if (decision.action === 'DONE' || decision.action === 'RELEASE_DUST') break;
    if (decision.action === 'WAIT') {
      print(`wait: ${decision.reason} until ${decision.resumeAt.toISOString()}`);
      await deps.sleep(Math.max(args.intervalMs, decision.resumeAt.getTime() - now.getTime()));
      continue;
    }
    orders += 1;
    const identifier = `${prefix}.s${orders}`;
    const placed = await exchange.placeOrResolve({
      type: 'limit',
      timeInForce: 'ioc',
      market: args.market,
      identifier,
      volume: decision.quantity,
      price: decision.limitPrice,
    });
    if (placed.outcome !== 'placed') {
      // Never re-sent under a new identifier while its outcome is unknown: stop and say so.
      print(`order ${identifier}: ${placed.outcome} (${placed.reason}); stopped: look it up before selling again`);
      break;
    }
    const order: ExchangeOrder = await exchange.settle({ uuid: placed.order.uuid });
    const shares = allocateOrder({
      lotSize: LOT,
      offers: turn.split!.offers,
      execution: {
        trades: order.trades.map((t) => ({ price: t.price, quantity: t.volume })),
        grossKrw: order.executedFunds,
        feeKrw: order.paidFee,
      },
    });
    soldAt.push({ ms: now.getTime(), quantity: order.executedVolume });
    fills.push({ quantity: order.executedVolume, grossKrw: order.executedFunds, feeKrw: order.paidFee });
    print(
      `order ${identifier}: ${order.executedVolume.toFixed()} of ${decision.quantity.toFixed()} at ≥ ${decision.limitPrice.toFixed()} (${decision.binding}), gross ₩${order.executedFunds.toFixed()}, fee ₩${order.paidFee.toFixed()}`,
    );
    for (const share of shares) {
      const p = participants.find((x) => x.caseId === share.caseId)!;
      p.leftToSell = p.leftToSell.sub(share.quantity);
      print(
        `    ${share.caseId}: ${share.quantity.toFixed()} (${share.trades.map((t) => `${t.quantity.toFixed()} @ ${t.price.toFixed()}`).join(', ')}), gross ₩${share.grossKrw.toFixed()}, fee ₩${share.feeKrw.toFixed()}; left ${p.leftToSell.toFixed()}`,
      );
    }
    if (participants.every((p) => p.leftToSell.lte(0))) break;
    await deps.sleep(args.intervalMs);
  }
  const sold = sum(fills.map((f) => f.quantity));
  const net = floorWon(sum(fills.map((f) => f.grossKrw.sub(f.feeKrw))));
  const q = saleQuality(
    [{ market: args.market, arrivalMid: arrival.mid, decidedQuantity: planned, endMid: last.mid, fills }],
    ZERO,
  );
  print(
    `done: ${orders} orders, sold ${sold.toFixed()} of ${planned.toFixed()}, net ₩${net.toFixed()}, implementation shortfall ${q.implementationShortfallBps?.toFixed(1) ?? '-'} bps against the arrival mid ${arrival.mid.toFixed()}`,
  );
  return { orders, soldQuantity: sold, netKrw: net };
}

const Candles = z.array(z.object({ candle_date_time_utc: z.string(), trade_price: z.union([z.number(), z.string()]) }));

/** The public one-minute candles, oldest first (Upbit serves newest first). */
export async function minutePrices(baseUrl: string, market: string, count = 30): Promise<PricePoint[]> {
  const response = await fetch(`${baseUrl}/v1/candles/minutes/1?market=${encodeURIComponent(market)}&count=${count}`);
  if (!response.ok) return [];
  const rows = Candles.parse(await response.json());
  return rows
    .map((r) => ({ at: new Date(`${r.candle_date_time_utc}Z`), price: decimal(String(r.trade_price)) }))
    .reverse();
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = (l) => void process.stdout.write(`${l}\n`),
): Promise<number> {
  const parsed = parseCommandLine(SALE_COMMAND, argv);
  if (parsed.kind === 'help') {
    print(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const args = parsed.args;
  const accessKey = args.accessKey ?? env.UPBIT_ACCESS_KEY;
  const secretKey = args.secretKeyFile ? readFileSync(args.secretKeyFile, 'utf8').trim() : env.UPBIT_SECRET_KEY;
  if (!accessKey || !secretKey) {
    process.stderr.write(
      `a key pair is needed: UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (or --access-key, --secret-key-file)\n${helpText(SALE_COMMAND).split('\n')[0]}\n`,
    );
    return 2;
  }
  const exchange = new UpbitExchange({ baseUrl: args.baseUrl, accessKey, secretKey });
  await runDesk(args, {
    exchange,
    recentPrices: (market) => minutePrices(args.baseUrl, market),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    print,
  });
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
