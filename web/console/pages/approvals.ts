/**
 * 승인·반환: sales waiting for an officer's approval and releases waiting for two. Four eyes: each
 * item names who already approved and who may not; the button is offered only to an officer who may.
 */
import { useState } from 'preact/hooks';
import { ApiProblem } from '../../shared/api';
import { coin, when, won } from '../../shared/format';
import { html } from '../../shared/html';
import { useConsole } from '../context';
import { Pager, type CursorPage } from '../pager';
import { useLoad } from '../use-load';
import type { SaleRun } from './sales';

interface Release {
  caseId: string;
  releaseId: string;
  market: string;
  quantity: string;
  reason: string;
  status: string;
  destination?: { address: string; exchange?: string; recordedBy?: string };
  approvals: { by: string; at: string }[];
}

export function ApprovalsPage() {
  const { api, city, officer } = useConsole();
  const [cursors, setCursors] = useState<string[]>([]);
  const { data, error, reload } = useLoad(
    () =>
      Promise.all([
        api.get<CursorPage<SaleRun>>('/sales', {
          city,
          awaitingApproval: 'true',
          limit: '50',
          cursor: cursors.at(-1),
        }),
        api.get<{ items: Release[] }>('/releases', { city }),
      ]),
    [city, cursors.join()],
    10_000,
  );
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const act = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
      setMessage({ ok: true, text: `${label}: 승인했습니다` });
      reload();
    } catch (e) {
      setMessage({
        ok: false,
        text: `${label}: ${e instanceof ApiProblem ? (e.problem.detail ?? e.message) : (e as Error).message}`,
      });
    }
  };
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p aria-busy="true">불러오는 중…</p>`;
  const [sales, releases] = data;
  return html`<h1>승인·반환</h1>
    ${message ? html`<p class=${message.ok ? 'badge good' : 'error'} role=${message.ok ? 'status' : 'alert'}>${message.text}</p>` : null}
    <h2>매각 승인 대기</h2>
    <table>
      <caption class="visually-hidden">
        매각 승인 대기
      </caption>
      <thead>
        <tr>
          <th>매각</th>
          <th class="num">계획 가액</th>
          <th>필요 승인</th>
          <th>승인한 공무원</th>
          <th>승인할 수 없는 공무원</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${
          sales.items.length === 0
            ? html`<tr>
                <td colspan="6">승인을 기다리는 매각이 없습니다.</td>
              </tr>`
            : sales.items.map((s) => {
                const mine =
                  s.approval.approvedBy.some((a) => a.by === officer) || s.approval.interested.includes(officer);
                return html`<tr>
                  <td>
                    <a href=${`#/sales/${encodeURIComponent(s.caseId)}/${encodeURIComponent(s.saleId)}`}>${s.saleId}</a>
                  </td>
                  <td class="num">${won(s.plannedValueKrw)}</td>
                  <td>${s.approval.approvedBy.length}/${s.approval.needed}</td>
                  <td>${s.approval.approvedBy.map((a) => `${a.by} (${when(a.at)})`).join(', ') || '—'}</td>
                  <td>${s.approval.interested.join(', ') || '—'}</td>
                  <td>
                    ${mine ? html`<span class="notice">다른 공무원이 승인해야 합니다</span>` : html`<button onClick=${() => act(`매각 ${s.saleId}`, () => api.send('POST', `/cases/${encodeURIComponent(s.caseId)}/sales/${encodeURIComponent(s.saleId)}/approval`, { cityId: city }))}>승인 (${s.saleId})</button>`}
                  </td>
                </tr>`;
              })
        }
      </tbody>
    </table>
    <${Pager}
      cursors=${cursors}
      next=${sales.cursor}
      setCursors=${setCursors}
      examined=${sales.examined}
      label="매각 승인 대기"
    />
    <h2>코인 반환 (두 공무원 승인)</h2>
    <table>
      <caption class="visually-hidden">
        코인 반환
      </caption>
      <thead>
        <tr>
          <th>사건</th>
          <th class="num">수량</th>
          <th>사유</th>
          <th>상태</th>
          <th>받는 주소</th>
          <th>승인한 공무원</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${
          releases.items.length === 0
            ? html`<tr>
                <td colspan="7">진행 중인 반환이 없습니다.</td>
              </tr>`
            : releases.items.map((r) => {
                const mine = r.approvals.some((a) => a.by === officer);
                return html`<tr>
                  <td><a href=${`#/cases/${encodeURIComponent(r.caseId)}`}>${r.caseId}</a></td>
                  <td class="num">${coin(r.quantity, r.market)}</td>
                  <td>${r.reason}</td>
                  <td>${r.status}</td>
                  <td>${r.destination?.address ?? '미등록'}</td>
                  <td>${r.approvals.map((a) => `${a.by} (${when(a.at)})`).join(', ') || '—'}</td>
                  <td>
                    ${r.status === 'PENDING' && r.destination && !mine ? html`<button onClick=${() => act(`반환 ${r.releaseId}`, () => api.send('POST', `/cases/${encodeURIComponent(r.caseId)}/releases/${encodeURIComponent(r.releaseId)}/approvals`, { cityId: city }))}>반환 승인</button>` : mine ? html`<span class="notice">다른 공무원이 승인해야 합니다</span>` : null}
                  </td>
                </tr>`;
              })
        }
      </tbody>
    </table>`;
}
