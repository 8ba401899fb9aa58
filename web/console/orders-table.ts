/** The table of a sale's orders, on the sale page (its slices) and on a desk's page (the pooled orders). */
import { coin, when, won } from '../shared/format';
import { html } from '../shared/html';
import { ORDER_STATUS_LABEL } from './labels';

/** What every order row carries, whoever placed it. */
export interface OrderRow {
  slice: number;
  plannedAt: string;
  sentAt?: string;
  status: string;
  limitPrice: string;
  volume: string;
  executedVolume: string;
  grossKrw: string;
  feeKrw: string;
  absentReason?: string;
}

/** A column a page adds to the common ones. */
export interface OrderColumn<T> {
  head: string;
  num?: boolean;
  cell: (order: T) => unknown;
}

/**
 * #, time, [lead], limit price, quantities, proceeds, fee, [middle], status, [tail]: the common
 * columns read the same on every page, with the status in Korean.
 */
export function OrdersTable<T extends OrderRow>(props: {
  caption: string;
  orders: readonly T[];
  market: (order: T) => string;
  lead?: OrderColumn<T>[];
  middle?: OrderColumn<T>[];
  tail?: OrderColumn<T>[];
}) {
  const { caption, orders, market, lead = [], middle = [], tail = [] } = props;
  const columns: OrderColumn<T>[] = [
    { head: '#', num: true, cell: (o) => o.slice },
    { head: '시각', cell: (o) => when(o.sentAt ?? o.plannedAt) },
    ...lead,
    { head: '지정가', num: true, cell: (o) => won(o.limitPrice) },
    { head: '주문 수량', num: true, cell: (o) => coin(o.volume, market(o)) },
    { head: '체결 수량', num: true, cell: (o) => coin(o.executedVolume, market(o)) },
    { head: '체결 금액', num: true, cell: (o) => won(o.grossKrw) },
    { head: '수수료', num: true, cell: (o) => won(o.feeKrw) },
    ...middle,
    {
      head: '상태',
      cell: (o) => `${ORDER_STATUS_LABEL[o.status] ?? o.status}${o.absentReason ? ` (${o.absentReason})` : ''}`,
    },
    ...tail,
  ];
  const numClass = (c: OrderColumn<T>) => (c.num ? 'num' : undefined);
  return html`<table>
    <caption class="visually-hidden">
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => html`<th class=${numClass(c)}>${c.head}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        orders.length === 0
          ? html`<tr>
              <td colspan=${columns.length}>아직 주문이 없습니다.</td>
            </tr>`
          : orders.map(
              (o) =>
                html`<tr>
                  ${columns.map((c) => html`<td class=${numClass(c)}>${c.cell(o)}</td>`)}
                </tr>`,
            )
      }
    </tbody>
  </table>`;
}
