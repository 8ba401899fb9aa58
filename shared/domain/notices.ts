/**
 * Notice content: the Korean text of every notice in the legal chain (docs/LEGAL.md, "The notices the law requires"),
 * rendered from plain data. Pure: no I/O, no clock, no arithmetic beyond formatting and exact
 * decimal.js totals used to check the caller's figures. Channel adapters (postal print file,
 * SMS / alimtalk, e-mail) take the rendered text and may shorten it; `renderSmsSummary` gives
 * them a short version.
 *
 * Amounts arrive as decimal strings (won whole, except a sale's gross and fee, which may carry
 * fractions of a won as the exchange executed them), dates as `YYYY-MM-DD`, quantities exactly as
 * given. The caller computes every figure; the templates check the totals they can check exactly
 * and refuse inconsistent data with a `NoticeDataError` rather than print a wrong notice.
 *
 * Legal citations are data (`DEFAULT_CITATIONS`), overridable per render, so the city's counsel
 * can correct an article number without a code change. The decree provisions on moving and
 * releasing seized virtual assets are cited by subject, not number (confirm).
 */
import type { Component } from './bills';
import { assertLocalDate, kstDate, type LocalDate } from './dates';
import { Decimal, decimal, sum, won } from './money';

// ---------------------------------------------------------------- kinds and citations

export type NoticeKind =
  'DEMAND' | 'SEIZURE' | 'PRE_SALE' | 'REMINDER' | 'SALE_RESULT' | 'SHORTFALL' | 'RELEASE' | 'REFUND';

export const NOTICE_KINDS: readonly NoticeKind[] = [
  'DEMAND',
  'SEIZURE',
  'PRE_SALE',
  'REMINDER',
  'SALE_RESULT',
  'SHORTFALL',
  'RELEASE',
  'REFUND',
];

export const NOTICE_TITLES: Readonly<Record<NoticeKind, string>> = {
  DEMAND: '독촉장',
  SEIZURE: '가상자산 압류 통지 및 이전 요구',
  PRE_SALE: '압류 가상자산 매각 예정 통지',
  REMINDER: '가상자산 매각 전 납부기한 안내',
  SALE_RESULT: '가상자산 매각 결과 및 배분 통지',
  SHORTFALL: '가상자산 매각 결과 및 남은 체납액 안내',
  RELEASE: '가상자산 압류 해제 통지',
  REFUND: '지방세 환급금 통지',
};

/** The provisions the notices cite, as printed. */
export interface Citations {
  /** 독촉 (demand notice, within 50 days, new deadline within 20 days of issue). */
  demand: string;
  /** Deadline = delivery + 14 days when delivered late or within 7 days of the deadline. */
  deliveryDeadline: string;
  /** Seizure after an unpaid demand. */
  seizure: string;
  /** Demand that the holder move seized virtual assets to the city's account. */
  virtualAssetTransfer: string;
  virtualAssetTransferDecree: string;
  /** Direct sale of seized virtual assets through a virtual-asset service provider. */
  directSale: string;
  /** The pre-sale notice. */
  preSaleNotice: string;
  /** No sale while an appeal or lawsuit is pending. */
  noSaleWhileAppealed: string;
  /** Order in which money is applied: 체납처분비, tax, surcharges; provincial first. */
  collectionOrder: string;
  /** What is left after distribution is paid to the taxpayer. */
  surplusRefund: string;
  /** Money paid beyond what is owed is refunded (지방세환급금). */
  overpaymentRefund: string;
  /** Release of seizure. */
  release: string;
  releaseDecree: string;
  /** 이의신청 and 심판청구, each within 90 days. */
  objection: string;
  adjudication: string;
  /** 징수유예 and 체납처분 유예. */
  collectionDeferral: string;
  dispositionDeferral: string;
}

export const DEFAULT_CITATIONS: Readonly<Citations> = {
  demand: '지방세징수법 제32조',
  deliveryDeadline: '지방세기본법 제31조',
  seizure: '지방세징수법 제33조',
  virtualAssetTransfer: '지방세징수법 제61조제3항',
  virtualAssetTransferDecree: '지방세징수법 시행령의 가상자산 이전 요구 규정',
  directSale: '지방세징수법 제71조제3항',
  preSaleNotice: '지방세징수법 시행령 제70조',
  noSaleWhileAppealed: '지방세징수법 제71조제5항',
  collectionOrder: '지방세징수법 제4조',
  surplusRefund: '지방세징수법 제99조제3항',
  overpaymentRefund: '지방세기본법 제60조',
  release: '지방세징수법 제63조',
  releaseDecree: '지방세징수법 시행령의 가상자산 압류 해제 규정',
  objection: '지방세기본법 제90조',
  adjudication: '지방세기본법 제91조',
  collectionDeferral: '지방세징수법 제25조',
  dispositionDeferral: '지방세징수법 제105조',
};

export interface RenderOptions {
  citations?: Partial<Citations>;
}

// ---------------------------------------------------------------- data

/** Won as a decimal string of a whole number, e.g. '1500000000'. */
export type WonAmount = string;
/** A non-negative decimal string: a coin quantity or a price, printed exactly as given. */
export type DecimalString = string;

export interface CityContact {
  /** e.g. 청주시 */
  cityName: string;
  /** e.g. 징수과 */
  department: string;
  phone: string;
  /** How to pay, in one sentence, e.g. '위택스(www.wetax.go.kr), 지방세 가상계좌 또는 은행 창구에서 납부하실 수 있습니다.' */
  paymentGuide: string;
}

/** What every notice carries. */
export interface NoticeCommon {
  city: CityContact;
  taxpayerName: string;
  /** The case reference printed on the notice and quoted on the phone. */
  caseRef: string;
  issuedOn: LocalDate;
}

/** What is owed on a date, by component (지방세기본법 §2①: unpaid tax + 체납처분비; plus 가산세). */
export interface ArrearsBreakdown {
  asOf: LocalDate;
  /** 체납처분비 */
  dispositionCost: WonAmount;
  /** 지방세 (가산세 제외) */
  tax: WonAmount;
  /** 가산세 (가산금) */
  surcharge: WonAmount;
  /** Must equal the sum of the three. */
  total: WonAmount;
}

export interface CoinHolding {
  /** Ticker, e.g. BTC. */
  coin: string;
  /** Korean name, e.g. 비트코인; printed as 비트코인(BTC) when given. */
  coinName?: string;
  quantity: DecimalString;
}

