/** 사건 상세: bills, payments, arrears today, holdings, notices, the audit trail, the statement, and the officer's actions. */
import { useState } from 'preact/hooks';
import { ApiProblem } from '../../shared/api';
import { coin, day, percent, when, won } from '../../shared/format';
import { html } from '../../shared/html';
import { useConsole } from '../context';
import { COVERAGE_LABEL, STATUS_LABEL } from '../labels';
import { Pager, type CursorPage } from '../pager';
import { useLoad } from '../use-load';

type Amounts = { assessed: string; paid: string; outstanding: string };
interface CaseData {
  caseId: string;
  cityCaseRef: string;
  status: string;
  taxpayer: { ref: string; name: string };
  bills: { billId: string; taxItem: string; dueDate: string; cost: Amounts; tax: Amounts; surcharge: Amounts }[];
  holdings: { market: string; seized: string; inCustody: string; sold: string; released: string; available: string }[];
  holds: { holdId: string; kind: string; reason: string; from: string; to?: string; active: boolean }[];
  preSaleNotice?: {
    noticeId: string;
    issuedOn: string;
    deliveredOn?: string;
    failed?: { on: string; reason: string };
    effectiveOn?: string;
  };
  deadline?: string;
  saleId?: string;
  saleApproval?: { saleId: string; approvals: { by: string; at: string }[] };
  arrears: { recorded: string; asOf: string; projected: string };
  coverage?: {
    state: string;
    ratio: string | null;
    valueKrw: string;
    arrearsKrw: string;
    prices: Record<string, { bid: string; at: string }>;
  };
  refundPayable: string;
}
interface Statement {
  payments: { paymentId: string; amount: string; receivedOn?: string }[];
  sales: {
    saleId: string;
    at: string;
    fills: { market: string; quantity: string; grossKrw: string }[];
    feesKrw: string;
  }[];
  applications: {
    source: string;
    at: string;
    allocations: { billId: string; component: string; amount: string }[];
    refund: string;
  }[];
  totals: Record<string, string>;
}
interface Audit {
  entries: {
    at: string;
    action: string;
    before: string;
    after: string;
    actor: { kind: string; id: string };
    reason?: string;
  }[];
}
interface Notices {
  items: {
    noticeId: string;
    kind: string;
    createdAt: string;
    status: string;
    channel?: string;
    title: string;
    body: string;
  }[];
}

interface TaxpayerAccess {
  at: string;
  outcome: string;
  noticeId: string;
  route: string;
}

/** What the taxpayer's page did, as the access log records it. */
const ACCESS_LABEL: Record<string, string> = {
  CHECK_PASSED: '본인 확인 성공',
  CHECK_FAILED: '본인 확인 실패',
  LOCKED: '잠김 (확인 시도 초과)',
  EXPIRED: '만료된 링크',
  NO_CHECK: '본인 확인 정보 미등록',
  READ: '명세서 열람',
  SALE_PLAN: '매각 계획 조회',
  SALE_REQUEST: '매각 신청',
};
const ACCESS_BAD = new Set(['CHECK_FAILED', 'LOCKED', 'EXPIRED', 'NO_CHECK']);

/** 납세자 페이지 접속 기록: the self-service page's accesses to the case, newest first, page by page. */
function TaxpayerAccessPanel({ caseId }: { caseId: string }) {
  const { api, city } = useConsole();
  const [cursors, setCursors] = useState<string[]>([]);
  const { data, error } = useLoad(
    () =>
      api
        .get<CursorPage<TaxpayerAccess>>(`/audit-trails/${encodeURIComponent(caseId)}/taxpayer-access`, {
          city,
          limit: '20',
          cursor: cursors.at(-1),
        })
        // A deployment without the taxpayer's page has no log (404): said as such, not as an error.
        .catch((e: unknown) => {
          if (e instanceof ApiProblem && e.status === 404) return null;
          throw e;
        }),
    [caseId, city, cursors.join()],
  );
  return html`<section aria-labelledby="access-h">
    <h2 id="access-h">납세자 페이지 접속 기록</h2>
    ${
      error
        ? html`<p class="error" role="alert">${error}</p>`
        : data === undefined
          ? html`<p aria-busy="true">불러오는 중…</p>`
          : data === null
            ? html`<p class="notice">이 배포에는 납세자 페이지가 없습니다.</p>`
            : html`<table>
                  <caption class="visually-hidden">
                    납세자 페이지 접속 기록
                  </caption>
                  <thead>
                    <tr>
                      <th>시각</th>
                      <th>내용</th>
                      <th>사용한 통지</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${
                      data.items.length === 0
                        ? html`<tr>
                            <td colspan="3">접속 기록이 없습니다.</td>
                          </tr>`
                        : data.items.map(
                            (a) =>
                              html`<tr>
                                <td>${when(a.at)}</td>
                                <td>
                                  <span class=${`badge ${ACCESS_BAD.has(a.outcome) ? 'bad' : 'good'}`}
                                    >${ACCESS_LABEL[a.outcome] ?? a.outcome}</span
                                  >
                                </td>
                                <td>${a.noticeId}</td>
                              </tr>`,
                          )
                    }
                  </tbody>
                </table>
                <${Pager} cursors=${cursors} next=${data.cursor} setCursors=${setCursors} label="접속 기록" />`
    }
  </section>`;
}

