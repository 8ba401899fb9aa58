/**
 * The taxpayer's self-service page (docs/SELF_SERVICE.md): what a taxpayer who opened the link on
 * the pre-sale notice and passed the second check may see and do. Pure: the rules of access (how
 * long a link lives, how many wrong answers lock it), the statement's projection (what is owed on
 * each coming date if nothing is paid) and the preview of a sale the taxpayer asks for, from the
 * case, the city's settings and the latest bids. Nothing here is shown that the notice does not
 * already show, apart from what happened since (payments recorded, the sale, refunds, releases).
 */
import { activeHolds, arrears, available, billsAsOf, type Case } from './case';
import type { CitySettings } from './city-settings';
import { afterMonthsFrom, isAfter, type LocalDate } from './dates';
import { Decimal, floorWon, max, sum, ZERO } from './money';
import { planSale, type SalePlan } from './sale-plan';

// ---------------------------------------------------------------- access

/**
 * How long a link works after the notice's earliest deadline: time for delivery (public notice
 * takes effect 14 days after posting) and for a sale after the deadline to settle, so the taxpayer
 * can follow it to the end.
 */
export const LINK_GRACE_DAYS = 75;

/**
 * Wrong answers to the second check allowed per link and per case within a lock window; the next
 * attempt in the window is refused whatever it holds. A birth date has about 36,500 values: five
 * tries per link and ten per case a day leave a guesser about one chance in 3,650 a day, with the
 * link itself (80 bits, signed) needed first.
 */
export const ACCESS_LIMITS = { perLink: 5, perCase: 10, windowMs: 24 * 3600_000 } as const;

/** Sessions are short: a phone left open is not a standing door to the case. */
export const SESSION_TTL_SECONDS = 15 * 60;

/**
 * Requests per client address and window, on the public routes: the deployed WAF rate-based rule
 * and the function's own limiter both use these numbers (infra/constructs/taxpayer-api.ts).
 */
export const PUBLIC_RATE_LIMIT = { requests: 100, windowSeconds: 300 } as const;

// ---------------------------------------------------------------- the statement

export interface ProjectionPoint {
  on: LocalDate;
  /** What the day is: today, the deadline, or a month after (surcharges accrue monthly). */
  label: 'TODAY' | 'DEADLINE' | 'AFTER';
  owed: Decimal;
}

/**
 * What is owed if nothing is paid: today, on the deadline, and one, two, three, six and twelve
 * months after the later of the two (late-payment surcharges accrue monthly, docs/LEGAL.md
 * "Counting months"). A hold suspends accrual, as the replay already knows.
 */
export function owedProjection(c: Case, today: LocalDate, settings: CitySettings): ProjectionPoint[] {
  const points: ProjectionPoint[] = [{ on: today, label: 'TODAY', owed: arrears(c, today, settings) }];
  const deadline = c.deadline && isAfter(c.deadline, today) ? c.deadline : undefined;
  if (deadline) points.push({ on: deadline, label: 'DEADLINE', owed: arrears(c, deadline, settings) });
  const from = deadline ?? today;
  for (const months of [1, 2, 3, 6, 12]) {
    const on = afterMonthsFrom(from, months);
    points.push({ on, label: 'AFTER', owed: arrears(c, on, settings) });
  }
  return points;
}

/** The bills as they stand today, surcharges projected to today. */
export const billsToday = (c: Case, today: LocalDate, settings: CitySettings) => billsAsOf(c, today, settings);

export interface CoinValue {
  market: string;
  quantity: Decimal;
  bid?: Decimal;
  /** Quantity × bid, cut to the won; absent without a current price. */
  value?: Decimal;
}

/** The coins still held for the case, valued at the latest bid where there is one. */
export function coinsNow(c: Case, bids: Readonly<Record<string, Decimal>>): CoinValue[] {
  return c.holdings
    .filter((h) => available(h).gt(0))
    .map((h) => {
      const quantity = available(h);
      const bid = bids[h.market];
      return bid
        ? { market: h.market, quantity, bid, value: floorWon(quantity.mul(bid)) }
        : { market: h.market, quantity };
    });
}

// ---------------------------------------------------------------- the sale the taxpayer may ask for

/**
 * What the preview assumes of the exchange (the sale itself quotes the real figures): Upbit's fee
 * on KRW markets, its smallest order and a quantity step of 10⁻⁸.
 */
export const PREVIEW_MARKET = {
  askFee: new Decimal('0.0005'),
  minOrderKrw: new Decimal(5000),
  lotSize: new Decimal('0.00000001'),
} as const;

export type SaleRequestRefusal = 'CLOSED' | 'NOTHING_OWED' | 'ON_HOLD' | 'NO_COINS' | 'ALREADY_REQUESTED' | 'NOT_YET';

/** Why the taxpayer may not ask for a sale now, or null when they may (the request rule is case.ts `requestSaleByTaxpayer`). */
export function saleRequestRefusal(c: Case, today: LocalDate, settings: CitySettings): SaleRequestRefusal | null {
  if (['SETTLED', 'SHORTFALL', 'PAID', 'CANCELLED'].includes(c.status)) return 'CLOSED';
  if (activeHolds(c).length > 0 || c.status === 'ON_HOLD') return 'ON_HOLD';
  if (arrears(c, today, settings).lte(0)) return 'NOTHING_OWED';
  if (c.saleRequest || c.status === 'DUE' || c.status === 'SELLING') return 'ALREADY_REQUESTED';
  if (c.holdings.every((h) => available(h).lte(0))) return 'NO_COINS';
  if (c.status !== 'IN_CUSTODY' && c.status !== 'NOTICE_SENT') return 'NOT_YET';
  return null;
}

export interface SalePreview {
  owed: Decimal;
  plan: SalePlan;
  /** Estimated net proceeds of the planned legs. */
  proceeds: Decimal;
  /** What would come back in won: proceeds beyond what is owed. */
  refund: Decimal;
  /** Markets whose floor is above the bid now: nothing of them sells until the price reaches it. */
  belowFloor: string[];
  /** Markets held without a current price: left out of the estimate. */
  unpriced: string[];
}

/**
 * The plan a sale asked for now would follow, at today's bids (the sale re-plans on its own quotes):
 * how much of each coin, the estimated proceeds after fees, what would come back. A coin whose floor
 * is above its bid is shown as not selling now.
 */
export function previewSale(
  c: Case,
  today: LocalDate,
  settings: CitySettings,
  bids: Readonly<Record<string, Decimal>>,
  floors: Readonly<Record<string, Decimal>>,
): SalePreview {
  const owed = arrears(c, today, settings);
  const coins = coinsNow(c, bids);
  const belowFloor = coins.filter((h) => h.bid && floors[h.market]?.gt(h.bid)).map((h) => h.market);
  const unpriced = coins.filter((h) => !h.bid).map((h) => h.market);
  const plan = planSale({
    need: owed,
    margin: ZERO,
    holdings: coins
      .filter((h) => h.bid && !belowFloor.includes(h.market))
      .map((h) => ({
        market: h.market,
        quantity: h.quantity,
        bid: h.bid ?? ZERO,
        recentTradedValue: h.value ?? ZERO,
        ...PREVIEW_MARKET,
      })),
  });
  const proceeds = sum(plan.legs.map((l) => l.expectedNetKrw));
  return { owed, plan, proceeds, refund: max(ZERO, proceeds.sub(owed)), belowFloor, unpriced };
}