export interface DemandBill {
  billRef: string;
  /** e.g. 2025년 재산세(7월분) */
  taxItem: string;
  originalDueDate: LocalDate;
  /** Unpaid on this bill; the bills must add up to the arrears total. */
  amount: WonAmount;
}

export interface DemandData extends NoticeCommon {
  bills: DemandBill[];
  arrears: ArrearsBreakdown;
  deadline: LocalDate;
  /** A per-case virtual account, printed when given. */
  virtualAccount?: string;
}

export type SeizureRecipient = 'TAXPAYER' | 'EXCHANGE';

export interface SeizureData extends NoticeCommon {
  /** The taxpayer is told of the seizure; the exchange is required to move the coins. */
  recipient: SeizureRecipient;
  exchangeName: string;
  seizedOn: LocalDate;
  holdings: CoinHolding[];
  /** The city's account the coins must be moved to, e.g. '업비트 청주시 체납징수 계정'. */
  cityAccount: string;
  transferDeadline: LocalDate;
  arrears: ArrearsBreakdown;
}

export interface ValuedHolding extends CoinHolding {
  /** Best bid per coin in won at `valuedAt` (may have a fraction for low-priced coins). */
  bidPrice: DecimalString;
  /** What the holding is worth at that bid, whole won, computed by the caller. */
  value: WonAmount;
}

export interface HoldingsValuation {
  /** The instant of the prices (ISO 8601), printed in Korean time. */
  valuedAt: string;
  holdings: ValuedHolding[];
  /** Must equal the sum of the holdings' values. */
  totalValue: WonAmount;
}

export interface PreSaleData extends NoticeCommon {
  exchangeName: string;
  arrears: ArrearsBreakdown;
  /** What will be owed if paid on the deadline (surcharges projected), when the caller has it. */
  owedAtDeadline?: WonAmount;
  /** With `daysAfterReceipt`: the earliest the deadline can be (the notice received the day it was issued). */
  deadline: LocalDate;
  /** The deadline is this many days after the notice reaches the taxpayer (기본법 §32). */
  daysAfterReceipt?: number;
  valuation: HoldingsValuation;
  /** How to ask the city to sell now, e.g. '전화(043-201-0000) 또는 시 누리집 매각 요청 메뉴'. */
  saleRequestGuide: string;
  virtualAccount?: string;
  /** The taxpayer's own link to the self-service page (added when the notice goes out, docs/SELF_SERVICE.md). */
  selfService?: SelfServiceLink;
}

/** The link printed on a notice (with a QR code of `url`) and in its e-mail. */
export interface SelfServiceLink {
  url: string;
  /** The code in the link, as printed for typing: XXXX-XXXX-XXXX-XXXX. */
  code: string;
  /** The last day the link works. */
  expiresOn: LocalDate;
}

export interface ReminderData extends NoticeCommon {
  exchangeName: string;
  deadline: LocalDate;
  /** Whole days left until the deadline (0 = the deadline is today). */
  daysBefore: number;
  arrears: ArrearsBreakdown;
  /** Current value of the holdings, when the caller has a fresh price. */
  valuation?: HoldingsValuation;
  saleRequestGuide: string;
  virtualAccount?: string;
}

export interface SoldLine {
  coin: string;
  coinName?: string;
  quantity: DecimalString;
  /** Average executed price per coin in won. */
  averagePrice: DecimalString;
  /** Price × quantity as executed (may carry a fraction of a won). */
  gross: DecimalString;
  fee: DecimalString;
}

/** One allocation line, in the order the money was applied (지방세징수법 §4). */
export interface AllocationLine {
  billRef: string;
  taxItem: string;
  /** A provincial tax collected on delegation (applied before the city's own, §4②). */
  provincial: boolean;
  component: Component;
  amount: WonAmount;
}

export type ReleaseReason = 'PAID' | 'CANCELLED' | 'SURPLUS' | 'DUST';

export interface ReleasedHolding extends CoinHolding {
  reason: ReleaseReason;
}

export interface RefundInfo {
  amount: WonAmount;
  /** How and when it will be paid, e.g. '신고하신 환급계좌로 2026년 12월 20일까지 지급합니다.' */
  howPaid: string;
}

export interface SaleResultData extends NoticeCommon {
  exchangeName: string;
  saleFrom: LocalDate;
  saleTo: LocalDate;
  sold: SoldLine[];
  /** Sum of the lines' gross and fees; net = gross − fees cut down to the whole won. */
  grossProceeds: DecimalString;
  fees: DecimalString;
  netProceeds: WonAmount;
  /** Allocations + refund must equal the net proceeds. */
  allocations: AllocationLine[];
  refund?: RefundInfo;
  /** Coins given back to the taxpayer's own account at settlement. */
  released: ReleasedHolding[];
  /** The taxpayer's account the released coins went to, e.g. '업비트 본인 계정'. */
  returnedTo?: string;
  /** What is still owed after the allocation (zeros when settled). */
  balance: ArrearsBreakdown;
  virtualAccount?: string;
  /** Sold through the city's sale desk, pooled with other cases' coins: the pooled orders it had shares in. */
  pooledOrders?: number;
}

/** The sale result that says what is still owed: the same data, with a balance above zero. */
export type ShortfallData = SaleResultData;

export interface ReleaseData extends NoticeCommon {
  exchangeName: string;
  releasedOn: LocalDate;
  released: ReleasedHolding[];
  /** e.g. '업비트 본인 계정' */
  returnedTo: string;
}

/** Money received beyond what is owed (paid to a closed case, or left over after the city lowered its bills). */
export interface RefundData extends NoticeCommon {
  amount: WonAmount;
  howPaid: string;
  /** What is still owed after the refund was booked (zeros when nothing is). */
  balance: ArrearsBreakdown;
}

export type NoticeContent =
  | { kind: 'DEMAND'; data: DemandData }
  | { kind: 'SEIZURE'; data: SeizureData }
  | { kind: 'PRE_SALE'; data: PreSaleData }
  | { kind: 'REMINDER'; data: ReminderData }
  | { kind: 'SALE_RESULT'; data: SaleResultData }
  | { kind: 'SHORTFALL'; data: ShortfallData }
  | { kind: 'RELEASE'; data: ReleaseData }
  | { kind: 'REFUND'; data: RefundData };

