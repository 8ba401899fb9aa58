/** 매각 실행: running and finished sale runs, and one sale's slices, pauses and quality; refreshed while running. */
import { useState } from 'preact/hooks';
import { when, won } from '../../shared/format';
import { html } from '../../shared/html';
import { Pager, type CursorPage } from '../pager';
import { useConsole } from '../context';
import { ExecutionStates, type Execution, type ExecutionRef } from '../execution';
import { qualityFigure, SLICE_BINDING_LABEL, STATUS_LABEL } from '../labels';
import { OrdersTable, type OrderRow } from '../orders-table';
import { useLoad } from '../use-load';
import { deskHref } from './desks';

export interface SaleRun {
  caseId: string;
  saleId: string;
  status: string;
  caseStatus: string;
  requestedBy: string;
  startedAt: string;
  endedAt?: string;
  needAtStartKrw: string;
  plannedValueKrw?: string;
  approval: { needed: number; approvedBy: { by: string; at: string }[]; interested: string[] };
  slices: number;
  pauses: number;
  escalation?: { at: string; market: string; reason: string };
  outcome?: string;
  quality?: Record<string, string>;
}

export const SALE_STATUS: Record<string, string> = {
  RUNNING: '매각 중',
  AWAITING_APPROVAL: '승인 대기',
  ESCALATED: '보고됨(중단)',
  SETTLING: '정산 중',
  SETTLED: '정산 완료',
  FAILED: '실패',
};
const POLL_MS = 5000;

