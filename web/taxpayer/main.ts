/**
 * The taxpayer's self-service page (docs/SELF_SERVICE.md), reached from the pre-sale notice's link
 * or QR code (`…/t/#<code>`): the second check (date of birth), then what is owed today and how it
 * grows, the coins and their value, the deadline, how to pay, a sale asked for now with an optional
 * floor (the plan shown before confirming, then its progress and result), and how to object.
 * One column, phone first. The session lives in this tab only (sessionStorage, 15 minutes).
 */
import '../shared/base.css';
import './taxpayer.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiClient, ApiProblem, type ApiClient } from '../shared/api';
import { coin, day, group, when, won } from '../shared/format';
import { html } from '../shared/html';

interface Config {
  apiUrl: string;
}

interface Statement {
  asOf: string;
  city: {
    name: string;
    department: string;
    phone: string;
    paymentGuide: string;
    payment?: { accounts: { bank: string; number: string; holder: string }[]; onlineUrl?: string; inPerson?: string };
    exchangeName: string;
    returnedTo: string;
  };
  taxpayerName: string;
  caseRef: string;
  status: string;
  deadline?: string;
  deadlineRule?: string;
  bills: {
    billId: string;
    taxItem: string;
    dueDate: string;
    cost: string;
    tax: string;
    surcharge: string;
    total: string;
  }[];
  owedToday: string;
  projection: { on: string; label: 'TODAY' | 'DEADLINE' | 'AFTER'; owed: string }[];
  coins: {
    market: string;
    coin: string;
    coinName?: string;
    quantity: string;
    bid?: string;
    value?: string;
    pricedAt?: string;
  }[];
  coinsValue: string;
  payments: { amount: string; receivedOn?: string }[];
  saleRequest?: { requestedAt: string; limitPrices: Record<string, string> };
  sale?: {
    state: 'WAITING' | 'SELLING' | 'SETTLED' | 'SHORTFALL';
    soldSoFar: { market: string; quantity: string; grossKrw: string }[];
    netSoFar: string;
  };
  settlement?: { grossKrw: string; feesKrw: string; allocated: string; refunded: string };
  refundPayable: string;
  refundGuide: string;
  releases: { market: string; quantity: string; reason: string; status: string }[];
  holds: { kind: string; from: string; active: boolean }[];
  canRequestSale: boolean;
  saleRefusal?: string;
  objection: string[];
}

interface Preview {
  owed: string;
  legs: { market: string; quantity: string; estimatedNetKrw: string }[];
  estimatedProceeds: string;
  estimatedRefund: string;
  shortfall: string;
  returned: { market: string; quantity: string }[];
  belowFloor: string[];
  unpriced: string[];
}

const SESSION_KEY = 'taxpayer-session';
const savedSession = (): string | undefined => sessionStorage.getItem(SESSION_KEY) ?? undefined;

const STATUS: Record<string, string> = {
  IN_CUSTODY: '압류 가상자산 보관 중',
  NOTICE_SENT: '매각 예정 통지',
  DUE: '매각 대기',
  SELLING: '매각 진행 중',
  SETTLED: '매각 완료(체납액 충당)',
  SHORTFALL: '매각 완료(남은 체납액 있음)',
  PAID: '납부 완료',
  ON_HOLD: '매각 보류',
  CANCELLED: '취소',
};
const REFUSAL: Record<string, string> = {
  CLOSED: '이 사건은 끝났습니다.',
  NOTHING_OWED: '남은 체납액이 없습니다.',
  ON_HOLD: '매각이 보류되어 있습니다.',
  ALREADY_REQUESTED: '매각이 이미 요청되었습니다.',
  NO_COINS: '매각할 가상자산이 없습니다.',
  NOT_YET: '아직 가상자산이 시 계정으로 옮겨지지 않았습니다.',
};
const RELEASE: Record<string, string> = {
  PAID: '납부 완료',
  CANCELLED: '취소',
  SURPLUS: '매각 후 남은 수량',
  DUST: '최소 주문 단위 미만',
};
const label = (c: { coin: string; coinName?: string }) => (c.coinName ? `${c.coinName}(${c.coin})` : c.coin);