export interface RenderedNotice {
  kind: NoticeKind;
  title: string;
  body: string;
  legalBasis: string[];
}

/** The data cannot make a correct notice: a missing field, a bad amount, totals that disagree. */
export class NoticeDataError extends Error {
  override readonly name = 'NoticeDataError';
}

// ---------------------------------------------------------------- formatting

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Whole won with thousands separators: '1234567' → '1,234,567원'. Exact at any size. */
export function formatWon(amount: WonAmount | Decimal): string {
  const d = typeof amount === 'string' ? won(amount) : amount;
  if (!d.isInteger()) throw new NoticeDataError(`won must be whole: ${d.toFixed()}`);
  return `${d.lt(0) ? '-' : ''}${groupThousands(d.abs().toFixed(0))}원`;
}

/** A decimal number with the integer part grouped and the fraction exactly as given: '95123000.5' → '95,123,000.5'. */
export function formatDecimal(value: DecimalString | Decimal): string {
  const text = typeof value === 'string' ? value.trim() : value.toFixed();
  decimal(text);
  const [whole = '0', fraction] = text.split('.');
  return fraction === undefined ? groupThousands(whole) : `${groupThousands(whole)}.${fraction}`;
}

/** A price or an amount in won that may carry a fraction: '1234.5' → '1,234.5원'. */
export function formatKrw(value: DecimalString | Decimal): string {
  return `${formatDecimal(value)}원`;
}

/** '2026-12-01' → '2026년 12월 1일'. */
export function formatKoreanDate(date: LocalDate): string {
  const [y, m, d] = assertLocalDate(date).split('-');
  return `${Number(y)}년 ${Number(m)}월 ${Number(d)}일`;
}

/** An instant in Korean time: '2026-10-15T05:30:00Z' → '2026년 10월 15일 14시 30분'. */
export function formatKoreanDateTime(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new NoticeDataError(`not an instant: ${JSON.stringify(instant)}`);
  const kst = new Date(ms + 9 * 3600 * 1000);
  return `${formatKoreanDate(kstDate(instant))} ${kst.getUTCHours()}시 ${String(kst.getUTCMinutes()).padStart(2, '0')}분`;
}

const COMPONENT_LABELS: Readonly<Record<Component, string>> = {
  COST: '체납처분비',
  TAX: '지방세(가산세 제외)',
  SURCHARGE: '가산세',
};

const RELEASE_REASONS: Readonly<Record<ReleaseReason, string>> = {
  PAID: '체납액을 모두 납부하셨습니다',
  CANCELLED: '부과가 취소되어 징수할 체납액이 없습니다',
  SURPLUS: '체납액을 모두 충당하고 남은 가상자산입니다',
  DUST: '거래소의 최소 주문금액에 못 미쳐 매각할 수 없는 소량입니다',
};

// ---------------------------------------------------------------- validation

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new NoticeDataError(`${field} is required`);
  return value.trim();
}

function optionalText(value: unknown, field: string): string | null {
  return value === undefined ? null : text(value, field);
}

function date(value: unknown, field: string): LocalDate {
  try {
    return assertLocalDate(text(value, field));
  } catch (e) {
    throw new NoticeDataError(`${field}: ${(e as Error).message}`);
  }
}

function wonAmount(value: unknown, field: string): Decimal {
  try {
    const d = won(text(value, field));
    if (d.lt(0)) throw new NoticeDataError('must not be negative');
    return d;
  } catch (e) {
    throw new NoticeDataError(`${field}: ${(e as Error).message}`);
  }
}

function decimalAmount(value: unknown, field: string): Decimal {
  try {
    return decimal(text(value, field));
  } catch (e) {
    throw new NoticeDataError(`${field}: ${(e as Error).message}`);
  }
}

function positive(value: unknown, field: string): Decimal {
  const d = decimalAmount(value, field);
  if (d.isZero()) throw new NoticeDataError(`${field} must be above zero`);
  return d;
}

/** Array.isArray (documents come from outside) without narrowing the list to any[]. */
const isList = <T>(list: readonly T[] | undefined): list is readonly T[] => Array.isArray(list);

function nonEmpty<T>(list: readonly T[] | undefined, field: string): readonly T[] {
  if (!isList(list) || list.length === 0) throw new NoticeDataError(`${field} must not be empty`);
  return list;
}

function checkTotal(parts: Decimal[], total: Decimal, field: string): void {
  const expected = sum(parts);
  if (!expected.eq(total))
    throw new NoticeDataError(`${field} is ${total.toFixed()} but its parts add up to ${expected.toFixed()}`);
}

function checkArrears(a: ArrearsBreakdown, field: string): Decimal {
  date(a.asOf, `${field}.asOf`);
  const total = wonAmount(a.total, `${field}.total`);
  checkTotal(
    [
      wonAmount(a.dispositionCost, `${field}.dispositionCost`),
      wonAmount(a.tax, `${field}.tax`),
      wonAmount(a.surcharge, `${field}.surcharge`),
    ],
    total,
    `${field}.total`,
  );
  return total;
}

function checkCommon(d: NoticeCommon): void {
  text(d.city?.cityName, 'city.cityName');
  text(d.city?.department, 'city.department');
  if ([...text(d.city?.phone, 'city.phone')].length > 30)
    throw new NoticeDataError('city.phone is too long for a phone number');
  text(d.city?.paymentGuide, 'city.paymentGuide');
  text(d.taxpayerName, 'taxpayerName');
  text(d.caseRef, 'caseRef');
  date(d.issuedOn, 'issuedOn');
}

function checkHoldings<H extends CoinHolding>(
  list: readonly H[] | undefined,
  field: string,
  allowEmpty = false,
): readonly H[] {
  if (allowEmpty && isList(list) && list.length === 0) return list;
  const holdings = nonEmpty(list, field);
  holdings.forEach((h, i) => {
    text(h.coin, `${field}[${i}].coin`);
    optionalText(h.coinName, `${field}[${i}].coinName`);
    positive(h.quantity, `${field}[${i}].quantity`);
  });
  return holdings;
}

