/**
 * The demo city: a city like Cheongju with 161 delinquent taxpayers owing about ₩1.5 billion,
 * generated from a seed (same seed, same city) and brought in through the API as the city's tax
 * system and its officers would: registrations with bills, seizures, custody as the exchange moves
 * the coins, then each taxpayer's reaction to the pre-sale notice (pay, pay part, ask for their own
 * sale, appeal) on their day.
 *
 * Arrears follow a log-normal spread (many small cases, a few large: median about ₩3.5 million,
 * the largest well over ₩50 million), scaled to the city's total. Holdings are in BTC, ETH, XRP and a
 * thin small coin (THIN, the simulator's); most cover their arrears 1.3-4 times over at the seizure
 * price, the under-covered group holds 25-85% of what they owe. Names, phone numbers and addresses
 * are invented.
 */
import { addDays, kstDate, kstStartOfDay, type LocalDate } from '#domain/dates';
import { Decimal, decimal, floorToStep, sum, won, ZERO } from '#domain/money';
import { projectedSurcharge } from '#domain/surcharges';
import type { ApiClient } from './api-client';
import { HOUR, MINUTE, type Scheduler } from './clock';
import { krw } from './format';

// ---------------------------------------------------------------- the plan (pure)

export type Behaviour =
  /** Does nothing: the deadline passes and the coins are sold. */
  | 'FORCED_SALE'
  /** Holds coins worth less than the arrears: all sold, the rest still owed. */
  | 'UNDER_COVERED'
  | 'PAYS_IN_FULL'
  /** Pays part; the sale raises only the rest. */
  | 'PAYS_PART'
  /** Asks the city to sell now, some with a floor price. */
  | 'OWN_SALE'
  /** Appeals: the officer puts the case on hold, no sale. */
  | 'APPEAL'
  /** Appeals, then withdraws: the hold is lifted and the deadline moves by the days it stood. */
  | 'APPEAL_WITHDRAWN'
  /** The city withdraws the bills: the coins go back. */
  | 'CANCELLED';

export interface DemoBill {
  billId: string;
  taxItem: string;
  provincial: boolean;
  liabilityDate?: LocalDate;
  dueDate: LocalDate;
  cost: string;
  tax: string;
  surcharge: string;
  surchargeAsOf: LocalDate;
}

export interface DemoCase {
  index: number;
  /** The city system's case number (one open case per number). */
  caseRef: string;
  /** The taxpayer's reference in the city system. */
  ref: string;
  name: string;
  contact: { phone: string; address: string; email?: string };
  bills: DemoBill[];
  /** What the bills add up to at registration, won. */
  owedKrw: string;
  /** Value of each seized coin at the seizure price, as a multiple of the arrears. */
  holdings: { market: string; coverage: string }[];
  behaviour: Behaviour;
  /** Days after the seizure the exchange moves the coins (1-6). */
  custodyDay: number;
  /** Days after the pre-sale notice the taxpayer acts (pays, asks, appeals; the city cancels). */
  actDay: number;
  /** PAYS_PART: the share of the arrears paid; OWN_SALE: a floor price as a share of the bid then (absent: none). */
  share?: string;
  /** APPEAL_WITHDRAWN: days the appeal stands. */
  holdDays?: number;
}

export interface DemoPlan {
  seed: number;
  cases: DemoCase[];
  owedKrw: string;
}

export interface PlanOptions {
  cases?: number;
  /** Total arrears to spread, won (default ₩1.5 billion for 161 cases, pro rata for other counts). */
  totalKrw?: string;
  seed?: number;
  /** The registration date: bills fall due before it. */
  registeredOn: LocalDate;
}

/** mulberry32: a small seeded generator; model noise only, never money. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권'];
const GIVEN = ['민', '서', '지', '현', '준', '영', '수', '하', '은', '도', '우', '진', '예', '승', '경', '태'];
const DISTRICTS = ['상당구', '서원구', '흥덕구', '청원구'];
const STREETS = ['상당로', '사직대로', '직지대로', '충청대로', '2순환로', '가로수로'];

/** Tax items with a typical due month-day; provincial ones the city collects on delegation (징수법 §4②). */
const TAX_ITEMS: { item: string; due: string; provincial: boolean; weight: number }[] = [
  { item: '지방소득세', due: '05-31', provincial: false, weight: 30 },
  { item: '재산세', due: '09-30', provincial: false, weight: 20 },
  { item: '자동차세', due: '12-31', provincial: false, weight: 20 },
  { item: '주민세', due: '08-31', provincial: false, weight: 8 },
  { item: '취득세', due: '03-31', provincial: true, weight: 12 },
  { item: '지역자원시설세', due: '09-30', provincial: true, weight: 5 },
  { item: '등록면허세', due: '01-31', provincial: true, weight: 5 },
];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
function weighted<T extends { weight: number }>(random: () => number, items: readonly T[]): T {
  let r = random() * items.reduce((t, i) => t + i.weight, 0);
  for (const i of items) if ((r -= i.weight) < 0) return i;
  return items[items.length - 1] as T;
}
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
/** A ratio with 2 decimals, as a decimal string (model parameters never become money through a float). */
const ratio = (value: number) => value.toFixed(2);

