/** 체납 사건: the city's cases by state, with filters and search, a page at a time. */
import { useEffect, useState } from 'preact/hooks';
import { html } from '../../shared/html';
import { Pager, type CursorPage } from '../pager';
import { won, day, percent } from '../../shared/format';
import { useConsole } from '../context';
import { STATUS_LABEL, COVERAGE_LABEL } from '../labels';

interface CaseItem {
  caseId: string;
  status: string;
  arrears: string;
  recovered: string;
  deadline?: string;
  taxpayerRef?: string;
  markets?: string[];
  coverage?: { state: string; ratio: string | null };
}

export function CasesPage({ params }: { params: Record<string, string> }) {
  const { api, city, go } = useConsole();
  const [page, setPage] = useState<CursorPage<CaseItem> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);
  const filters = {
    status: params.status,
    coin: params.coin,
    coverage: params.coverage,
    deadlineWithinDays: params.within,
    taxpayerRef: params.ref,
  };
  useEffect(() => {
    setPage(undefined);
    void api
      .get<CursorPage<CaseItem>>('/cases', {
        city,
        ...filters,
        limit: '25',
        cursor: cursors[cursors.length - 1],
      })
      .then(setPage)
      .catch((e: Error) => setError(e.message));
  }, [city, cursors.join(','), JSON.stringify(filters)]);
  // The form's fields start from the address and are then the officer's (uncontrolled): a page
  // arriving while the officer types must not put back what the address had.
  function search(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const q = new URLSearchParams();
    for (const [k, v] of f) if (typeof v === 'string' && v) q.set(k, v);
    setCursors([]);
    go(`#/cases?${q.toString()}`);
  }
  return html`<h1>체납 사건</h1>
    <form class="card row" onSubmit=${search} role="search" aria-label="사건 검색">
      <label
        >상태<select name="status">
          <option value="">전체</option>
          ${Object.entries(STATUS_LABEL).map(([k, v]) => html`<option value=${k} selected=${params.status === k}>${v}</option>`)}
        </select></label
      >
      <label>코인<input name="coin" size="6" defaultValue=${params.coin ?? ''} placeholder="BTC" /></label>
      <label
        >충당 구간<select name="coverage">
          <option value="">전체</option>
          ${Object.entries(COVERAGE_LABEL).map(([k, v]) => html`<option value=${k} selected=${params.coverage === k}>${v}</option>`)}
        </select></label
      >
      <label
        >기한 (일 이내)<input
          name="within"
          type="number"
          min="0"
          max="3650"
          size="5"
          defaultValue=${params.within ?? ''}
      /></label>
      <label>납세자 번호<input name="ref" defaultValue=${params.ref ?? ''} /></label>
      <button type="submit">검색</button>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${
      !page
        ? html`<p aria-busy="true">불러오는 중…</p>`
        : html`<table>
              <caption class="visually-hidden">
                사건 목록
              </caption>
              <thead>
                <tr>
                  <th>사건</th>
                  <th>납세자 번호</th>
                  <th>상태</th>
                  <th>코인</th>
                  <th class="num">체납액</th>
                  <th class="num">충당률</th>
                  <th>기한</th>
                </tr>
              </thead>
              <tbody>
                ${
                  page.items.length === 0
                    ? html`<tr>
                        <td colspan="7">조건에 맞는 사건이 없습니다.</td>
                      </tr>`
                    : null
                }
                ${page.items.map(
                  (c) =>
                    html`<tr>
                      <td><a href=${`#/cases/${encodeURIComponent(c.caseId)}`}>${c.caseId}</a></td>
                      <td>${c.taxpayerRef ?? ''}</td>
                      <td><span class="badge">${STATUS_LABEL[c.status] ?? c.status}</span></td>
                      <td>${(c.markets ?? []).map((m) => m.replace(/^KRW-/, '')).join(', ')}</td>
                      <td class="num">${won(c.arrears)}</td>
                      <td class="num">
                        ${c.coverage ? html`${percent(c.coverage.ratio)} <span class="badge">${COVERAGE_LABEL[c.coverage.state] ?? c.coverage.state}</span>` : '—'}
                      </td>
                      <td>${day(c.deadline)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <${Pager} cursors=${cursors} next=${page.cursor} setCursors=${setCursors} examined=${page.examined} />`
    }`;
}