function checkValuation(v: HoldingsValuation, field: string): void {
  formatKoreanDateTime(text(v?.valuedAt, `${field}.valuedAt`));
  const holdings = checkHoldings(v.holdings, `${field}.holdings`);
  const values = holdings.map((h, i) => {
    positive(h.bidPrice, `${field}.holdings[${i}].bidPrice`);
    return wonAmount(h.value, `${field}.holdings[${i}].value`);
  });
  checkTotal(values, wonAmount(v.totalValue, `${field}.totalValue`), `${field}.totalValue`);
}

function checkReleased(list: readonly ReleasedHolding[] | undefined, field: string, allowEmpty: boolean): void {
  checkHoldings(list, field, allowEmpty).forEach((r, i) => {
    if (!(r.reason in RELEASE_REASONS)) throw new NoticeDataError(`${field}[${i}].reason is not a release reason`);
  });
}

// ---------------------------------------------------------------- shared blocks

export type Lines = string[];

const coinLabel = (h: { coin: string; coinName?: string }): string =>
  h.coinName ? `${h.coinName.trim()}(${h.coin.trim()})` : h.coin.trim();
const qty = (h: { coin: string; quantity: string }): string => `${h.quantity.trim()} ${h.coin.trim()}`;

function header(d: NoticeCommon, title: string, to: string = `${d.taxpayerName.trim()} 님`): Lines {
  return [
    `[${d.city.cityName.trim()}] ${title}`,
    '',
    `사건번호: ${d.caseRef.trim()}`,
    `받는 분: ${to}`,
    `보내는 곳: ${d.city.cityName.trim()} ${d.city.department.trim()}`,
    `발행일: ${formatKoreanDate(d.issuedOn)}`,
  ];
}

function arrearsBlock(a: ArrearsBreakdown, heading = '체납액'): Lines {
  return [
    `■ ${heading} (${formatKoreanDate(a.asOf)} 현재)`,
    `- 체납처분비: ${formatWon(a.dispositionCost)}`,
    `- 지방세(가산세 제외): ${formatWon(a.tax)}`,
    `- 가산세: ${formatWon(a.surcharge)}`,
    `- 합계: ${formatWon(a.total)}`,
  ];
}

function valuationBlock(v: HoldingsValuation, exchangeName: string): Lines {
  return [
    `■ 압류 가상자산의 현재 가치 (${formatKoreanDateTime(v.valuedAt)} ${exchangeName.trim()} 매수호가 기준)`,
    ...v.holdings.map(
      (h) => `- ${coinLabel(h)}: ${qty(h)} × 1 ${h.coin.trim()}당 ${formatKrw(h.bidPrice)} = ${formatWon(h.value)}`,
    ),
    `- 합계: ${formatWon(v.totalValue)}`,
    '※ 가상자산 시세는 수시로 변하므로 실제 매각 금액은 위 금액과 다를 수 있습니다.',
  ];
}

function paymentBlock(d: NoticeCommon & { virtualAccount?: string }): Lines {
  return [d.city.paymentGuide.trim(), ...(d.virtualAccount ? [`납부 전용 가상계좌: ${d.virtualAccount.trim()}`] : [])];
}

export function objectionBlock(c: Citations): Lines {
  return [
    '■ 이의가 있으신 경우',
    `이 처분에 이의가 있으시면 처분이 있음을 안 날(처분의 통지를 받으신 경우에는 그 통지를 받은 날)부터 90일 이내에 이의신청(${c.objection})을 하시거나 심판청구(${c.adjudication})를 하실 수 있습니다.`,
  ];
}

export function holdBlock(c: Citations): Lines {
  return [
    '■ 매각을 멈추어야 할 사정이 있으신 경우',
    `이의신청·심판청구 또는 행정소송이 진행 중인 동안에는 압류 가상자산을 매각하지 않습니다(${c.noSaleWhileAppealed}). ` +
      `납부가 어려운 사정이 있으시면 징수유예(${c.collectionDeferral}) 또는 체납처분 유예(${c.dispositionDeferral})를 신청하실 수 있으며, 유예가 결정되면 그 기간 동안 매각하지 않습니다. ` +
      '신청하신 사실을 아래 문의처로 알려 주시면 결정이 날 때까지 매각 일정을 확인해 드립니다.',
  ];
}

function footer(d: NoticeCommon, legalBasis: readonly string[]): Lines {
  return [
    '■ 문의처',
    `${d.city.cityName.trim()} ${d.city.department.trim()} (전화 ${d.city.phone.trim()})`,
    '',
    '■ 근거 법령',
    ...legalBasis.map((l) => `- ${l}`),
  ];
}

function compose(sections: Lines[]): string {
  return sections.map((s) => s.join('\n')).join('\n\n');
}

// ---------------------------------------------------------------- templates

interface Template<D> {
  check(data: D): void;
  legalBasis(data: D, c: Citations): string[];
  body(data: D, c: Citations, title: string, legalBasis: string[]): string;
  sms(data: D): string;
}

