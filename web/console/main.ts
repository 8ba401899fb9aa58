/**
 * The officers' console: a single page (Preact + htm) over the city's API. Routes are the URL's
 * hash (#/cases, #/cases/<id>, #/sales, #/approvals, #/city), so the static host serves one file.
 */
import '../shared/base.css';
import './console.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiClient } from '../shared/api';
import { claimsOf, saveSession, savedSession, type Session, type SignInSettings } from '../shared/cognito';
import { html } from '../shared/html';
import { Ctx, type ConsoleContext } from './context';
import { routeOf, Page, NAV } from './routes';
import { SignIn } from './sign-in';

interface ConsoleConfig {
  apiUrl: string;
  signIn: SignInSettings;
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/cases');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/cases');
    addEventListener('hashchange', on);
    // Effects run after the first paint: a hash changed before then (a link followed at once after
    // sign-in) fired no event this listener heard.
    on();
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
