/**
 * 공동 매각: the city's sale desks (docs/SALE-DESK.md), one per coin and day, selling the coins of
 * every case selling that coin together. The day's desks, and one desk's run, its members, its
 * orders newest first and each case's share of each order; refreshed while the desk runs.
 */
import { useState } from 'preact/hooks';
import { coin, day as dayText, percent, when, won } from '../../shared/format';
import { html } from '../../shared/html';
import { Pager } from '../pager';
import { useConsole } from '../context';
import { DESK_ACTION_LABEL, deskReason } from '../labels';
import { useLoad } from '../use-load';
import { ExecutionStates, type Execution, type ExecutionRef } from '../execution';
import { OrdersTable, type OrderRow } from '../orders-table';

interface Desk {
  deskId: string;
  market: string;
  day: string;
  status: 'RUNNING' | 'ENDED';
  run: number;
  execution: string;
  startedAt: string;
  endedAt?: string;
  lastDecision?: { at: string; action: string; reason?: string };
  members: { active: number; withdrawn: number; done: number };
  slices: number;
  openOrders: number;
  orders: number;
  soldQuantity: string;
  grossKrw: string;
  maxParticipation: string;
}

interface DeskDetail extends Desk {
  memberList: {
    caseId: string;
    saleId: string;
    status: 'ACTIVE' | 'WITHDRAWN' | 'DONE';
    reason?: string;
    joinedAt: string;
    offered: string;
    floorPrice?: string;
    sold: string;
  }[];
  orderList: (OrderRow & {
    identifier: string;
    participation?: string;
    shares: { caseId: string; offered: string; quantity?: string; grossKrw?: string; feeKrw?: string }[];
  })[];
  cursor?: string;
  memberCursor?: string;
  runs: ExecutionRef[];
  executionStates?: Execution;
}

const POLL_MS = 5000;
export const DESK_STATUS: Record<string, string> = { RUNNING: '매각 중', ENDED: '종료' };
const MEMBER_STATUS: Record<string, string> = { ACTIVE: '참여 중', WITHDRAWN: '이탈', DONE: '완료' };

type DeskOrder = DeskDetail['orderList'][number];

/** A case's share of an order: what it offered and, once final, what it received (one text: htm trims line breaks). */
const shareText = (s: DeskOrder['shares'][number], market: string): string =>
  `${s.caseId}: ${coin(s.offered, market)}` +
  (s.quantity !== undefined ? ` → ${coin(s.quantity, market)}, ${won(s.grossKrw)} (수수료 ${won(s.feeKrw)})` : '');

/** `desk.KRW-BTC.20260915` → the desk page's address (its market and day). */
export function deskHref(deskId: string): string | undefined {
  const m = /^desk\.(KRW-[A-Z0-9]+)\.(\d{4})(\d{2})(\d{2})$/.exec(deskId);
  return m ? `#/desks/${m[1]}/${m[2]}-${m[3]}-${m[4]}` : undefined;
}

export function DesksPage({ params }: { params: Record<string, string> }) {
  const { api, city } = useConsole();
  const { data, error } = useLoad(
    () => api.get<{ items: Desk[] }>('/sale-desks', { city, day: params.day }),
    [city, params.day],
    POLL_MS,
  );
  return html`<h1>공동 매각</h1>
    <p class="notice">
      ${`같은 날 같은 코인을 매각하는 사건들의 코인을 코인별 창구 하나가 함께 나누어 팝니다. ${params.day ? dayText(params.day) : '오늘'} · 5초마다 새로 고칩니다`}
    </p>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${
      !data
        ? html`<p aria-busy="true">불러오는 중…</p>`
        : html`<table>
            <caption class="visually-hidden">
              공동 매각 창구 목록
            </caption>
            <thead>
              <tr>
                <th>코인</th>
                <th>상태</th>
                <th class="num">회차</th>
                <th class="num">참여 사건</th>
                <th class="num">주문</th>
                <th class="num">매각 수량</th>
                <th class="num">매각 금액</th>
                <th class="num">최대 시장 참여율</th>
                <th>시작</th>
              </tr>
            </thead>
            <tbody>
              ${
                data.items.length === 0
                  ? html`<tr>
                      <td colspan="9">이 날의 공동 매각이 없습니다.</td>
                    </tr>`
                  : data.items.map(
                      (d) =>
                        html`<tr>
                          <td><a href=${deskHref(d.deskId)}>${d.market.replace(/^KRW-/, '')}</a></td>
                          <td>
                            <span class=${`badge ${d.status === 'ENDED' ? 'good' : 'warn'}`}
                              >${DESK_STATUS[d.status]}</span
                            >
                          </td>
                          <td class="num">${d.run}</td>
                          <td class="num">
                            ${d.members.active}/${d.members.active + d.members.withdrawn + d.members.done}
                          </td>
                          <td class="num">${d.orders}</td>
                          <td class="num">${coin(d.soldQuantity, d.market)}</td>
                          <td class="num">${won(d.grossKrw)}</td>
                          <td class="num">${percent(d.maxParticipation)}</td>
                          <td>${when(d.startedAt)}</td>
                        </tr>`,
                    )
              }
            </tbody>
          </table>`
    }`;
}