const demand: Template<DemandData> = {
  check(d) {
    checkCommon(d);
    date(d.deadline, 'deadline');
    optionalText(d.virtualAccount, 'virtualAccount');
    const total = checkArrears(d.arrears, 'arrears');
    const bills = nonEmpty(d.bills, 'bills');
    const amounts = bills.map((b, i) => {
      text(b.billRef, `bills[${i}].billRef`);
      text(b.taxItem, `bills[${i}].taxItem`);
      date(b.originalDueDate, `bills[${i}].originalDueDate`);
      return wonAmount(b.amount, `bills[${i}].amount`);
    });
    checkTotal(amounts, total, 'arrears.total (against the bills)');
  },
  legalBasis: (_d, c) => [c.demand, c.deliveryDeadline, c.seizure],
  body: (d, c, title, legalBasis) =>
    compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        `아래 지방세가 납부기한까지 납부되지 않아 ${c.demand}에 따라 납부를 독촉합니다. ${formatKoreanDate(d.deadline)}까지 납부하여 주시기 바랍니다.`,
      ],
      [
        '■ 체납 내역',
        ...d.bills.map(
          (b) =>
            `- ${b.taxItem.trim()} (고지번호 ${b.billRef.trim()}, 당초 납부기한 ${formatKoreanDate(b.originalDueDate)}): ${formatWon(b.amount)}`,
        ),
      ],
      arrearsBlock(d.arrears),
      [
        `■ 납부기한: ${formatKoreanDate(d.deadline)}`,
        `※ 이 독촉장이 납부기한이 지난 뒤에 도달하거나, 도달한 날부터 7일 이내에 납부기한이 되는 경우에는 도달한 날부터 14일이 지난 날이 납부기한이 됩니다(${c.deliveryDeadline}).`,
        '※ 납부지연가산세가 더해질 수 있으므로 실제 납부하실 금액은 납부하시는 날에 따라 달라질 수 있습니다.',
      ],
      ['■ 납부 방법', ...paymentBlock(d)],
      [
        '■ 납부하지 않으시면',
        `납부기한까지 납부하지 않으시면 ${c.seizure}에 따라 가상자산을 포함한 재산을 압류할 수 있습니다. 이미 납부하셨다면 이 안내는 무시하셔도 됩니다.`,
      ],
      objectionBlock(c),
      footer(d, legalBasis),
    ]),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 지방세 체납액 ${formatWon(d.arrears.total)}을 ${formatKoreanDate(d.deadline)}까지 납부해 주십시오(독촉).`,
};

const seizure: Template<SeizureData> = {
  check(d) {
    checkCommon(d);
    if (d.recipient !== 'TAXPAYER' && d.recipient !== 'EXCHANGE')
      throw new NoticeDataError('recipient must be TAXPAYER or EXCHANGE');
    text(d.exchangeName, 'exchangeName');
    text(d.cityAccount, 'cityAccount');
    date(d.seizedOn, 'seizedOn');
    date(d.transferDeadline, 'transferDeadline');
    checkHoldings(d.holdings, 'holdings');
    checkArrears(d.arrears, 'arrears');
  },
  legalBasis: (_d, c) => [c.virtualAssetTransfer, c.virtualAssetTransferDecree],
  body(d, c, title, legalBasis) {
    const holdings = ['■ 압류 가상자산', ...d.holdings.map((h) => `- ${coinLabel(h)}: ${qty(h)}`)];
    const transfer = [
      '■ 이전 요구',
      `- 보관 가상자산사업자: ${d.exchangeName.trim()}`,
      `- 이전받을 계정: ${d.cityAccount.trim()}`,
      `- 이전 기한: ${formatKoreanDate(d.transferDeadline)}`,
    ];
    if (d.recipient === 'EXCHANGE') {
      return compose([
        header(d, title, `${d.exchangeName.trim()} 대표자 귀하`),
        [
          `체납자 ${d.taxpayerName.trim()} 님의 지방세 체납액을 징수하기 위하여 귀사가 보관하고 있는 체납자의 가상자산을 ${formatKoreanDate(d.seizedOn)}에 압류하였습니다.`,
          `${c.virtualAssetTransfer} 및 ${c.virtualAssetTransferDecree}에 따라 아래 가상자산을 이전 기한까지 아래 계정으로 이전하여 주실 것을 요구합니다. 이 요구를 받은 자는 이에 따라야 합니다.`,
        ],
        [
          `■ 체납자: ${d.taxpayerName.trim()} (사건번호 ${d.caseRef.trim()})`,
          `■ 체납액: ${formatWon(d.arrears.total)} (${formatKoreanDate(d.arrears.asOf)} 현재)`,
        ],
        holdings,
        transfer,
        ['이전을 마치시면 이전 일시, 종류와 수량을 아래 문의처로 알려 주시기 바랍니다.'],
        footer(d, legalBasis),
      ]);
    }
    return compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        `지방세 체납액을 징수하기 위하여 ${d.exchangeName.trim()}에 보관된 귀하의 가상자산을 ${formatKoreanDate(d.seizedOn)}에 압류하였습니다. ` +
          `${c.virtualAssetTransfer}에 따라 ${d.exchangeName.trim()}에 아래 가상자산을 아래 계정으로 옮기도록 요구하였습니다.`,
      ],
      holdings,
      transfer,
      arrearsBlock(d.arrears),
      [
        '■ 앞으로의 절차',
        '- 압류한 가상자산을 매각하기 전에 매각 예정 통지를 따로 보내 드리며, 그 통지에서 정한 납부기한까지는 매각하지 않습니다.',
        `- 체납액을 모두 납부하시면 압류를 해제하고 가상자산을 귀하의 ${d.exchangeName.trim()} 본인 계정으로 돌려드립니다(${c.release}).`,
        `- 매각 예정 통지를 받으시기 전이라도 원하시는 때에 ${d.city.cityName.trim()}에 매각을 요청하실 수 있습니다.`,
      ],
      ['■ 납부 방법', ...paymentBlock(d)],
      objectionBlock(c),
      footer(d, legalBasis),
    ]);
  },
  sms: (d) =>
    d.recipient === 'EXCHANGE'
      ? `[${d.city.cityName.trim()}] ${d.exchangeName.trim()} 귀하, 사건 ${d.caseRef.trim()} 압류 가상자산을 ${formatKoreanDate(d.transferDeadline)}까지 지정 계정으로 이전해 주십시오.`
      : `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 지방세 체납액 ${formatWon(d.arrears.total)} 징수를 위해 ${d.exchangeName.trim()}의 가상자산을 압류했습니다. 납부하시면 해제됩니다.`,
};

/** The notice's one addition for the self-service page: where to go (a QR code of the same address is printed beside it). */
function selfServiceBlock(link: SelfServiceLink): Lines {
  return [
    '■ 인터넷으로 확인하고 직접 매각 요청하기',
    '아래 주소로 접속하시거나 QR코드를 휴대전화로 찍으시면, 생년월일로 본인임을 확인한 뒤 오늘 기준 체납액과 압류 가상자산의 현재 가치를 보시고 매각을 직접 요청하실 수 있습니다.',
    `- 주소: ${link.url.trim()}`,
    `- 확인 번호: ${link.code.trim()}`,
    `- 이용 기한: ${formatKoreanDate(link.expiresOn)}까지`,
  ];
}

function optionsBlock(d: PreSaleData | ReminderData, c: Citations): Lines {
  return [
    '■ 선택하실 수 있는 방법',
    `1. 직접 납부: 납부기한(${formatKoreanDate(d.deadline)})까지 체납액을 납부하시면 압류를 해제하고 가상자산을 귀하의 ${d.exchangeName.trim()} 본인 계정으로 돌려드립니다(${c.release}). ${paymentBlock(d).join(' ')}`,
    `2. 지금 매각 요청: 원하시는 때에 매각을 요청하시면 납부기한 전이라도 그 시점의 시세로 매각하여 체납액에 충당합니다. 가상자산별로 최저 매각가격을 정하실 수도 있습니다. 요청 방법: ${d.saleRequestGuide.trim()}`,
    '3. 이의신청 또는 유예 신청: 아래 안내를 참고하여 주십시오.',
  ];
}

const preSale: Template<PreSaleData> = {
  check(d) {
    checkCommon(d);
    text(d.exchangeName, 'exchangeName');
    text(d.saleRequestGuide, 'saleRequestGuide');
    optionalText(d.virtualAccount, 'virtualAccount');
    date(d.deadline, 'deadline');
    checkArrears(d.arrears, 'arrears');
    if (d.owedAtDeadline !== undefined) wonAmount(d.owedAtDeadline, 'owedAtDeadline');
    if (d.daysAfterReceipt !== undefined && (!Number.isInteger(d.daysAfterReceipt) || d.daysAfterReceipt < 1))
      throw new NoticeDataError('daysAfterReceipt must be a whole number of days, at least 1');
    checkValuation(d.valuation, 'valuation');
    if (d.selfService !== undefined) {
      if (!/^https?:\/\/\S+$/.test(d.selfService.url))
        throw new NoticeDataError('selfService.url must be an http(s) address');
      text(d.selfService.code, 'selfService.code');
      date(d.selfService.expiresOn, 'selfService.expiresOn');
    }
  },
  legalBasis: (_d, c) => [c.directSale, c.preSaleNotice],
  body: (d, c, title, legalBasis) =>
    compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        `지방세 체납액을 징수하기 위하여 압류한 귀하의 가상자산을 ${d.daysAfterReceipt === undefined ? `납부기한인 ${formatKoreanDate(d.deadline)}이` : `납부기한(이 통지서를 받으신 날부터 ${d.daysAfterReceipt}일)이`} 지난 뒤 가상자산사업자(${d.exchangeName.trim()})를 통하여 매각할 예정입니다(${c.directSale}, ${c.preSaleNotice}).`,
        '납부기한까지 체납액을 납부하시거나, 원하시는 때에 매각을 요청하실 수 있습니다.',
      ],
      [
        ...arrearsBlock(d.arrears),
        ...(d.owedAtDeadline !== undefined
          ? [`- 납부기한에 납부하실 경우 예상 금액: ${formatWon(d.owedAtDeadline)}`]
          : []),
        '※ 납부지연가산세가 더해질 수 있으므로 실제 납부하실 금액은 납부하시는 날에 따라 달라질 수 있습니다.',
      ],
      valuationBlock(d.valuation, d.exchangeName),
      [
        d.daysAfterReceipt === undefined
          ? `■ 납부기한: ${formatKoreanDate(d.deadline)}`
          : `■ 납부기한: 이 통지서를 받으신 날부터 ${d.daysAfterReceipt}일이 되는 날(빨라도 ${formatKoreanDate(d.deadline)}). 확정된 납부기한은 기한 전에 다시 알려 드립니다.`,
      ],
      optionsBlock(d, c),
      ...(d.selfService ? [selfServiceBlock(d.selfService)] : []),
      [
        '■ 납부기한까지 납부하지 않으시면',
        '납부기한이 지난 뒤 체납액에 충당하는 데 필요한 만큼만 시장 가격에 가깝게 나누어 매각하고, 체납액을 모두 충당하면 매각을 멈춥니다. ' +
          `매각하고 남은 가상자산은 귀하의 ${d.exchangeName.trim()} 본인 계정으로 돌려드리고, 매각대금 가운데 체납액에 충당하고 남은 금액은 환급해 드립니다(${c.surplusRefund}). 매각 결과는 따로 알려 드립니다.`,
      ],
      holdBlock(c),
      objectionBlock(c),
      footer(d, legalBasis),
    ]),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 체납액 ${formatWon(d.arrears.total)}을 ${formatKoreanDate(d.deadline)}까지 납부하지 않으시면 압류 가상자산(현재 ${formatWon(d.valuation.totalValue)})을 매각합니다. 지금 매각을 요청하실 수도 있습니다.`,
};