const HOLD_KIND: Record<string, string> = {
  APPEAL: '이의신청',
  LAWSUIT: '행정소송',
  COLLECTION_DEFERRAL: '징수유예',
  DISPOSITION_DEFERRAL: '체납처분 유예',
};
const TOTAL_LABEL: Record<string, string> = {
  paidIn: '납부액',
  saleGrossKrw: '매각 총액',
  saleFeesKrw: '거래 수수료',
  allocated: '충당액',
  refunded: '환급액',
  outstanding: '남은 체납액',
  outstandingProjected: '오늘 기준 체납액',
};

export function CasePage({ params }: { params: Record<string, string> }) {
  const { api, city } = useConsole();
  const caseId = params.caseId ?? '';
  const path = encodeURIComponent(caseId);
  const { data, error, reload } = useLoad(
    () =>
      Promise.all([
        api.get<CaseData>(`/cases/${path}`, { city }),
        api.get<Statement>(`/cases/${path}/statement`, { city }),
        api.get<Audit>(`/audit-trails/${path}`, { city }),
        api.get<Notices>(`/notices/${path}`, { city }),
      ]),
    [caseId, city],
  );
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const act = async (label: string, run: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await run();
      setMessage({ ok: true, text: `${label}: 완료` });
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
  const [c, statement, audit, notices] = data;
  const activeHold = c.holds.find((h) => h.active);
  const form = (e: Event) => new FormData(e.currentTarget as HTMLFormElement);
  const field = (f: FormData, name: string) => {
    const v = f.get(name);
    return typeof v === 'string' ? v : '';
  };
  return html`<h1>사건 ${c.caseId} <span class="badge">${STATUS_LABEL[c.status] ?? c.status}</span></h1>
    <p class="notice">납세자 ${c.taxpayer.name} (${c.taxpayer.ref}) · 시 사건번호 ${c.cityCaseRef}</p>
    <div class="grid" role="list" aria-label="요약">
      <div class="figure" role="listitem">
        <div class="label">기록된 체납액</div>
        <div class="value">${won(c.arrears.recorded)}</div>
      </div>
      <div class="figure" role="listitem">
        <div class="label">오늘(${day(c.arrears.asOf)}) 가산금 포함 체납액</div>
        <div class="value">${won(c.arrears.projected)}</div>
      </div>
      <div class="figure" role="listitem">
        <div class="label">보유 코인 평가액 (최근 매수호가)</div>
        <div class="value">${won(c.coverage?.valueKrw)}</div>
      </div>
      <div class="figure" role="listitem">
        <div class="label">충당률</div>
        <div class="value">
          ${c.coverage ? html`${percent(c.coverage.ratio)} <span class="badge">${COVERAGE_LABEL[c.coverage.state] ?? c.coverage.state}</span>` : '—'}
        </div>
      </div>
      <div class="figure" role="listitem">
        <div class="label">매각 기한</div>
        <div class="value">${day(c.deadline)}</div>
      </div>
    </div>
    ${message ? html`<p class=${message.ok ? 'badge good' : 'error'} role=${message.ok ? 'status' : 'alert'}>${message.text}</p>` : null}

    <section class="card" aria-labelledby="actions-h">
      <h2 id="actions-h">조치</h2>
      <div class="split">
        ${
          activeHold
            ? html`<div>
                <p>
                  보류 중: ${HOLD_KIND[activeHold.kind] ?? activeHold.kind} — ${activeHold.reason}
                  (${day(activeHold.from)}부터)
                </p>
                <button
                  onClick=${() => act('보류 해제', () => api.send('DELETE', `/cases/${path}/holds/${encodeURIComponent(activeHold.holdId)}`, undefined, { city }))}
                >
                  보류 해제
                </button>
              </div>`
            : html`<form
                onSubmit=${(e: Event) => {
                  e.preventDefault();
                  const f = form(e);
                  void act('보류', () =>
                    api.send('POST', `/cases/${path}/holds`, {
                      cityId: city,
                      kind: field(f, 'kind'),
                      reason: field(f, 'reason'),
                    }),
                  );
                }}
                class="row"
              >
                <label
                  >보류 사유 구분<select name="kind">
                    ${Object.entries(HOLD_KIND).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
                  </select></label
                >
                <label>보류 사유<input name="reason" required maxlength="500" /></label>
                <button type="submit">보류</button>
              </form>`
        }
        <form
          onSubmit=${(e: Event) => {
            e.preventDefault();
            const f = form(e);
            void act('사건 취소', () =>
              api.send('POST', `/cases/${path}/cancel`, { cityId: city, reason: field(f, 'reason') }),
            );
          }}
          class="row"
        >
          <label>취소 사유<input name="reason" required maxlength="500" /></label>
          <button type="submit" class="danger">사건 취소</button>
        </form>
        <div class="actions">
          <button
            class="secondary"
            onClick=${() => act('매각 예고 통지 발송', () => api.send('POST', `/cases/${path}/pre-sale-notice`, { cityId: city }))}
          >
            매각 예고 통지 지금 발송
          </button>
          ${c.saleId && c.status === 'SELLING' ? html`<button onClick=${() => act('매각 승인', () => api.send('POST', `/cases/${path}/sales/${encodeURIComponent(c.saleId ?? '')}/approval`, { cityId: city }))}>매각 승인</button>` : null}
        </div>
        ${
          c.preSaleNotice && !c.preSaleNotice.effectiveOn
            ? html`<form
                onSubmit=${(e: Event) => {
                  e.preventDefault();
                  const f = form(e);
                  const outcome = field(f, 'outcome');
                  void act('송달 결과 기록', () =>
                    api.send(
                      'POST',
                      `/cases/${path}/notices/${encodeURIComponent(c.preSaleNotice?.noticeId ?? '')}/delivery`,
                      {
                        cityId: city,
                        outcome,
                        on: field(f, 'on'),
                        ...(outcome === 'FAILED' ? { reason: field(f, 'reason') || '반송' } : {}),
                      },
                    ),
                  );
                }}
                class="row"
              >
                <label
                  >송달 결과<select name="outcome">
                    <option value="DELIVERED">송달됨</option>
                    <option value="FAILED">송달 실패</option>
                  </select></label
                >
                <label>날짜<input name="on" type="date" required /></label>
                <label>실패 사유<input name="reason" maxlength="500" /></label>
                <button type="submit" class="secondary">송달 결과 기록</button>
              </form>`
            : null
        }
      </div>
      ${c.saleApproval ? html`<p>매각 ${c.saleApproval.saleId} 승인: ${c.saleApproval.approvals.map((a) => `${a.by} (${when(a.at)})`).join(', ') || '없음'}</p>` : null}
    </section>

    <h2>고지 내역 (체납액)</h2>
    <table>
      <caption class="visually-hidden">
        고지 내역
      </caption>
      <thead>
        <tr>
          <th>세목</th>
          <th>납기</th>
          <th class="num">체납처분비</th>
          <th class="num">본세</th>
          <th class="num">가산금</th>
          <th class="num">미납</th>
        </tr>
      </thead>
      <tbody>
        ${c.bills.map(
          (b) =>
            html`<tr>
              <td>${b.taxItem}</td>
              <td>${day(b.dueDate)}</td>
              <td class="num">${won(b.cost.outstanding)}</td>
              <td class="num">${won(b.tax.outstanding)}</td>
              <td class="num">${won(b.surcharge.outstanding)}</td>
              <td class="num">
                ${won(String(BigInt(b.cost.outstanding) + BigInt(b.tax.outstanding) + BigInt(b.surcharge.outstanding)))}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>

    <div class="split">
      <section>
        <h2>보유 코인</h2>
        <table>
          <caption class="visually-hidden">
            보유 코인
          </caption>
          <thead>
            <tr>
              <th>코인</th>
              <th class="num">압류</th>
              <th class="num">보관</th>
              <th class="num">매각</th>
              <th class="num">반환</th>
              <th class="num">최근 매수호가</th>
            </tr>
          </thead>
          <tbody>
            ${c.holdings.map(
              (h) =>
                html`<tr>
                  <td>${h.market.replace(/^KRW-/, '')}</td>
                  <td class="num">${coin(h.seized, h.market)}</td>
                  <td class="num">${coin(h.inCustody, h.market)}</td>
                  <td class="num">${coin(h.sold, h.market)}</td>
                  <td class="num">${coin(h.released, h.market)}</td>
                  <td class="num">${won(c.coverage?.prices[h.market]?.bid)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section>
        <h2>납부</h2>
        <table>
          <caption class="visually-hidden">
            납부
          </caption>
          <thead>
            <tr>
              <th>납부 번호</th>
              <th>수납일</th>
              <th class="num">금액</th>
            </tr>
          </thead>
          <tbody>
            ${
              statement.payments.length === 0
                ? html`<tr>
                    <td colspan="3">납부 없음</td>
                  </tr>`
                : statement.payments.map(
                    (p) =>
                      html`<tr>
                        <td>${p.paymentId}</td>
                        <td>${day(p.receivedOn)}</td>
                        <td class="num">${won(p.amount)}</td>
                      </tr>`,
                  )
            }
          </tbody>
        </table>
      </section>
    </div>

    <section aria-labelledby="statement-h">
      <h2 id="statement-h">명세서</h2>
      <div class="grid">
        ${Object.entries(statement.totals).map(
          ([k, v]) =>
            html`<div class="figure">
              <div class="label">${TOTAL_LABEL[k] ?? k}</div>
              <div class="value">${won(v)}</div>
            </div>`,
        )}
      </div>
      ${statement.applications.map(
        (a) =>
          html`<h3>${a.source} 충당 (${when(a.at)})</h3>
            <ul>
              ${a.allocations.map((x) => html`<li>${x.billId} ${x.component}: ${won(x.amount)}</li>`)}${a.refund !== '0' ? html`<li>환급: ${won(a.refund)}</li>` : null}
            </ul>`,
      )}
    </section>

    <section>
      <h2>통지</h2>
      ${c.preSaleNotice ? html`<p>매각 예고 통지 ${day(c.preSaleNotice.issuedOn)} 발송 · ${c.preSaleNotice.deliveredOn ? `${day(c.preSaleNotice.deliveredOn)} 송달` : c.preSaleNotice.failed ? `송달 실패 ${day(c.preSaleNotice.failed.on)} (${c.preSaleNotice.failed.reason})` : '송달 결과 대기'}${c.preSaleNotice.effectiveOn ? ` · ${day(c.preSaleNotice.effectiveOn)} 효력 발생` : ''}</p>` : null}
      ${
        notices.items.length === 0
          ? html`<p>통지 없음</p>`
          : notices.items.map(
              (n) =>
                html`<details class="card">
                  <summary>
                    ${n.title} · ${when(n.createdAt)} · ${n.status}${n.channel ? ` (${n.channel})` : ''}
                  </summary>
                  <pre class="letter">${n.body}</pre>
                </details>`,
            )
      }
    </section>

    <${TaxpayerAccessPanel} caseId=${caseId} />

    <section>
      <h2>감사 기록</h2>
      <ol class="timeline">
        ${audit.entries.map((a) => html`<li><strong>${when(a.at)}</strong> ${a.action} (${STATUS_LABEL[a.before] ?? a.before} → ${STATUS_LABEL[a.after] ?? a.after}) — ${a.actor.kind === 'OFFICER' ? `공무원 ${a.actor.id}` : a.actor.kind === 'CITY_SYSTEM' ? '시 세무 시스템' : '시스템'}${a.reason ? `: ${a.reason}` : ''}</li>`)}
      </ol>
    </section>`;
}
