/**
 * The taxpayer's statement: what the notice shows, brought up to today (bills with surcharges to
 * today, the coins at the latest bid), and what happened since (payments, the sale, refunds,
 * releases). Built from the same statement data and views the city's API uses; no contact data, no
 * taxpayer reference, no names of officers.
 */
import type * as z from 'zod/mini';
import { outstanding } from '#domain/bills';
import { activeHolds } from '#domain/case';
import type { StatementData } from '#domain/case-store';
import type { CitySettings } from '#domain/city-settings';
import type { LocalDate } from '#domain/dates';
import { Decimal, sum, wonString, ZERO } from '#domain/money';
import { coin } from '#domain/notice-builders';
import { DEFAULT_CITATIONS, holdBlock, objectionBlock } from '#domain/notices';
import { billsToday, coinsNow, owedProjection, saleRequestRefusal } from '#domain/self-service';
import { statementView } from '../api/views';
import type { TaxpayerStatementView } from './schemas';

interface OrderProgress {
  saleId: string;
  market: string;
  status: string;
  executedVolume?: Decimal;
  grossKrw?: Decimal;
  feeKrw?: Decimal;
}

const DEADLINE_RULE =
  '납부기한은 매각 예정 통지서를 받으신 날부터 정해지며, 정해지면 이 화면과 안내문으로 알려 드립니다.';

export function taxpayerStatement(
  data: StatementData,
  settings: CitySettings,
  today: LocalDate,
  bids: Readonly<Record<string, { bid: Decimal; at: string }>>,
  orders: readonly OrderProgress[],
): z.infer<typeof TaxpayerStatementView> {
  const c = data.case;
  const base = statementView(data, settings, today);
  const coins = coinsNow(c, Object.fromEntries(Object.entries(bids).map(([m, p]) => [m, p.bid])));
  const done = orders.filter((o) => o.saleId === c.saleId && o.status === 'DONE' && (o.executedVolume ?? ZERO).gt(0));
  const markets = [...new Set(done.map((o) => o.market))];
  const refusal = saleRequestRefusal(c, today, settings);
  const saleState =
    c.status === 'SETTLED' || c.status === 'SHORTFALL'
      ? c.status
      : c.status === 'SELLING'
        ? 'SELLING'
        : c.status === 'DUE' && c.saleRequest
          ? 'WAITING'
          : undefined;
  const hasSettlement = base.sales.length > 0;
  const active = new Set(activeHolds(c).map((h) => h.holdId));
  return {
    asOf: today,
    city: {
      name: settings.displayName,
      department: settings.notices.department,
      phone: settings.notices.phone,
      paymentGuide: settings.notices.paymentGuide,
      ...(settings.payment ? { payment: structuredClone(settings.payment) } : {}),
      exchangeName: settings.notices.exchangeName,
      returnedTo: settings.notices.returnedTo,
    },
    taxpayerName: c.taxpayer.name,
    caseRef: c.caseId,
    status: c.status,
    ...(c.deadline ? { deadline: c.deadline } : { deadlineRule: DEADLINE_RULE }),
    bills: billsToday(c, today, settings)
      .map((b) => ({
        billId: b.billId,
        taxItem: b.taxItem,
        dueDate: b.dueDate,
        cost: outstanding(b.cost),
        tax: outstanding(b.tax),
        surcharge: outstanding(b.surcharge),
      }))
      .filter((b) => b.cost.add(b.tax).add(b.surcharge).gt(0))
      .map((b) => ({
        ...b,
        cost: wonString(b.cost),
        tax: wonString(b.tax),
        surcharge: wonString(b.surcharge),
        total: wonString(b.cost.add(b.tax).add(b.surcharge)),
      })),
    owedToday: base.totals.outstandingProjected,
    projection: owedProjection(c, today, settings).map((p) => ({ on: p.on, label: p.label, owed: wonString(p.owed) })),
    coins: coins.map((h) => ({
      market: h.market,
      ...coin(h.market, h.quantity),
      ...(h.bid ? { bid: h.bid.toFixed() } : {}),
      ...(h.value ? { value: wonString(h.value) } : {}),
      ...(bids[h.market] ? { pricedAt: bids[h.market]?.at } : {}),
    })),
    coinsValue: wonString(sum(coins.map((h) => h.value ?? ZERO))),
    payments: base.payments.map((p) => ({ amount: p.amount, ...(p.receivedOn ? { receivedOn: p.receivedOn } : {}) })),
    ...(c.saleRequest
      ? {
          saleRequest: {
            requestedAt: c.saleRequest.requestedAt,
            limitPrices: Object.fromEntries(
              Object.entries(c.saleRequest.limitPrices).map(([m, p]) => [m, p.toFixed()]),
            ),
            channel: c.saleRequest.evidence.channel,
          },
        }
      : {}),
    ...(saleState
      ? {
          sale: {
            state: saleState,
            soldSoFar: markets.map((market) => {
              const mine = done.filter((o) => o.market === market);
              return {
                market,
                quantity: sum(mine.map((o) => o.executedVolume ?? ZERO)).toFixed(),
                grossKrw: sum(mine.map((o) => o.grossKrw ?? ZERO)).toFixed(),
              };
            }),
            netSoFar: wonString(
              sum(done.map((o) => (o.grossKrw ?? ZERO).sub(o.feeKrw ?? ZERO))).toDecimalPlaces(0, Decimal.ROUND_DOWN),
            ),
          },
        }
      : {}),
    ...(hasSettlement
      ? {
          settlement: {
            grossKrw: base.totals.saleGrossKrw,
            feesKrw: base.totals.saleFeesKrw,
            allocated: base.totals.allocated,
            refunded: base.totals.refunded,
          },
        }
      : {}),
    refundPayable: base.refundPayable,
    refundGuide: settings.notices.refundGuide,
    releases: base.releases.map((r) => ({
      market: r.market,
      quantity: r.quantity,
      reason: r.reason,
      status: r.status,
    })),
    holds: c.holds.map((h) => ({ kind: h.kind, from: h.from, active: active.has(h.holdId) })),
    canRequestSale: refusal === null,
    ...(refusal ? { saleRefusal: refusal } : {}),
    objection: [...holdBlock(DEFAULT_CITATIONS), ...objectionBlock(DEFAULT_CITATIONS)],
  };
}