const reminder: Template<ReminderData> = {
  check(d) {
    checkCommon(d);
    text(d.exchangeName, 'exchangeName');
    text(d.saleRequestGuide, 'saleRequestGuide');
    optionalText(d.virtualAccount, 'virtualAccount');
    date(d.deadline, 'deadline');
    if (!Number.isInteger(d.daysBefore) || d.daysBefore < 0)
      throw new NoticeDataError('daysBefore must be a whole number of days, 0 or more');
    checkArrears(d.arrears, 'arrears');
    if (d.valuation !== undefined) checkValuation(d.valuation, 'valuation');
  },
  legalBasis: (_d, c) => [c.directSale, c.preSaleNotice],
  body: (d, c, title, legalBasis) =>
    compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        d.daysBefore === 0
          ? `앞서 보내 드린 매각 예정 통지의 납부기한이 오늘(${formatKoreanDate(d.deadline)})입니다.`
          : `앞서 보내 드린 매각 예정 통지의 납부기한(${formatKoreanDate(d.deadline)})이 ${d.daysBefore}일 남았습니다.`,
        '납부기한까지 납부하지 않으시면 기한이 지난 뒤 압류 가상자산을 체납액에 충당하는 데 필요한 만큼 매각합니다. 이미 납부하셨다면 이 안내는 무시하셔도 됩니다.',
      ],
      arrearsBlock(d.arrears),
      ...(d.valuation !== undefined ? [valuationBlock(d.valuation, d.exchangeName)] : []),
      optionsBlock(d, c),
      holdBlock(c),
      footer(d, legalBasis),
    ]),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 가상자산 매각 전 납부기한(${formatKoreanDate(d.deadline)})이 ${d.daysBefore === 0 ? '오늘입니다' : `${d.daysBefore}일 남았습니다`}. 체납액 ${formatWon(d.arrears.total)}.`,
};

function checkSaleResult(d: SaleResultData, shortfall: boolean): void {
  checkCommon(d);
  text(d.exchangeName, 'exchangeName');
  optionalText(d.virtualAccount, 'virtualAccount');
  optionalText(d.returnedTo, 'returnedTo');
  date(d.saleFrom, 'saleFrom');
  date(d.saleTo, 'saleTo');
  if (d.saleTo < d.saleFrom) throw new NoticeDataError('saleTo is before saleFrom');
  const sold = checkHoldings(d.sold, 'sold');
  const gross = decimalAmount(d.grossProceeds, 'grossProceeds');
  const fees = decimalAmount(d.fees, 'fees');
  const net = wonAmount(d.netProceeds, 'netProceeds');
  sold.forEach((s, i) => positive(s.averagePrice, `sold[${i}].averagePrice`));
  checkTotal(
    sold.map((s, i) => decimalAmount(s.gross, `sold[${i}].gross`)),
    gross,
    'grossProceeds',
  );
  checkTotal(
    sold.map((s, i) => decimalAmount(s.fee, `sold[${i}].fee`)),
    fees,
    'fees',
  );
  if (fees.gt(gross)) throw new NoticeDataError('fees exceed the gross proceeds');
  if (!gross.sub(fees).toDecimalPlaces(0, Decimal.ROUND_DOWN).eq(net))
    throw new NoticeDataError('netProceeds must be gross − fees cut down to the won');
  if (!Array.isArray(d.allocations)) throw new NoticeDataError('allocations is required (may be empty)');
  const allocated = d.allocations.map((a, i) => {
    text(a.billRef, `allocations[${i}].billRef`);
    text(a.taxItem, `allocations[${i}].taxItem`);
    if (!(a.component in COMPONENT_LABELS)) throw new NoticeDataError(`allocations[${i}].component is not a component`);
    return wonAmount(a.amount, `allocations[${i}].amount`);
  });
  const refund = d.refund === undefined ? null : wonAmount(d.refund.amount, 'refund.amount');
  if (refund?.gt(0)) text(d.refund?.howPaid, 'refund.howPaid');
  checkTotal([...allocated, ...(refund ? [refund] : [])], net, 'netProceeds (against allocations + refund)');
  checkReleased(d.released, 'released', true);
  if (d.released.length > 0) text(d.returnedTo, 'returnedTo');
  const balance = checkArrears(d.balance, 'balance');
  if (shortfall && balance.isZero()) throw new NoticeDataError('a shortfall notice needs a balance still owed');
}

function saleResultBody(
  d: SaleResultData,
  c: Citations,
  title: string,
  legalBasis: string[],
  shortfall: boolean,
): string {
  const refund = d.refund !== undefined && won(d.refund.amount).gt(0) ? d.refund : null;
  const released = d.released;
  const owed = won(d.balance.total).gt(0);
  const period =
    d.saleFrom === d.saleTo
      ? formatKoreanDate(d.saleFrom)
      : `${formatKoreanDate(d.saleFrom)}부터 ${formatKoreanDate(d.saleTo)}까지`;
  return compose([
    header(d, title),
    [
      `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
      `압류한 귀하의 가상자산을 ${period} 가상자산사업자(${d.exchangeName.trim()})를 통하여 매각하고(${c.directSale}), 매각대금을 체납액에 충당한 결과를 아래와 같이 알려 드립니다.`,
      ...(d.pooledOrders
        ? [
            `같은 날 같은 가상자산을 매각하는 다른 체납자의 압류 가상자산과 함께 한 주문으로 나누어 매각하였습니다(공동 매각 주문 ${d.pooledOrders}건). 각 주문의 체결 수량은 남은 매각 수량에 비례하여 최소 거래 단위까지 나누었고, 귀하 몫의 체결가격, 매각금액과 수수료만 아래 매각 내역에 반영하였습니다.`,
          ]
        : []),
    ],
    [
      '■ 매각 내역',
      ...d.sold.map(
        (s) =>
          `- ${coinLabel(s)}: ${qty(s)} 매각, 평균 체결가격 1 ${s.coin.trim()}당 ${formatKrw(s.averagePrice)}, 매각금액 ${formatKrw(s.gross)}, 거래 수수료 ${formatKrw(s.fee)}`,
      ),
    ],
    [
      '■ 매각대금',
      `- 총 매각금액: ${formatKrw(d.grossProceeds)}`,
      `- 거래 수수료: ${formatKrw(d.fees)}`,
      `- 충당할 금액(수수료 공제 후, 원 미만 버림): ${formatWon(d.netProceeds)}`,
    ],
    [
      `■ 충당 내역 (징수 순위: 체납처분비, 지방세, 가산세 순. 도세는 시·군세보다 먼저 충당합니다. ${c.collectionOrder})`,
      ...(d.allocations.length === 0
        ? ['- 충당한 금액이 없습니다.']
        : d.allocations.map(
            (a, i) =>
              `${i + 1}. ${a.taxItem.trim()}${a.provincial ? '(도세)' : ''} 고지번호 ${a.billRef.trim()} / ${COMPONENT_LABELS[a.component]}: ${formatWon(a.amount)}`,
          )),
      `- 충당 합계: ${formatWon(sum(d.allocations.map((a) => won(a.amount))))}`,
    ],
    refund
      ? [
          '■ 환급금',
          `체납액에 충당하고 남은 ${formatWon(refund.amount)}을 돌려드립니다(${c.surplusRefund}). ${refund.howPaid.trim()}`,
        ]
      : ['■ 환급금', '환급할 금액이 없습니다.'],
    released.length > 0
      ? [
          '■ 압류를 해제하여 돌려드린 가상자산',
          ...released.map((r) => `- ${coinLabel(r)}: ${qty(r)} (${RELEASE_REASONS[r.reason]})`),
          `돌려드린 곳: ${(d.returnedTo ?? '').trim()} (${c.release})`,
        ]
      : ['■ 압류를 해제하여 돌려드린 가상자산', '없습니다.'],
    owed
      ? [
          ...arrearsBlock(d.balance, '남은 체납액'),
          shortfall
            ? '매각대금으로 충당하고도 체납액이 남았습니다. 남은 체납액을 납부하여 주시기 바랍니다. 납부하지 않으시면 다른 재산을 압류하는 등 체납처분이 이어질 수 있습니다.'
            : '남은 체납액은 남아 있는 압류 가상자산의 매각 등으로 계속 징수합니다. 직접 납부하실 수도 있습니다.',
          ...paymentBlock(d),
        ]
      : [
          '■ 남은 체납액',
          `없습니다. 이 사건의 체납액은 모두 징수되었습니다(${formatKoreanDate(d.balance.asOf)} 현재).`,
        ],
    objectionBlock(c),
    footer(d, legalBasis),
  ]);
}

