/** 도시 현황: recovered, outstanding, refunds payable, holdings value, reconciliation, and sale quality over time. */
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { coin, percent, when, won } from '../../shared/format';
import { html } from '../../shared/html';
import { useConsole } from '../context';
import { STATUS_LABEL } from '../labels';
import { useLoad } from '../use-load';
import type { SaleRun } from './sales';

interface Summary {
  asOf: string;
  cases: { total: number; byStatus: Record<string, number> };
  arrearsOutstanding: string;
  recoveredToDate: string;
  refundPayable: string;
  holdings: {
    market: string;
    available: string;
    bid: string | null;
    valueKrw: string | null;
    pricedAt: string | null;
  }[];
  coverage: { cases: Record<string, number>; arrearsKrw: string; valueKrw: string } | null;
  custody?: {
    at: string;
    exchangeMatchesLedger: boolean;
    salesRunning: number;
    differences: { currency: string; difference: string }[];
  };
}

/** Basis points as a chart value: a display figure only (the ledger keeps exact decimals). */
const bps = (v: string | undefined) => (v === undefined || !/^-?\d+(\.\d+)?$/.test(v) ? null : Number(v));

function QualityChart({ sales }: { sales: SaleRun[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const points = sales
      .filter((s) => s.endedAt && s.quality)
      .sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? ''));
    if (!ref.current || points.length === 0) return;
    const data: uPlot.AlignedData = [
      points.map((s) => Date.parse(s.endedAt ?? '') / 1000),
      points.map((s) => bps(s.quality?.implementationShortfallBps)),
      points.map((s) => bps(s.quality?.arrivalSlippageBps)),
    ];
    const chart = new uPlot(
      {
        width: Math.min(900, ref.current.clientWidth || 900),
        height: 260,
        series: [
          {},
          { label: '실행 부족분 (bp)', stroke: '#0b5cad', points: { show: true } },
          { label: '도착가 슬리피지 (bp)', stroke: '#8a5300', points: { show: true } },
        ],
        axes: [{}, { label: 'bp' }],
      },
      data,
      ref.current,
    );
    return () => chart.destroy();
  }, [sales]);
  return html`<div
    ref=${ref}
    role="img"
    aria-label=${`정산된 매각 ${sales.length}건의 품질 추이: 실행 부족분과 도착가 슬리피지 (bp)`}
  ></div>`;
}

export function CityPage() {
  const { api, city } = useConsole();
  const { data, error } = useLoad(
    () =>
      Promise.all([
        api.get<Summary>('/reports/summary', { city }),
        api.get<{ items: SaleRun[] }>('/sales', { city, state: 'SETTLED', limit: '50' }),
      ]),
    [city],
    30_000,
  );
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p aria-busy="true">불러오는 중…</p>`;
  const [s, settled] = data;
  const holdingsValue =
    s.coverage?.valueKrw ?? s.holdings.reduce((a, h) => (h.valueKrw ? a + BigInt(h.valueKrw) : a), 0n).toString();
  return html`<h1>도시 현황 (${city})</h1>
    <p class="notice">${when(s.asOf)} 기준 · 사건 ${s.cases.total}건</p>
    <div class="grid">
      <div class="figure">
        <div class="label">징수액 (누계)</div>
        <div class="value">${won(s.recoveredToDate)}</div>
      </div>
      <div class="figure">
        <div class="label">남은 체납액</div>
        <div class="value">${won(s.arrearsOutstanding)}</div>
      </div>
      <div class="figure">
        <div class="label">환급할 금액</div>
        <div class="value">${won(s.refundPayable)}</div>
      </div>
      <div class="figure">
        <div class="label">보유 코인 평가액</div>
        <div class="value">${won(holdingsValue)}</div>
      </div>
      <div class="figure">
        <div class="label">보관 대사</div>
        <div class="value">
          ${s.custody ? (s.custody.exchangeMatchesLedger ? html`<span class="badge good">일치</span>` : html`<span class="badge bad">불일치 ${s.custody.differences.length}건</span>`) : '—'}
        </div>
        ${s.custody ? html`<div class="label">${when(s.custody.at)}</div>` : null}
      </div>
    </div>
    <h2>매각 품질 추이</h2>
    ${settled.items.some((x) => x.quality) ? html`<${QualityChart} sales=${settled.items} />` : html`<p>정산된 매각이 아직 없습니다.</p>`}
    <div class="split">
      <section>
        <h2>상태별 사건</h2>
        <table>
          <caption class="visually-hidden">
            상태별 사건 수
          </caption>
          <thead>
            <tr>
              <th>상태</th>
              <th class="num">건수</th>
            </tr>
          </thead>
          <tbody>
            ${Object.entries(s.cases.byStatus)
              .filter(([, n]) => n > 0)
              .map(
                ([k, n]) =>
                  html`<tr>
                    <td><a href=${`#/cases?status=${k}`}>${STATUS_LABEL[k] ?? k}</a></td>
                    <td class="num">${n}</td>
                  </tr>`,
              )}
          </tbody>
        </table>
      </section>
      <section>
        <h2>보유 코인</h2>
        <table>
          <caption class="visually-hidden">
            보유 코인
          </caption>
          <thead>
            <tr>
              <th>코인</th>
              <th class="num">수량</th>
              <th class="num">매수호가</th>
              <th class="num">평가액</th>
            </tr>
          </thead>
          <tbody>
            ${s.holdings.map(
              (h) =>
                html`<tr>
                  <td>${h.market.replace(/^KRW-/, '')}</td>
                  <td class="num">${coin(h.available, h.market)}</td>
                  <td class="num">${won(h.bid)}</td>
                  <td class="num">${won(h.valueKrw)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          s.coverage
            ? html`<p>
                충당 현황:
                ${Object.entries(s.coverage.cases)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', ')}
                · 전체 충당률
                ${s.coverage.arrearsKrw !== '0' ? percent(ratio(s.coverage.valueKrw, s.coverage.arrearsKrw)) : '—'}
              </p>`
            : null
        }
      </section>
    </div>`;
}

/** value / arrears to four decimals, on integers (won are whole). */
function ratio(value: string, arrears: string): string {
  const scaled = (BigInt(value) * 10000n) / BigInt(arrears);
  const text = scaled.toString().padStart(5, '0');
  return `${text.slice(0, -4)}.${text.slice(-4)}`;
}