export function DeskPage({ params }: { params: Record<string, string> }) {
  const { api, city, go } = useConsole();
  const market = params.market ?? '';
  const day = params.day ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const [memberCursors, setMemberCursors] = useState<string[]>([]);
  const [live, setLive] = useState(true);
  const { data, error } = useLoad(
    async () => {
      const { items } = await api.get<{ items: DeskDetail[] }>('/sale-desks', {
        city,
        day,
        market,
        cursor: cursors.at(-1),
        memberCursor: memberCursors.at(-1),
        run: params.run,
      });
      const d = items[0];
      if (!d) throw new Error(`${dayText(day)} ${market} 공동 매각이 없습니다.`);
      // Followed while the desk runs and an order is on the way.
      if (d.status === 'ENDED' && d.openOrders === 0) setLive(false);
      return d;
    },
    [city, market, day, cursors.join(), memberCursors.join(), params.run],
    live ? POLL_MS : undefined,
  );
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p aria-busy="true">불러오는 중…</p>`;
  return html`<h1>
      공동 매각 ${market.replace(/^KRW-/, '')} ${dayText(day)}
      <span class="badge" role="status">${DESK_STATUS[data.status] ?? data.status}</span>
    </h1>
    <p class="notice">
      <a href=${`#/desks?day=${day}`}>공동 매각 목록</a> · 실행 ${data.execution} (${data.run}회차) ·
      ${when(data.startedAt)}
      시작${data.endedAt ? ` · ${when(data.endedAt)} 종료` : ''}${live ? ' · 5초마다 새로 고침' : ''}
    </p>
    <div class="grid">
      <div class="figure">
        <div class="label">참여 사건 (참여 중/전체)</div>
        <div class="value">
          ${data.members.active}/${data.members.active + data.members.withdrawn + data.members.done}
        </div>
      </div>
      <div class="figure">
        <div class="label">주문 (완료·확인 중)</div>
        <div class="value">${data.orders}</div>
      </div>
      <div class="figure">
        <div class="label">매각 수량</div>
        <div class="value">${coin(data.soldQuantity, data.market)}</div>
      </div>
      <div class="figure">
        <div class="label">매각 금액</div>
        <div class="value">${won(data.grossKrw)}</div>
      </div>
      <div class="figure">
        <div class="label">최대 시장 참여율</div>
        <div class="value">${percent(data.maxParticipation)}</div>
      </div>
    </div>
    ${data.lastDecision ? html`<p>최근 판단: ${when(data.lastDecision.at)} ${DESK_ACTION_LABEL[data.lastDecision.action] ?? data.lastDecision.action}${data.lastDecision.reason ? ` — ${deskReason(data.lastDecision.reason)}` : ''}</p>` : null}
    <h2>참여 사건</h2>
    <table>
      <caption class="visually-hidden">
        참여 사건
      </caption>
      <thead>
        <tr>
          <th>사건</th>
          <th>상태</th>
          <th>참여</th>
          <th class="num">제공 수량</th>
          <th class="num">매각 수량</th>
          <th class="num">하한가</th>
        </tr>
      </thead>
      <tbody>
        ${data.memberList.map(
          (m) =>
            html`<tr>
              <td>
                <a href=${`#/sales/${encodeURIComponent(m.caseId)}/${encodeURIComponent(m.saleId)}`}>${m.caseId}</a>
              </td>
              <td>${MEMBER_STATUS[m.status] ?? m.status}${m.reason ? ` (${deskReason(m.reason)})` : ''}</td>
              <td>${when(m.joinedAt)}</td>
              <td class="num">${coin(m.offered, data.market)}</td>
              <td class="num">${coin(m.sold, data.market)}</td>
              <td class="num">${m.floorPrice ? won(m.floorPrice) : '—'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} cursors=${memberCursors} next=${data.memberCursor} setCursors=${setMemberCursors} label="참여 사건" />
    <h2>주문과 사건별 몫</h2>
    <${OrdersTable}
      caption="공동 매각 주문"
      orders=${data.orderList}
      market=${() => data.market}
      middle=${[{ head: '시장 참여율', num: true, cell: (o: DeskOrder) => (o.participation ? percent(o.participation) : '—') }]}
      tail=${[
        {
          head: '사건별 몫 (제공 → 체결, 금액)',
          cell: (o: DeskOrder) =>
            html`<ul class="shares">
              ${o.shares.map((s) => html`<li>${shareText(s, data.market)}</li>`)}
            </ul>`,
        },
      ]}
    />
    <${Pager} cursors=${cursors} next=${data.cursor} setCursors=${setCursors} label="주문" />
    <${ExecutionStates}
      execution=${data.executionStates}
      choices=${data.runs}
      picked=${(data.executionStates?.run ?? Number(params.run ?? data.run)) - 1}
      onPick=${(i: number) => go(`${deskHref(data.deskId) ?? ''}?run=${i + 1}`)}
    />`;
}