function saleResultLegalBasis(d: SaleResultData, c: Citations): string[] {
  const refund = d.refund !== undefined && won(d.refund.amount).gt(0);
  return [
    c.directSale,
    c.collectionOrder,
    ...(refund ? [c.surplusRefund] : []),
    ...(d.released.length > 0 ? [c.release] : []),
  ];
}

const saleResult: Template<SaleResultData> = {
  check: (d) => checkSaleResult(d, false),
  legalBasis: saleResultLegalBasis,
  body: (d, c, title, legalBasis) => saleResultBody(d, c, title, legalBasis, false),
  sms: (d) => {
    const refund = d.refund !== undefined && won(d.refund.amount).gt(0) ? ` 환급 ${formatWon(d.refund.amount)}.` : '';
    return `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 압류 가상자산 매각대금 ${formatWon(d.netProceeds)}을 체납액에 충당했습니다.${refund} 남은 체납액 ${formatWon(d.balance.total)}.`;
  },
};

const shortfall: Template<ShortfallData> = {
  check: (d) => checkSaleResult(d, true),
  legalBasis: saleResultLegalBasis,
  body: (d, c, title, legalBasis) => saleResultBody(d, c, title, legalBasis, true),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 압류 가상자산 매각대금 ${formatWon(d.netProceeds)}을 충당하고 남은 체납액 ${formatWon(d.balance.total)}을 납부해 주십시오.`,
};

const release: Template<ReleaseData> = {
  check(d) {
    checkCommon(d);
    text(d.exchangeName, 'exchangeName');
    text(d.returnedTo, 'returnedTo');
    date(d.releasedOn, 'releasedOn');
    checkReleased(d.released, 'released', false);
  },
  legalBasis: (_d, c) => [c.release, c.releaseDecree],
  body: (d, c, title, legalBasis) =>
    compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        `아래 가상자산의 압류를 ${formatKoreanDate(d.releasedOn)}에 해제하고 귀하의 계정(${d.returnedTo.trim()})으로 돌려드렸습니다(${c.release}, ${c.releaseDecree}).`,
      ],
      ['■ 돌려드린 가상자산', ...d.released.map((r) => `- ${coinLabel(r)}: ${qty(r)} (${RELEASE_REASONS[r.reason]})`)],
      [
        `돌려드린 가상자산이 ${d.exchangeName.trim()} 본인 계정에 보이지 않으시면 아래 문의처로 연락하여 주시기 바랍니다.`,
      ],
      footer(d, legalBasis),
    ]),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 압류한 가상자산을 ${formatKoreanDate(d.releasedOn)}에 해제하여 ${d.exchangeName.trim()} 본인 계정으로 돌려드렸습니다.`,
};

