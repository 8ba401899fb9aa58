/**
 * The officers' console: a single page (Preact + htm) over the city's API. Routes are the URL's
 * hash (#/cases, #/cases/<id>, #/sales, #/approvals, #/city), so the static host serves one file.
 */
import '../shared/base.css';
import './console.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiClient } from '../shared/api';
import {
  claimsOf,
  saveSession,
  savedSession,
  signIn,
  SignInError,
  type Session,
  type SignInSettings,
} from '../shared/cognito';
import { html } from '../shared/html';
import { Ctx, type ConsoleContext } from './context';
import { routeOf, Page, NAV } from './routes';

interface ConsoleConfig {
  apiUrl: string;
  signIn: SignInSettings;
}

function SignIn({ settings, onSession }: { settings: SignInSettings; onSession: (s: Session) => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : '';
    };
    setBusy(true);
    setError(undefined);
    try {
      onSession(await signIn(settings, field('username'), field('password'), field('code')));
    } catch (err) {
      setError(
        err instanceof SignInError &&
          ['NotAuthorizedException', 'CodeMismatchException', 'UserNotFoundException'].includes(err.code)
          ? '아이디, 비밀번호 또는 인증 코드가 맞지 않습니다.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  }
  return html`<main class="signin">
    <h1>체납 가상자산 관리 콘솔</h1>
    <p class="notice">세무 공무원 전용입니다. 아이디, 비밀번호와 인증 앱의 6자리 코드를 입력하세요.</p>
    <form onSubmit=${submit} class="card">
      <label>아이디<input name="username" autocomplete="username" required /></label>
      <label>비밀번호<input name="password" type="password" autocomplete="current-password" required /></label>
      <label
        >인증 코드 (OTP)<input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required
      /></label>
      <button type="submit" disabled=${busy}>로그인</button>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    </form>
  </main>`;
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/cases');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/cases');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Shell({ config, session, onSignOut }: { config: ConsoleConfig; session: Session; onSignOut: () => void }) {
  const claims = claimsOf(session.idToken);
  const claim = (name: string) => (typeof claims[name] === 'string' ? claims[name] : '');
  const cities = claim('custom:cities').split(',').filter(Boolean);
  const [city, setCity] = useState(cities[0] ?? '');
  const hash = useHash();
  const route = routeOf(hash);
  const ctx: ConsoleContext = {
    api: apiClient(config.apiUrl, () => session.idToken, onSignOut),
    city,
    cities,
    officer: session.username,
    role: Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].join(',') : claim('cognito:groups'),
    go: (h) => (location.hash = h),
  };
  return html`<${Ctx.Provider} value=${ctx}>
    <header class="top">
      <span class="brand">체납 가상자산 관리</span>
      <nav aria-label="주 메뉴">
        ${NAV.map((n) => html`<a href=${n.hash} aria-current=${route.nav === n.hash ? 'page' : undefined}>${n.label}</a>`)}
      </nav>
      <span class="who">
        ${
          cities.length > 1
            ? html`<label class="visually-hidden" for="city-select">도시</label
                ><select
                  id="city-select"
                  value=${city}
                  onChange=${(e: Event) => setCity((e.target as HTMLSelectElement).value)}
                >
                  ${cities.map((c) => html`<option value=${c}>${c}</option>`)}
                </select>`
            : html`<span class="badge">${city}</span>`
        }
        <span>${session.username}</span>
        <button class="secondary" onClick=${onSignOut}>로그아웃</button>
      </span>
    </header>
    <main id="main"><${Page} route=${route} key=${`${city}${hash}`} /></main>
  <//>`;
}

function App({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>(savedSession());
  const set = (s: Session | undefined) => {
    saveSession(s);
    setSession(s);
  };
  return session
    ? html`<${Shell} config=${config} session=${session} onSignOut=${() => set(undefined)} />`
    : html`<${SignIn} settings=${config.signIn} onSession=${set} />`;
}

async function start() {
  const config = (await (await fetch('/config.json')).json()) as ConsoleConfig;
  const root = document.getElementById('app');
  if (root) render(html`<${App} config=${config} />`, root);
}

void start();