/** How many of each behaviour, for 161 cases (scaled for other sizes). */
const MIX: [Behaviour, number][] = [
  ['PAYS_IN_FULL', 18],
  ['PAYS_PART', 8],
  ['OWN_SALE', 14],
  ['APPEAL', 6],
  ['APPEAL_WITHDRAWN', 2],
  ['CANCELLED', 2],
  ['UNDER_COVERED', 20],
];

function behaviours(count: number, random: () => number): Behaviour[] {
  const list: Behaviour[] = [];
  for (const [b, n] of MIX) for (let i = 0; i < Math.round((n * count) / 161); i++) list.push(b);
  while (list.length < count) list.push('FORCED_SALE');
  list.length = count;
  // Fisher-Yates, so behaviours are spread over sizes.
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as Behaviour, list[i] as Behaviour];
  }
  return list;
}

/** The surcharge the city's figure carries on a bill up to `asOf` (its own rules, as the domain projects them). */
function surchargeUpTo(tax: Decimal, dueDate: LocalDate, asOf: LocalDate): Decimal {
  return projectedSurcharge({ dueDate, assessedTax: tax, unpaidTax: tax, deferrals: [] }, dueDate, asOf, {
    truncateUnder10Won: true,
  });
}

function holdingsFor(random: () => number, behaviour: Behaviour): DemoCase['holdings'] {
  const coverage = behaviour === 'UNDER_COVERED' ? 0.25 + random() * 0.6 : 1.3 + random() * 2.7;
  const primary = weighted(random, [
    { market: 'KRW-BTC', weight: 45 },
    { market: 'KRW-ETH', weight: 30 },
    { market: 'KRW-XRP', weight: 25 },
  ]).market;
  if (random() < 0.7) return [{ market: primary, coverage: ratio(coverage) }];
  // The thin coin only ever as a small second holding (a whole day of it trades for about ₩1.5 billion).
  const others = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN', 'KRW-THIN'].filter((m) => m !== primary);
  const second = pick(random, others);
  const split = second === 'KRW-THIN' ? 0.85 + random() * 0.1 : 0.5 + random() * 0.35;
  return [
    { market: primary, coverage: ratio(coverage * split) },
    { market: second, coverage: ratio(coverage * (1 - split)) },
  ];
}