const refundTemplate: Template<RefundData> = {
  check(d) {
    checkCommon(d);
    positive(d.amount, 'amount');
    text(d.howPaid, 'howPaid');
    checkArrears(d.balance, 'balance');
  },
  legalBasis: (_d, c) => [c.overpaymentRefund],
  body: (d, c, title, legalBasis) =>
    compose([
      header(d, title),
      [
        `${d.taxpayerName.trim()} 님께 알려 드립니다.`,
        `귀하께서 납부하신 금액 중 ${formatWon(d.amount)}은 납부할 체납액을 넘는 금액이므로 돌려드립니다(${c.overpaymentRefund}).`,
        d.howPaid.trim(),
      ],
      arrearsBlock(d.balance, '남은 체납액'),
      footer(d, legalBasis),
    ]),
  sms: (d) =>
    `[${d.city.cityName.trim()}] ${d.taxpayerName.trim()}님, 체납액을 넘게 납부하신 ${formatWon(d.amount)}을 돌려드립니다.`,
};

/** The templates by kind: each checks its data, names its legal basis, and renders body and SMS. */
export const templates: {
  readonly [K in NoticeContent['kind']]: Template<Extract<NoticeContent, { kind: K }>['data']>;
} = {
  DEMAND: demand,
  SEIZURE: seizure,
  PRE_SALE: preSale,
  REMINDER: reminder,
  SALE_RESULT: saleResult,
  SHORTFALL: shortfall,
  RELEASE: release,
  REFUND: refundTemplate,
};

function templateFor(notice: NoticeContent): Template<NoticeContent['data']> {
  const t = (templates as Record<string, Template<never> | undefined>)[notice.kind];
  if (!t) throw new NoticeDataError(`unknown notice kind: ${String(notice.kind)}`);
  if (notice.data === null || typeof notice.data !== 'object') throw new NoticeDataError('notice data is required');
  return t;
}

// ---------------------------------------------------------------- entry points

/** The full notice: title, plain-text body (channel-independent) and the provisions it rests on. */
export function renderNotice(notice: NoticeContent, options: RenderOptions = {}): RenderedNotice {
  const template = templateFor(notice);
  template.check(notice.data);
  const citations: Citations = { ...DEFAULT_CITATIONS, ...options.citations };
  const title = NOTICE_TITLES[notice.kind];
  const legalBasis = template.legalBasis(notice.data, citations);
  return { kind: notice.kind, title, body: template.body(notice.data, citations, title, legalBasis), legalBasis };
}

export const SMS_MAX_CHARS = 200;

function cut(value: string, max: number): string {
  const chars = [...value.trim()];
  return chars.length <= max ? value.trim() : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A short version (at most 200 characters) with the amount and the deadline, ending with the
 * city's phone number. An over-long name or place is cut so the figures and the phone survive.
 */
export function renderSmsSummary(notice: NoticeContent): string {
  const template = templateFor(notice);
  template.check(notice.data);
  const data = notice.data;
  const shortened = {
    ...data,
    taxpayerName: cut(data.taxpayerName, 12),
    city: { ...data.city, cityName: cut(data.city.cityName, 10) },
    ...('exchangeName' in data ? { exchangeName: cut(data.exchangeName, 10) } : {}),
  } as NoticeContent['data'];
  const contact = ` 문의 ${data.city.phone.trim()}`;
  const core = template.sms(shortened);
  const room = SMS_MAX_CHARS - [...contact].length;
  const chars = [...core];
  return (chars.length <= room ? core : `${chars.slice(0, room - 1).join('')}…`) + contact;
}