function Check({ api, onSession }: { api: ApiClient; onSession: (s: string) => void }) {
  const [code, setCode] = useState(decodeURIComponent(location.hash.replace(/^#/, '')));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The code stays out of the address bar (and of any screenshot or shared tab) once read.
    if (location.hash) history.replaceState(null, '', location.pathname);
  }, []);
  async function submit(e: Event) {
    e.preventDefault();
    const value = new FormData(e.currentTarget as HTMLFormElement).get('birthDate');
    const birth = typeof value === 'string' ? value : '';
    setBusy(true);
    setError(undefined);
    try {
      const { session } = await api.send<{ session: string }>('POST', '/taxpayer/sessions', { code, birthDate: birth });
      onSession(session);
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.problem.detail ?? err.message) : '잠시 후 다시 시도해 주십시오.');
    } finally {
      setBusy(false);
    }
  }
  return html`<main>
    <h1>체납액 확인과 매각 요청</h1>
    <p class="lead">
      매각 예정 통지서의 확인 번호와 생년월일로 본인임을 확인합니다. 통지서에 적힌 내용 외의 개인정보는 보여 드리지
      않습니다.
    </p>
    <form class="card" onSubmit=${submit}>
      <label
        >확인 번호<input
          name="code"
          value=${code}
          onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)}
          autocomplete="off"
          required
      /></label>
      <label>생년월일<input name="birthDate" type="date" required /></label>
      <button type="submit" disabled=${busy}>확인</button>
      ${error ? html`<p class="alert" role="alert">${error}</p>` : null}
    </form>
  </main>`;
}

function SellPanel({ api, s, onRequested }: { api: ApiClient; s: Statement; onRequested: () => void }) {
  const [floors, setFloors] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState<Preview | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (market: string, value: string) => {
    setPlan(undefined);
    setFloors({ ...floors, [market]: value.replace(/[,\s]/g, '') });
  };
  const given = () => Object.fromEntries(Object.entries(floors).filter(([, v]) => v !== ''));
  async function preview(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const floor = Object.entries(given())
        .map(([m, p]) => `${m}:${p}`)
        .join(',');
      setPlan(await api.get<Preview>('/taxpayer/sale-preview', { floor }));
    } catch (err) {
      setError(
        err instanceof ApiProblem ? '최저 가격은 0보다 큰 숫자로 적어 주십시오.' : '잠시 후 다시 시도해 주십시오.',
      );
    } finally {
      setBusy(false);
    }
  }
  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await api.send('POST', '/taxpayer/sale-requests', { limitPrices: given() });
      onRequested();
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.problem.detail ?? err.message) : '잠시 후 다시 시도해 주십시오.');
    } finally {
      setBusy(false);
    }
  }
  return html`<section class="card" aria-labelledby="sell">
    <h2 id="sell">지금 매각 요청하기</h2>
    <p>
      납부기한 전이라도 원하시면 지금 매각하여 체납액에 충당합니다. 체납액을 채우는 만큼만 팔고, 남는 가상자산은
      ${s.city.returnedTo}(으)로 돌려드리며, 충당하고 남은 돈은 환급합니다. 가상자산별로 최저 가격을 정하시면 그보다
      낮게는 팔지 않습니다.
    </p>
    <form onSubmit=${preview}>
      ${s.coins.map(
        (c) =>
          html`<label
            >${label(c)} 최저 가격(원, 선택)<input
              inputmode="numeric"
              name=${`floor-${c.market}`}
              value=${floors[c.market] ?? ''}
              onInput=${(e: Event) => set(c.market, (e.target as HTMLInputElement).value)}
              placeholder=${c.bid ? `현재 ${group(c.bid)}` : ''}
          /></label>`,
      )}
      <button type="submit" disabled=${busy}>매각 계획 보기</button>
    </form>
    ${
      plan
        ? html`<div aria-live="polite">
            <h3>매각 계획 (오늘 시세 기준 예상)</h3>
            <dl>
              <dt>오늘 체납액</dt>
              <dd>${won(plan.owed)}</dd>
              ${plan.legs.map(
                (l) =>
                  html`<dt>매각 수량</dt>
                    <dd>${coin(l.quantity, l.market)} → 약 ${won(l.estimatedNetKrw)}</dd>`,
              )}
              <dt>예상 매각대금(수수료 뺀 금액)</dt>
              <dd>${won(plan.estimatedProceeds)}</dd>
              <dt>예상 환급액</dt>
              <dd>${won(plan.estimatedRefund)}</dd>
              ${
                plan.shortfall !== '0'
                  ? html`<dt>남을 체납액</dt>
                      <dd>${won(plan.shortfall)}</dd>`
                  : null
              }
              <dt>돌려받을 가상자산</dt>
              <dd>
                ${plan.returned.length ? plan.returned.map((r) => coin(r.quantity, r.market)).join(', ') : '없음'}
              </dd>
            </dl>
            ${plan.belowFloor.length ? html`<p class="alert">최저 가격이 지금 시세보다 높아 ${plan.belowFloor.join(', ')}은(는) 시세가 오를 때까지 팔리지 않습니다.</p>` : null}
            <p class="lead">실제 금액은 매각할 때의 시세에 따라 달라질 수 있습니다.</p>
            <button onClick=${confirm} disabled=${busy}>이대로 매각 요청</button>
          </div>`
        : null
    }
    ${error ? html`<p class="alert" role="alert">${error}</p>` : null}
  </section>`;
}