export function planDemoCity(options: PlanOptions): DemoPlan {
  const seed = options.seed ?? 20261016;
  const count = options.cases ?? 161;
  // ₩1.5 billion for the 161 cases of the demo city; the same average for another count.
  const total = options.totalKrw
    ? won(options.totalKrw)
    : floorToStep(won('1500000000').mul(count).div(161), won('10'));
  const random = rng(seed);
  const kinds = behaviours(count, random);

  // Log-normal weights: median ₩3.5M before scaling, sigma 1.2 (a few cases 10-30x the median).
  const weights = Array.from({ length: count }, () => Math.exp(Math.log(3_500_000) + 1.2 * gaussian(random)));
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  // Targets in whole ₩10, at least ₩300,000; shares are model noise turned into won once, through Decimal.
  const targets = weights.map((w) =>
    Decimal.max(won('300000'), floorToStep(total.mul(new Decimal(w).div(weightTotal)), won('10'))),
  );

  const year = Number(options.registeredOn.slice(0, 4));
  const cases: DemoCase[] = targets.map((target, index) => {
    const behaviour = kinds[index] as Behaviour;
    const billCount = random() < 0.6 ? 1 : random() < 0.75 ? 2 : 3;
    const shares = Array.from({ length: billCount }, () => 0.3 + random());
    const shareTotal = shares.reduce((a, b) => a + b, 0);
    const bills: DemoBill[] = shares.map((s, b) => {
      const item = weighted(random, TAX_ITEMS);
      // Due one to four years back, never after registration.
      let dueDate: LocalDate = `${year - 1 - Math.floor(random() * 3)}-${item.due}`;
      if (dueDate >= options.registeredOn) dueDate = `${year - 1}-${item.due}`;
      const asOf = addDays(`${options.registeredOn.slice(0, 7)}-01`, -1);
      const part = floorToStep(target.mul(new Decimal(s).div(shareTotal)), won('10'));
      const cost = b === 0 ? won(String(3000 + 1000 * Math.floor(random() * 20))) : ZERO;
      // Tax such that tax + its surcharge to date ≈ the part (the rate depends on the amount: solve by one step).
      const gross = part.sub(cost);
      const rate = surchargeUpTo(gross, dueDate, asOf).div(gross);
      const tax = floorToStep(gross.div(rate.add(1)), won('10'));
      return {
        billId: `${dueDate.slice(0, 4)}-${String(index + 1).padStart(4, '0')}-${b + 1}`,
        taxItem: item.item,
        provincial: item.provincial,
        dueDate,
        cost: cost.toFixed(0),
        tax: tax.toFixed(0),
        surcharge: surchargeUpTo(tax, dueDate, asOf).toFixed(0),
        surchargeAsOf: asOf,
      };
    });
    const owed = sum(bills.map((b) => won(b.cost).add(won(b.tax)).add(won(b.surcharge))));
    const surname = pick(random, SURNAMES);
    const name = `${surname}${pick(random, GIVEN)}${pick(random, GIVEN)}`;
    const c: DemoCase = {
      index,
      caseRef: `CJ-${seed}-${String(index + 1).padStart(5, '0')}`,
      ref: `CJ-TP-${String(100000 + Math.floor(random() * 900000))}`,
      name,
      contact: {
        phone: `010-0000-${String(Math.floor(random() * 10000)).padStart(4, '0')}`,
        address: `충청북도 청주시 ${pick(random, DISTRICTS)} ${pick(random, STREETS)} ${1 + Math.floor(random() * 300)}`,
        ...(random() < 0.4 ? { email: `taxpayer${index + 1}@example.com` } : {}),
      },
      bills,
      owedKrw: owed.toFixed(0),
      holdings: holdingsFor(random, behaviour),
      behaviour,
      custodyDay: 1 + Math.floor(random() * 6),
      actDay: 3 + Math.floor(random() * 35),
    };
    if (behaviour === 'PAYS_PART') c.share = ratio(0.25 + random() * 0.45);
    if (behaviour === 'OWN_SALE' && random() < 0.3) c.share = ratio(0.97 + random() * 0.02);
    if (behaviour === 'APPEAL_WITHDRAWN') c.holdDays = 5 + Math.floor(random() * 10);
    if (behaviour === 'CANCELLED') c.actDay = 2 + Math.floor(random() * 10);
    return c;
  });
  return { seed, cases, owedKrw: sum(cases.map((c) => won(c.owedKrw))).toFixed(0) };
}

// ---------------------------------------------------------------- bringing it in (through the API)

export interface SeededCase extends DemoCase {
  caseId: string;
  /** Seized quantities, decimal strings with 8 places. */
  seized: { market: string; quantity: string }[];
}

export interface SeedDeps {
  cityId: string;
  city: ApiClient;
  officer: ApiClient;
  scheduler: Scheduler;
  /** The bid now, per market (the city values seizures at the exchange's price). */
  bids(markets: string[]): Promise<Record<string, Decimal>>;
  /** Coins the exchange moved into the city's account. */
  creditCityAccount(market: string, quantity: string): void;
  /** When the pre-sale notices go out (behaviours are timed from it). */
  noticeDate: LocalDate;
  log?(line: string): void;
  /** Requests in flight at once while registering (default 6). */
  concurrency?: number;
}