export function SalesPage({ params }: { params: Record<string, string> }) {
  const { api, city, go } = useConsole();
  const state = params.state ?? 'SELLING';
  const [cursors, setCursors] = useState<string[]>([]);
  const { data, error } = useLoad(
    () => api.get<CursorPage<SaleRun>>('/sales', { city, state, cursor: cursors.at(-1) }),
    [city, state, cursors.join()],
    state === 'SELLING' ? POLL_MS : undefined,
  );
  return html`<h1>매각 실행</h1>
    <div class="row" role="group" aria-label="매각 상태">
      ${[
        ['SELLING', '진행 중'],
        ['SETTLED', '정산 완료'],
        ['SHORTFALL', '부족 정산'],
      ].map(
        ([k, v]) =>
          html`<button
            class=${k === state ? '' : 'secondary'}
            aria-pressed=${k === state}
            onClick=${() => (setCursors([]), go(`#/sales?state=${k}`))}
          >
            ${v}
          </button>`,
      )}
      ${state === 'SELLING' ? html`<span class="notice">5초마다 새로 고칩니다</span>` : null}
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${
      !data
        ? html`<p aria-busy="true">불러오는 중…</p>`
        : html`<table>
              <caption class="visually-hidden">
                매각 실행 목록
              </caption>
              <thead>
                <tr>
                  <th>매각</th>
                  <th>상태</th>
                  <th>요청</th>
                  <th>시작</th>
                  <th class="num">필요 금액</th>
                  <th class="num">분할 주문</th>
                  <th class="num">일시 정지</th>
                  <th>승인</th>
                  <th>결과</th>
                </tr>
              </thead>
              <tbody>
                ${
                  data.items.length === 0
                    ? html`<tr>
                        <td colspan="9">매각 실행이 없습니다.</td>
                      </tr>`
                    : null
                }
                ${data.items.map(
                  (s) =>
                    html`<tr>
                      <td>
                        <a href=${`#/sales/${encodeURIComponent(s.caseId)}/${encodeURIComponent(s.saleId)}`}
                          >${s.saleId}</a
                        >
                      </td>
                      <td>
                        <span
                          class=${`badge ${s.status === 'SETTLED' ? 'good' : s.status === 'ESCALATED' || s.status === 'FAILED' ? 'bad' : 'warn'}`}
                          >${SALE_STATUS[s.status] ?? s.status}</span
                        >
                      </td>
                      <td>${s.requestedBy === 'TAXPAYER' ? '납세자' : '기한 경과'}</td>
                      <td>${when(s.startedAt)}</td>
                      <td class="num">${won(s.needAtStartKrw)}</td>
                      <td class="num">${s.slices}</td>
                      <td class="num">${s.pauses}</td>
                      <td>
                        ${s.approval.needed === 0 ? '불필요' : `${s.approval.approvedBy.length}/${s.approval.needed}`}
                      </td>
                      <td>${s.outcome ? (STATUS_LABEL[s.outcome] ?? s.outcome) : '—'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <${Pager} cursors=${cursors} next=${data.cursor} setCursors=${setCursors} examined=${data.examined} />`
    }`;
}

interface SaleDetail extends SaleRun {
  pauseLog: { at: string; market: string; reason: string; action: string }[];
  slicesLog: (OrderRow & {
    market: string;
    binding: string;
    /** Sold pooled: the case's share of this desk's order. */
    deskId?: string;
  })[];
  /** The sale's executions, first to current (one a day), and the one asked for, state by state. */
  executions: ExecutionRef[];
  execution?: Execution;
}

type SaleOrder = SaleDetail['slicesLog'][number];

export function SalePage({ params }: { params: Record<string, string> }) {
  const { api, city, go } = useConsole();
  const caseId = params.caseId ?? '';
  const saleId = params.saleId ?? '';
  const href = `#/sales/${encodeURIComponent(caseId)}/${encodeURIComponent(saleId)}`;
  const [live, setLive] = useState(true);
  const { data, error } = useLoad(
    async () => {
      const d = await api.get<SaleDetail>(`/sales/${encodeURIComponent(caseId)}/${encodeURIComponent(saleId)}`, {
        city,
        execution: params.execution,
      });
      // Followed until the sale has ended and so has its execution (its last states come after the record's).
      if (['SETTLED', 'FAILED'].includes(d.status) && d.execution?.status !== 'RUNNING') setLive(false);
      return d;
    },
    [caseId, saleId, city],
    live ? POLL_MS : undefined,
  );
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p aria-busy="true">불러오는 중…</p>`;
  return html`<h1>
      매각 ${data.saleId} <span class="badge" role="status">${SALE_STATUS[data.status] ?? data.status}</span>
    </h1>
    <p class="notice">
      <a href=${`#/cases/${encodeURIComponent(caseId)}`}>사건 ${caseId}</a> · ${when(data.startedAt)}
      시작${data.endedAt ? ` · ${when(data.endedAt)} 종료` : ''}${live ? ' · 5초마다 새로 고침' : ''}
    </p>
    <div class="grid">
      <div class="figure">
        <div class="label">시작 시 필요 금액</div>
        <div class="value">${won(data.needAtStartKrw)}</div>
      </div>
      <div class="figure">
        <div class="label">계획 매각 가액</div>
        <div class="value">${won(data.plannedValueKrw)}</div>
      </div>
      <div class="figure">
        <div class="label">승인</div>
        <div class="value">
          ${data.approval.needed === 0 ? '불필요' : `${data.approval.approvedBy.length}/${data.approval.needed}`}
        </div>
      </div>
      ${Object.entries(data.quality ?? {}).map(([k, v]) => {
        const f = qualityFigure(k, v);
        return html`<div class="figure">
          <div class="label">${f.label}</div>
          <div class="value">${f.value}</div>
        </div>`;
      })}
    </div>
    ${data.approval.approvedBy.length > 0 ? html`<p>승인한 공무원: ${data.approval.approvedBy.map((a) => `${a.by} (${when(a.at)})`).join(', ')}</p>` : null}
    ${[...new Set(data.slicesLog.flatMap((o) => (o.deskId ? [o.deskId] : [])))].map((id) => {
      const href = deskHref(id);
      return href
        ? html`<p>
            이 사건의 코인은 같은 날 같은 코인의 다른 사건과 함께 매각되었습니다:
            <a href=${href}>공동 매각 ${id.split('.')[1]?.replace(/^KRW-/, '')} ${id.split('.')[2]}</a>
          </p>`
        : null;
    })}
    ${data.escalation ? html`<p class="error">보고: ${when(data.escalation.at)} ${data.escalation.market} — ${data.escalation.reason}</p>` : null}
    <h2>분할 주문</h2>
    <${OrdersTable}
      caption="분할 주문"
      orders=${data.slicesLog}
      market=${(o: SaleOrder) => o.market}
      lead=${[{ head: '코인', cell: (o: SaleOrder) => o.market.replace(/^KRW-/, '') }]}
      middle=${[{ head: '제약', cell: (o: SaleOrder) => SLICE_BINDING_LABEL[o.binding] ?? o.binding }]}
    />
    <${ExecutionStates}
      execution=${data.execution}
      choices=${data.executions}
      picked=${data.execution?.continuation ?? Number(params.execution ?? data.executions.length - 1)}
      onPick=${(n: number) => go(`${href}?execution=${n}`)}
    />
    <h2>일시 정지</h2>
    ${
      data.pauseLog.length === 0
        ? html`<p>없음</p>`
        : html`<ul>
            ${data.pauseLog.map((p) => html`<li>${when(p.at)} ${p.market} ${p.action}: ${p.reason}</li>`)}
          </ul>`
    }`;
}
