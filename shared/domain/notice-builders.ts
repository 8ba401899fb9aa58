/**
 * Builds the content of each notice from the case at the moment a transition causes it, so the
 * outbox record holds exactly what the taxpayer will read (figures fixed when the thing happened).
 */
import type { Bill, Component } from './bills';
import { arrearsLines, COMPONENTS } from './bills';
import type { CitySettings } from './city-settings';
import { addDays, type LocalDate } from './dates';
import { Decimal, floorWon, sum, ZERO } from './money';
import type {
  AllocationLine,
  ArrearsBreakdown,
  CoinHolding,
  HoldingsValuation,
  NoticeCommon,
  NoticeContent,
  ReleasedHolding,
  ReleaseReason,
  SoldLine,
} from './notices';

/** The parts of a case a notice needs (kept structural to avoid a cycle with case.ts). */
export interface NoticeSubject {
  caseId: string;
  taxpayer: { name: string };
  bills: Bill[];
}

export interface Price {
  market: string;
  bid: Decimal;
}

export interface CoinQuantity {
  market: string;
  quantity: Decimal;
}

export interface ReleasedCoin extends CoinQuantity {
  reason: ReleaseReason;
}

/** Ledger lines of a settlement, as case.ts records them. */
export interface SettlementLine {
  kind: string;
  amount: Decimal;
  billId?: string;
  component?: Component;
  market?: string;
  quantity?: Decimal;
}

const COIN_NAMES: Record<string, string> = {
  BTC: '비트코인',
  ETH: '이더리움',
  XRP: '리플',
  SOL: '솔라나',
  DOGE: '도지코인',
  ADA: '에이다',
  TRX: '트론',
  LINK: '체인링크',
  USDT: '테더',
};

/** 'KRW-BTC' → BTC with its Korean name where we know it. */
export function coin(market: string, quantity: Decimal): CoinHolding {
  const ticker = market.split('-')[1] ?? market;
  const name = COIN_NAMES[ticker];
  return { coin: ticker, ...(name ? { coinName: name } : {}), quantity: quantity.toFixed() };
}

export function arrearsBreakdown(bills: readonly Bill[], asOf: LocalDate): ArrearsBreakdown {
  const lines = arrearsLines(bills);
  const of = (component: Component) => sum(lines.filter((l) => l.component === component).map((l) => l.outstanding));
  const [cost, tax, surcharge] = COMPONENTS.map(of) as [Decimal, Decimal, Decimal];
  return {
    asOf,
    dispositionCost: cost.toFixed(0),
    tax: tax.toFixed(0),
    surcharge: surcharge.toFixed(0),
    total: cost.add(tax).add(surcharge).toFixed(0),
  };
}

function common(c: NoticeSubject, settings: CitySettings, issuedOn: LocalDate): NoticeCommon {
  const { department, phone, paymentGuide } = settings.notices;
  return {
    city: { cityName: settings.displayName, department, phone, paymentGuide },
    taxpayerName: c.taxpayer.name,
    caseRef: c.caseId,
    issuedOn,
  };
}

export function valuation(
  holdings: readonly CoinQuantity[],
  prices: readonly Price[],
  valuedAt: string,
): HoldingsValuation {
  const valued = holdings.map((h) => {
    const bid = prices.find((p) => p.market === h.market)?.bid;
    if (!bid) throw new Error(`no price for ${h.market}`);
    return { ...coin(h.market, h.quantity), bidPrice: bid.toFixed(), value: floorWon(h.quantity.mul(bid)).toFixed(0) };
  });
  return { valuedAt, holdings: valued, totalValue: sum(valued.map((v) => new Decimal(v.value))).toFixed(0) };
}

/** To the taxpayer and to the exchange: the coins are seized and must move to the city's account. */
export function seizureNotices(
  c: NoticeSubject,
  seized: readonly CoinQuantity[],
  settings: CitySettings,
  on: LocalDate,
): NoticeContent[] {
  const base = {
    ...common(c, settings, on),
    exchangeName: settings.notices.exchangeName,
    seizedOn: on,
    holdings: seized.map((s) => coin(s.market, s.quantity)),
    cityAccount: settings.notices.cityAccount,
    transferDeadline: addDays(on, settings.notices.transferDays),
    arrears: arrearsBreakdown(c.bills, on),
  };
  return [
    { kind: 'SEIZURE', data: { ...base, recipient: 'TAXPAYER' } },
    { kind: 'SEIZURE', data: { ...base, recipient: 'EXCHANGE' } },
  ];
}

export function preSaleNotice(
  c: NoticeSubject,
  holdings: readonly CoinQuantity[],
  prices: readonly Price[],
  valuedAt: string,
  deadline: LocalDate,
  owedAtDeadline: Decimal,
  settings: CitySettings,
  on: LocalDate,
  daysAfterReceipt?: number,
): NoticeContent {
  return {
    kind: 'PRE_SALE',
    data: {
      ...common(c, settings, on),
      exchangeName: settings.notices.exchangeName,
      arrears: arrearsBreakdown(c.bills, on),
      owedAtDeadline: owedAtDeadline.toFixed(0),
      deadline,
      ...(daysAfterReceipt !== undefined ? { daysAfterReceipt } : {}),
      valuation: valuation(holdings, prices, valuedAt),
      saleRequestGuide: settings.notices.saleRequestGuide,
    },
  };
}