function StatementView({ api, onExpired }: { api: ApiClient; onExpired: () => void }) {
  const [s, setS] = useState<Statement | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [requested, setRequested] = useState(false);
  async function load() {
    try {
      setS(await api.get<Statement>('/taxpayer/statement'));
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 401) onExpired();
      else setError('내용을 불러오지 못했습니다. 잠시 후 다시 시도해 주십시오.');
    }
  }
  useEffect(() => {
    void load();
  }, []);
  // While a sale is waiting or running, the page follows it.
  const following = s?.sale && (s.sale.state === 'WAITING' || s.sale.state === 'SELLING');
  useEffect(() => {
    if (!following) return;
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [following]);
  if (error) return html`<main><p class="alert" role="alert">${error}</p></main>`;
  if (!s) return html`<main><p aria-busy="true">불러오는 중…</p></main>`;
  const deadline = s.projection.find((p) => p.label === 'DEADLINE');
  return html`<header class="city"><p>${s.city.name} ${s.city.department}</p></header>
    <main>
      <h1>${s.taxpayerName} 님의 체납액과 압류 가상자산</h1>
      <p class="lead">사건번호 ${s.caseRef} · ${day(s.asOf)} 기준 · 상태: ${STATUS[s.status] ?? s.status}</p>
      ${requested ? html`<p class="ok" role="status">매각 요청을 받았습니다. 진행 상황을 이 화면에서 보실 수 있습니다.</p>` : null}

      <section class="card" aria-labelledby="owed">
        <h2 id="owed">오늘 납부하실 금액</h2>
        <p class="total">${won(s.owedToday)}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="고지별 체납액">
          <table>
            <caption class="visually-hidden">
              고지별 체납액
            </caption>
            <thead>
              <tr>
                <th scope="col">세목</th>
                <th scope="col">당초 납부기한</th>
                <th scope="col" class="num">본세</th>
                <th scope="col" class="num">가산세</th>
                <th scope="col" class="num">체납처분비</th>
                <th scope="col" class="num">합계</th>
              </tr>
            </thead>
            <tbody>
              ${s.bills.map(
                (b) =>
                  html`<tr>
                    <td>${b.taxItem}</td>
                    <td>${day(b.dueDate)}</td>
                    <td class="num">${won(b.tax)}</td>
                    <td class="num">${won(b.surcharge)}</td>
                    <td class="num">${won(b.cost)}</td>
                    <td class="num">${won(b.total)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <h3>납부하지 않으시면 늘어나는 금액</h3>
        <div class="table-wrap" tabindex="0" role="region" aria-label="날짜별 예상 체납액">
          <table>
            <caption class="visually-hidden">
              날짜별 예상 체납액
            </caption>
            <thead>
              <tr>
                <th scope="col">날짜</th>
                <th scope="col" class="num">납부하실 금액</th>
              </tr>
            </thead>
            <tbody>
              ${s.projection.map(
                (p) =>
                  html`<tr>
                    <td>
                      ${day(p.on)}${p.label === 'TODAY' ? ' (오늘)' : p.label === 'DEADLINE' ? ' (납부기한)' : ''}
                    </td>
                    <td class="num">${won(p.owed)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p class="lead">납부지연가산세는 매달 더해집니다(지방세기본법 제55조).</p>
      </section>

      <section class="card" aria-labelledby="deadline">
        <h2 id="deadline">납부기한과 그 뒤의 절차</h2>
        <p>
          ${s.deadline ? html`납부기한은 <strong>${day(s.deadline)}</strong>입니다${deadline ? ` (그날 납부하실 금액 ${won(deadline.owed)})` : ''}.` : s.deadlineRule}
        </p>
        <p>
          납부기한까지 납부하지 않으시면 기한이 지난 뒤 체납액에 충당하는 데 필요한 만큼만 시장 가격에 가깝게 나누어
          매각합니다. 남은 가상자산은 돌려드리고, 남은 매각대금은 환급합니다.
        </p>
      </section>

      <section class="card" aria-labelledby="coins">
        <h2 id="coins">압류 가상자산과 현재 가치</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="압류 가상자산">
          <table>
            <caption class="visually-hidden">
              압류 가상자산
            </caption>
            <thead>
              <tr>
                <th scope="col">가상자산</th>
                <th scope="col" class="num">수량</th>
                <th scope="col" class="num">현재 매수호가</th>
                <th scope="col" class="num">가치</th>
              </tr>
            </thead>
            <tbody>
              ${s.coins.map(
                (c) =>
                  html`<tr>
                    <td>${label(c)}</td>
                    <td class="num">${group(c.quantity)}</td>
                    <td class="num">${c.bid ? won(c.bid) : '—'}</td>
                    <td class="num">${c.value ? won(c.value) : '시세 없음'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p>
          합계 <strong>${won(s.coinsValue)}</strong> (${s.city.exchangeName} 매수호가
          기준${s.coins[0]?.pricedAt ? `, ${when(s.coins[0].pricedAt)}` : ''}). 시세는 수시로 바뀝니다.
        </p>
      </section>

      ${
        s.sale
          ? html`<section class="card" aria-labelledby="sale" aria-live="polite">
              <h2 id="sale">매각 진행 상황</h2>
              <p>
                <strong
                  >${{ WAITING: '매각 준비 중입니다.', SELLING: '매각하고 있습니다.', SETTLED: '매각을 마치고 체납액에 충당했습니다.', SHORTFALL: '매각을 마쳤으나 체납액이 남았습니다.' }[s.sale.state]}</strong
                >
              </p>
              ${
                s.saleRequest
                  ? html`<p>
                      요청 일시
                      ${when(s.saleRequest.requestedAt)}${Object.entries(s.saleRequest.limitPrices)
                        .map(([m, p]) => `, ${m.replace('KRW-', '')} 최저 ${won(p)}`)
                        .join('')}
                    </p>`
                  : null
              }
              ${s.sale.soldSoFar.length ? html`<p>지금까지 매각: ${s.sale.soldSoFar.map((x) => `${coin(x.quantity, x.market)} (${won(x.grossKrw.split('.')[0])})`).join(', ')}</p>` : null}
              ${
                s.settlement
                  ? html`<dl>
                      <dt>매각대금</dt>
                      <dd>${won(s.settlement.grossKrw.split('.')[0])}</dd>
                      <dt>수수료</dt>
                      <dd>${won(s.settlement.feesKrw.split('.')[0])}</dd>
                      <dt>체납액 충당</dt>
                      <dd>${won(s.settlement.allocated)}</dd>
                      <dt>환급</dt>
                      <dd>${won(s.settlement.refunded)}</dd>
                    </dl>`
                  : null
              }
            </section>`
          : null
      }
      ${
        s.refundPayable !== '0' || s.releases.length
          ? html`<section class="card" aria-labelledby="back">
              <h2 id="back">돌려받으실 돈과 가상자산</h2>
              ${s.refundPayable !== '0' ? html`<p>환급액 <strong>${won(s.refundPayable)}</strong>. ${s.refundGuide}</p>` : null}
              ${
                s.releases.length
                  ? html`<ul>
                      ${s.releases.map((r) => html`<li>${coin(r.quantity, r.market)}: ${RELEASE[r.reason] ?? r.reason}, ${s.city.returnedTo}(으)로 압류 해제</li>`)}
                    </ul>`
                  : null
              }
            </section>`
          : null
      }

      <section class="card" aria-labelledby="pay">
        <h2 id="pay">납부 방법</h2>
        <p>${s.city.paymentGuide}</p>
        ${
          s.city.payment?.accounts.length
            ? html`<ul>
                ${s.city.payment.accounts.map((a) => html`<li>${a.bank} ${a.number} (예금주 ${a.holder})</li>`)}
              </ul>`
            : null
        }
        ${s.city.payment?.onlineUrl ? html`<p>인터넷 납부: <a href=${s.city.payment.onlineUrl} rel="noopener noreferrer">${s.city.payment.onlineUrl}</a></p>` : null}
        ${s.city.payment?.inPerson ? html`<p>방문 납부: ${s.city.payment.inPerson}</p>` : null}
        <p>
          체납액을 모두 납부하시면 압류를 해제하고 가상자산을 돌려드립니다. 시에서 납부를 확인하면 이 화면에 나타납니다.
        </p>
        ${
          s.payments.length
            ? html`<h3>확인된 납부</h3>
                <ul>
                  ${s.payments.map((p) => html`<li>${p.receivedOn ? day(p.receivedOn) : ''} ${won(p.amount)}</li>`)}
                </ul>`
            : null
        }
      </section>

      ${
        s.canRequestSale
          ? html`<${SellPanel}
              api=${api}
              s=${s}
              onRequested=${() => {
                setRequested(true);
                void load();
              }}
            />`
          : s.saleRefusal && !s.sale
            ? html`<section class="card">
                <h2>매각 요청</h2>
                <p>${REFUSAL[s.saleRefusal] ?? s.saleRefusal}</p>
              </section>`
            : null
      }

      <section class="card" aria-labelledby="objection">
        <h2 id="objection">이의가 있거나 매각을 멈추어야 할 사정이 있으시면</h2>
        ${s.objection.filter((l) => !l.startsWith('■')).map((l) => html`<p>${l}</p>`)}
        ${s.holds.some((h) => h.active) ? html`<p class="ok">현재 매각이 보류되어 있습니다.</p>` : null}
      </section>

      <section class="card" aria-labelledby="contact">
        <h2 id="contact">문의</h2>
        <p>${s.city.name} ${s.city.department} <a href=${`tel:${s.city.phone}`}>${s.city.phone}</a></p>
      </section>
    </main>`;
}

function App({ config }: { config: Config }) {
  const [session, setSession] = useState<string | undefined>(savedSession());
  const set = (s: string | undefined) => {
    if (s) sessionStorage.setItem(SESSION_KEY, s);
    else sessionStorage.removeItem(SESSION_KEY);
    setSession(s);
  };
  const api = apiClient(config.apiUrl, () => session);
  return session
    ? html`<${StatementView} api=${api} onExpired=${() => set(undefined)} />`
    : html`<${Check} api=${api} onSession=${set} />`;
}

async function start() {
  const config = (await (await fetch('/config.json')).json()) as Config;
  const root = document.getElementById('app');
  if (root) render(html`<${App} config=${config} />`, root);
}

void start();