interface CaseAnswer {
  caseId: string;
  status: string;
  arrears: { projected: string };
  holds: { holdId: string; active: boolean }[];
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Registers every case and files its seizure now; schedules custody and the taxpayers' reactions on the clock. */
export async function seedDemoCity(plan: DemoPlan, deps: SeedDeps): Promise<SeededCase[]> {
  const { city, officer, cityId, scheduler } = deps;
  const bids = await deps.bids(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN']);
  const seeded: SeededCase[] = [];
  await inBatches(plan.cases, deps.concurrency ?? 6, async (c) => {
    const registered = await city.post<CaseAnswer>(
      '/cases',
      { cityId, cityCaseRef: c.caseRef, taxpayer: { ref: c.ref, name: c.name, contact: c.contact }, bills: c.bills },
      `seed-${plan.seed}-${c.index}-register`,
    );
    const seized = c.holdings.map((h) => {
      const bid = bids[h.market];
      if (!bid) throw new Error(`no price for ${h.market}`);
      return {
        market: h.market,
        quantity: floorToStep(won(c.owedKrw).mul(decimal(h.coverage)).div(bid), decimal('0.00000001')).toFixed(8),
      };
    });
    await city.post(
      `/cases/${registered.caseId}/seizures`,
      { cityId, seizures: seized },
      `seed-${plan.seed}-${c.index}-seize`,
    );
    seeded.push({ ...c, caseId: registered.caseId, seized });
  });
  seeded.sort((a, b) => a.index - b.index);

  const now = scheduler.clock.nowMs();
  const seizedOn = kstDate(new Date(now));
  for (const c of seeded) {
    // The exchange moves the coins within its deadline; the city's system confirms each transfer.
    const at = kstStartOfDay(addDays(seizedOn, c.custodyDay)).getTime() + 10 * HOUR + c.index * MINUTE;
    scheduler.at(at, `custody ${c.index}`, async () => {
      for (const s of c.seized) {
        deps.creditCityAccount(s.market, s.quantity);
        await city.post(
          `/cases/${c.caseId}/custody`,
          { cityId, market: s.market, quantity: s.quantity },
          `seed-${plan.seed}-${c.index}-custody-${s.market}`,
        );
      }
    });
    const actAt = kstStartOfDay(addDays(deps.noticeDate, c.actDay)).getTime() + 11 * HOUR + c.index * MINUTE;
    const key = (what: string) => `seed-${plan.seed}-${c.index}-${what}`;
    switch (c.behaviour) {
      case 'PAYS_IN_FULL':
      case 'PAYS_PART':
        scheduler.at(actAt, `payment ${c.index}`, async () => {
          const current = await city.get<CaseAnswer>(`/cases/${c.caseId}`, { city: cityId });
          if (current.status === 'PAID' || current.arrears.projected === '0') return;
          const owed = won(current.arrears.projected);
          const amount =
            c.behaviour === 'PAYS_IN_FULL' ? owed : floorToStep(owed.mul(decimal(c.share ?? '0.5')), won('1000'));
          const receivedOn = kstDate(scheduler.clock.now());
          await city.post(
            `/cases/${c.caseId}/payments`,
            { cityId, paymentId: `RCPT-${c.index}-1`, amount: amount.toFixed(0), receivedOn },
            key('pay'),
          );
        });
        break;
      case 'OWN_SALE':
        scheduler.at(actAt, `sale request ${c.index}`, async () => {
          // A taxpayer may ask only before the deadline (IN_CUSTODY, NOTICE_SENT). The act days are
          // counted from one notice date for every city, so in a city with a shorter notice window
          // (Sejong's 30 days) a late caller's coins were already sold at the deadline: the clerk
          // sees that and files nothing (the API would answer 409, rightly).
          const current = await city.get<CaseAnswer>(`/cases/${c.caseId}`, { city: cityId });
          if (current.status !== 'IN_CUSTODY' && current.status !== 'NOTICE_SENT') {
            deps.log?.(
              `sale request ${c.index} (${cityId}): not filed, the case is ${current.status} (its deadline came first)`,
            );
            return;
          }
          const limitPrices: Record<string, string> = {};
          if (c.share) {
            const now = await deps.bids(c.seized.map((s) => s.market));
            for (const s of c.seized) {
              const bid = now[s.market];
              if (bid)
                limitPrices[s.market] = bid.mul(decimal(c.share)).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(0);
            }
          }
          // The taxpayer phoned the tax office an hour earlier; the clerk relays it.
          const evidence = {
            relayedBy: 'seed: tax office clerk',
            receivedAt: new Date(scheduler.clock.now().getTime() - 3_600_000).toISOString(),
            channel: 'PHONE',
          };
          await city.post(`/cases/${c.caseId}/sale-requests`, { cityId, limitPrices, evidence }, key('sale-request'));
        });
        break;
      case 'APPEAL':
      case 'APPEAL_WITHDRAWN':
        scheduler.at(actAt, `appeal ${c.index}`, async () => {
          const placed = await officer.post<{ holdId: string }>(
            `/cases/${c.caseId}/holds`,
            { cityId, kind: 'APPEAL', reason: '이의신청 접수 (지방세기본법 §90)' },
            key('hold'),
          );
          if (c.behaviour === 'APPEAL_WITHDRAWN') {
            scheduler.at(actAt + (c.holdDays ?? 7) * 24 * HOUR, `appeal withdrawn ${c.index}`, () =>
              officer.delete(`/cases/${c.caseId}/holds/${placed.holdId}`, { city: cityId }, key('hold-lift')),
            );
          }
        });
        break;
      case 'CANCELLED':
        scheduler.at(actAt, `cancel ${c.index}`, () =>
          officer.post(`/cases/${c.caseId}/cancel`, { cityId, reason: '부과 취소 (경정 결정)' }, key('cancel')),
        );
        break;
      default:
        break;
    }
  }
  deps.log?.(`seeded ${seeded.length} cases owing ${krw(plan.owedKrw)} (seed ${plan.seed})`);
  return seeded;
}