export function reminderNotice(
  c: NoticeSubject,
  deadline: LocalDate,
  daysBefore: number,
  settings: CitySettings,
  on: LocalDate,
): NoticeContent {
  return {
    kind: 'REMINDER',
    data: {
      ...common(c, settings, on),
      exchangeName: settings.notices.exchangeName,
      deadline,
      daysBefore,
      arrears: arrearsBreakdown(c.bills, on),
      saleRequestGuide: settings.notices.saleRequestGuide,
    },
  };
}

export function releaseNotice(
  c: NoticeSubject,
  released: readonly ReleasedCoin[],
  settings: CitySettings,
  on: LocalDate,
): NoticeContent {
  return {
    kind: 'RELEASE',
    data: {
      ...common(c, settings, on),
      exchangeName: settings.notices.exchangeName,
      releasedOn: on,
      released: released.map(releasedHolding),
      returnedTo: settings.notices.returnedTo,
    },
  };
}

/** Money received beyond what is owed, booked as a refund payable (기본법 §60; docs/LEGAL.md "Payments are dated facts"). */
export function refundNotice(c: NoticeSubject, amount: Decimal, settings: CitySettings, on: LocalDate): NoticeContent {
  return {
    kind: 'REFUND',
    data: {
      ...common(c, settings, on),
      amount: amount.toFixed(0),
      howPaid: settings.notices.refundGuide,
      balance: arrearsBreakdown(c.bills, on),
    },
  };
}

function releasedHolding(r: ReleasedCoin): ReleasedHolding {
  return { ...coin(r.market, r.quantity), reason: r.reason };
}

/**
 * The sale result (or shortfall) notice: what was sold at what average price, the fees, how the
 * net proceeds were applied line by line, any refund, what went back, and what is still owed.
 * `after` is the case as settled; `ledger` the settlement's entries in the order they were applied.
 */
export function saleResultNotice(
  after: NoticeSubject,
  ledger: readonly SettlementLine[],
  released: readonly ReleasedCoin[],
  saleFrom: LocalDate,
  settings: CitySettings,
  on: LocalDate,
  pooledOrders?: number,
): NoticeContent {
  const gross = ledger.filter((l) => l.kind === 'SALE_GROSS');
  const fees = ledger.filter((l) => l.kind === 'SALE_FEE');
  const markets = [...new Set(gross.map((l) => l.market ?? ''))];
  const sold: SoldLine[] = markets.map((market) => {
    const quantity = sum(gross.filter((l) => l.market === market).map((l) => l.quantity ?? ZERO));
    const grossKrw = sum(gross.filter((l) => l.market === market).map((l) => l.amount));
    const feeKrw = sum(fees.filter((l) => l.market === market).map((l) => l.amount));
    const averagePrice = quantity.isZero() ? ZERO : grossKrw.div(quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    return {
      ...coin(market, quantity),
      averagePrice: averagePrice.toFixed(),
      gross: grossKrw.toFixed(),
      fee: feeKrw.toFixed(),
    };
  });
  const grossTotal = sum(gross.map((l) => l.amount));
  const feeTotal = sum(fees.map((l) => l.amount));
  const allocations: AllocationLine[] = ledger
    .filter((l) => l.kind === 'ALLOCATION')
    .map((l) => {
      const bill = after.bills.find((b) => b.billId === l.billId);
      return {
        billRef: l.billId ?? '',
        taxItem: bill?.taxItem ?? '',
        provincial: bill?.provincial ?? false,
        component: l.component ?? 'TAX',
        amount: l.amount.toFixed(0),
      };
    });
  const refund = sum(ledger.filter((l) => l.kind === 'REFUND').map((l) => l.amount));
  const balance = arrearsBreakdown(after.bills, on);
  return {
    kind: new Decimal(balance.total).gt(0) ? 'SHORTFALL' : 'SALE_RESULT',
    data: {
      ...common(after, settings, on),
      exchangeName: settings.notices.exchangeName,
      saleFrom,
      saleTo: on,
      sold,
      grossProceeds: grossTotal.toFixed(),
      fees: feeTotal.toFixed(),
      netProceeds: floorWon(grossTotal.sub(feeTotal)).toFixed(0),
      allocations,
      ...(refund.gt(0) ? { refund: { amount: refund.toFixed(0), howPaid: settings.notices.refundGuide } } : {}),
      released: released.map(releasedHolding),
      returnedTo: settings.notices.returnedTo,
      balance,
      ...(pooledOrders ? { pooledOrders } : {}),
    },
  };
}
