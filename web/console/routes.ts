/** The console's pages by the URL's hash. */
import { html } from '../shared/html';
import { ApprovalsPage } from './pages/approvals';
import { CasePage } from './pages/case';
import { CasesPage } from './pages/cases';
import { CityPage } from './pages/city';
import { DeskPage, DesksPage } from './pages/desks';
import { SalePage, SalesPage } from './pages/sales';

export interface Route {
  nav: string;
  name: string;
  params: Record<string, string>;
}

export const NAV = [
  { hash: '#/cases', label: '체납 사건' },
  { hash: '#/sales', label: '매각 실행' },
  { hash: '#/desks', label: '공동 매각' },
  { hash: '#/approvals', label: '승인·반환' },
  { hash: '#/city', label: '도시 현황' },
] as const;

export function routeOf(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(search));
  if (parts[0] === 'cases' && parts[1]) return { nav: '#/cases', name: 'case', params: { ...query, caseId: parts[1] } };
  if (parts[0] === 'sales' && parts[1] && parts[2])
    return { nav: '#/sales', name: 'sale', params: { ...query, caseId: parts[1], saleId: parts[2] } };
  if (parts[0] === 'desks' && parts[1] && parts[2])
    return { nav: '#/desks', name: 'desk', params: { ...query, market: parts[1], day: parts[2] } };
  const nav = NAV.find((n) => n.hash === `#/${parts[0] ?? ''}`);
  return nav
    ? { nav: nav.hash, name: parts[0] ?? 'cases', params: query }
    : { nav: '#/cases', name: 'cases', params: query };
}

export function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'case':
      return html`<${CasePage} params=${route.params} />`;
    case 'sales':
      return html`<${SalesPage} params=${route.params} />`;
    case 'sale':
      return html`<${SalePage} params=${route.params} />`;
    case 'desks':
      return html`<${DesksPage} params=${route.params} />`;
    case 'desk':
      return html`<${DeskPage} params=${route.params} />`;
    case 'approvals':
      return html`<${ApprovalsPage} />`;
    case 'city':
      return html`<${CityPage} />`;
    default:
      return html`<${CasesPage} params=${route.params} />`;
  }
}
