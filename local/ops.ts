/**
 * `npm run ops -- <command>`: the officers' CLI for the local stack. It talks to the running stack's
 * API (address from `.local/stack.json`, written by `npm start`) with the officer key from
 * `.local/credentials.json`, exactly as an officer's tool would call the deployed API.
 *
 *   list [STATUS]                 cases, by status (all when none given)
 *   show CASE                     state, arrears, holdings and their value, timeline, statement
 *   sales CASE                    the case's sale runs, state by state (the local console)
 *   approve CASE                  approve the case's running sale (planned at or above the threshold)
 *   hold CASE KIND REASON...      put the case on hold (APPEAL, LAWSUIT, COLLECTION_DEFERRAL, DISPOSITION_DEFERRAL)
 *   release-hold CASE HOLD        lift a hold
 *   summary                       the city's totals
 *   whoami                        which key and role this CLI uses
 * Options: OPS_COMMAND below (`npm run ops -- --help`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, ApiError } from './api-client';
import { defineCommand, helpText, parseCommandLine } from './cli';
import { readCredentials, type CredentialKey } from './credentials';
import { groupDigits, krw, table } from './format';
import { DEFAULT_STATE_DIR } from './paths';

export interface OpsContext {
  api: ApiClient;
  cityId: string;
  key: CredentialKey;
  json: boolean;
  print(line?: string): void;
}

interface CaseView {
  caseId: string;
  status: string;
  taxpayer: { ref: string };
  deadline?: string;
  saleId?: string;
  saleAttempts: number;
  refundPayable: string;
  lastError?: string;
  arrears: { recorded: string; asOf: string; projected: string };
  holdings: { market: string; seized: string; inCustody: string; sold: string; released: string; available: string }[];
  holds: { holdId: string; kind: string; reason: string; from: string; to?: string; active: boolean }[];
  coverage?: {
    state: string;
    ratio: string | null;
    valueKrw: string;
    arrearsKrw: string;
    prices: Record<string, { bid: string; at: string; flags: string[] }>;
  };
}

interface Statement {
  history: { at: string; action: string; before: string | null; after: string; by: string; reason?: string }[];
  payments: { paymentId: string; amount: string; receivedOn?: string }[];
  sales: { saleId: string; fills: { market: string; quantity: string; grossKrw: string }[]; feesKrw: string }[];
  applications: {
    source: string;
    allocations: { billId: string; component: string; amount: string }[];
    refund: string;
  }[];
  releases: { market: string; quantity: string; reason: string; status: string }[];
  notices: { noticeId: string; kind: string; createdAt: string; status: string }[];
  totals: Record<string, string>;
}

const HOLD_KINDS = ['APPEAL', 'LAWSUIT', 'COLLECTION_DEFERRAL', 'DISPOSITION_DEFERRAL'];
const coin = (market: string) => market.replace(/^KRW-/, '');

async function list(ctx: OpsContext, status?: string): Promise<void> {
  const items: { caseId: string; status: string; arrears: string; recovered: string; deadline?: string }[] = [];
  let cursor: string | undefined;
  do {
    const page: { items: typeof items; cursor?: string } = await ctx.api.get('/cases', {
      city: ctx.cityId,
      limit: '100',
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  if (ctx.json) return ctx.print(JSON.stringify(items, null, 2));
  const rows = [
    ['case', 'status', 'arrears (recorded)', 'recovered', 'deadline'],
    ...items.map((i) => [i.caseId, i.status, krw(i.arrears), krw(i.recovered), i.deadline ?? '']),
  ];
  for (const line of table(rows)) ctx.print(line);
  ctx.print(`${items.length} case(s)${status ? ` ${status}` : ''}`);
}

async function show(ctx: OpsContext, caseId: string): Promise<void> {
  const c = await ctx.api.get<CaseView>(`/cases/${caseId}`, { city: ctx.cityId });
  const st = await ctx.api.get<Statement>(`/cases/${caseId}/statement`, { city: ctx.cityId });
  if (ctx.json) return ctx.print(JSON.stringify({ case: c, statement: st }, null, 2));
  ctx.print(
    `case ${c.caseId} (taxpayer ${c.taxpayer.ref}): ${c.status}${c.deadline ? `, deadline ${c.deadline}` : ''}${c.saleId ? `, sale ${c.saleId} (attempts ${c.saleAttempts})` : ''}`,
  );
  if (c.lastError) ctx.print(`  last error: ${c.lastError}`);
  ctx.print(
    `  arrears: ${krw(c.arrears.recorded)} recorded, ${krw(c.arrears.projected)} with surcharges to ${c.arrears.asOf}; refund payable ${krw(c.refundPayable)}`,
  );
  ctx.print('  holdings:');
  for (const line of table([
    ['    coin', 'seized', 'in custody', 'sold', 'released', 'available', 'bid', 'value'],
    ...c.holdings.map((h) => {
      const price = c.coverage?.prices[h.market];
      return [
        `    ${coin(h.market)}`,
        h.seized,
        h.inCustody,
        h.sold,
        h.released,
        h.available,
        price ? groupDigits(price.bid) : '-',
        price ? krw(price.bid === '0' ? '0' : mulFloor(h.available, price.bid)) : '-',
      ];
    }),
  ]))
    ctx.print(line);
  if (c.coverage)
    ctx.print(
      `  coverage: ${c.coverage.state}${c.coverage.ratio ? ` (${c.coverage.ratio}x)` : ''}: coins worth ${krw(c.coverage.valueKrw)} against ${krw(c.coverage.arrearsKrw)}`,
    );
  for (const h of c.holds)
    ctx.print(`  hold ${h.holdId}: ${h.kind} from ${h.from}${h.to ? ` to ${h.to}` : ' (active)'}: ${h.reason}`);
  ctx.print('  timeline:');
  for (const e of st.history)
    ctx.print(
      `    ${e.at}  ${e.action.padEnd(22)} ${(e.before ?? '-').padEnd(18)} → ${e.after.padEnd(18)} ${e.by}${e.reason ? `: ${e.reason}` : ''}`,
    );
  ctx.print('  statement:');
  for (const p of st.payments)
    ctx.print(`    payment ${p.paymentId}: ${krw(p.amount)}${p.receivedOn ? ` on ${p.receivedOn}` : ''}`);
  for (const s of st.sales)
    ctx.print(
      `    sale ${s.saleId}: ${s.fills.map((f) => `${f.quantity} ${coin(f.market)} for ${krw(f.grossKrw)}`).join(', ')}; fees ${krw(s.feesKrw)}`,
    );
  for (const a of st.applications) {
    ctx.print(
      `    applied from ${a.source}: ${a.allocations.map((x) => `${x.billId} ${x.component} ${krw(x.amount)}`).join(', ')}${a.refund !== '0' ? `; refund ${krw(a.refund)}` : ''}`,
    );
  }
  for (const r of st.releases) ctx.print(`    released ${r.quantity} ${coin(r.market)} (${r.reason}, ${r.status})`);
  ctx.print(
    `    totals: ${Object.entries(st.totals)
      .map(([k, v]) => `${k} ${groupDigits(v)}`)
      .join(', ')}`,
  );
  ctx.print(`  notices: ${st.notices.map((n) => `${n.kind} (${n.status})`).join(', ') || 'none'}`);
}

/** Won value of a decimal quantity at a decimal price, floored, without a float. */
function mulFloor(quantity: string, price: string): string {
  const scale = (s: string) => {
    const [i = '0', f = ''] = s.split('.');
    return { digits: BigInt(i + f), places: f.length };
  };
  const q = scale(quantity);
  const p = scale(price);
  return ((q.digits * p.digits) / 10n ** BigInt(q.places + p.places)).toString();
}

interface SaleRuns {
  status: string;
  runs: {
    saleId: string;
    status: string;
    requestedBy?: string;
    startedAt?: string;
    endedAt?: string;
    needAtStartKrw?: string;
    outcome?: string;
    stopReason?: string;
    error?: { error: string; cause: string };
    approval?: { requestedAt: string; plannedValueKrw?: string; approvedBy?: string; approvedAt?: string };
    pauses: { at: string; market: string; reason: string; action: string }[];
    quality?: Record<string, string>;
    orders: {
      identifier: string;
      market: string;
      volume?: string;
      limitPrice?: string;
      status: string;
      executedVolume?: string;
      grossKrw?: string;
    }[];
    execution: {
      name: string;
      status: string;
      history: { at: string; type: string; state?: string; error?: string }[];
    };
  }[];
}

async function sales(ctx: OpsContext, caseId: string): Promise<void> {
  const runs = await ctx.api.get<SaleRuns>('/_local/sales', { city: ctx.cityId, case: caseId });
  if (ctx.json) return ctx.print(JSON.stringify(runs, null, 2));
  if (runs.runs.length === 0) return ctx.print(`case ${caseId} (${runs.status}) has had no sale`);
  for (const r of runs.runs) {
    ctx.print(
      `sale ${r.saleId}: ${r.status}${r.outcome ? ` → case ${r.outcome}` : ''}, requested by ${r.requestedBy ?? '?'}, need ${r.needAtStartKrw ? krw(r.needAtStartKrw) : '?'}, ${r.startedAt ?? '?'} – ${r.endedAt ?? 'running'}`,
    );
    if (r.stopReason) ctx.print(`  stopped: ${r.stopReason}`);
    if (r.error) ctx.print(`  error: ${r.error.error}: ${r.error.cause}`);
    if (r.approval)
      ctx.print(
        `  approval: planned ${r.approval.plannedValueKrw ? krw(r.approval.plannedValueKrw) : '?'}, asked ${r.approval.requestedAt}${r.approval.approvedAt ? `, approved ${r.approval.approvedAt}` : ', waiting for an officer'}`,
      );
    for (const p of r.pauses) ctx.print(`  ${p.action.toLowerCase()} ${p.at} ${coin(p.market)}: ${p.reason}`);
    for (const o of r.orders)
      ctx.print(
        `  order ${o.identifier}: ${o.volume ?? '?'} ${coin(o.market)} at ≥ ${o.limitPrice ? groupDigits(o.limitPrice) : '?'} → ${o.status}, filled ${o.executedVolume ?? '0'} for ${o.grossKrw ? krw(o.grossKrw) : '₩0'}`,
      );
    if (r.quality)
      ctx.print(
        `  quality: ${Object.entries(r.quality)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    ctx.print(`  execution ${r.execution.name} (${r.execution.status}):`);
    for (const e of r.execution.history.filter(
      (x) =>
        x.type === 'StateEntered' ||
        x.type.startsWith('Execution') ||
        x.type === 'StateFailed' ||
        x.type === 'StateRetried',
    )) {
      ctx.print(
        `    ${e.at}  ${e.type === 'StateEntered' ? (e.state ?? '') : `${e.type}${e.state ? ` ${e.state}` : ''}${e.error ? ` (${e.error})` : ''}`}`,
      );
    }
  }
}

async function approve(ctx: OpsContext, caseId: string): Promise<void> {
  const c = await ctx.api.get<CaseView>(`/cases/${caseId}`, { city: ctx.cityId });
  if (c.status !== 'SELLING' || !c.saleId) throw new Error(`case ${caseId} is ${c.status}: no running sale to approve`);
  await ctx.api.post(`/cases/${caseId}/sales/${c.saleId}/approval`, { cityId: ctx.cityId }, `ops-approve-${c.saleId}`);
  ctx.print(`sale ${c.saleId} approved; it goes on at its next check`);
}

async function hold(ctx: OpsContext, caseId: string, kind: string, reason: string): Promise<void> {
  if (!HOLD_KINDS.includes(kind)) throw new Error(`KIND must be one of ${HOLD_KINDS.join(', ')}`);
  if (!reason) throw new Error('give a reason (it goes to the audit trail)');
  const answer = await ctx.api.post<{ holdId: string; case: { status: string } }>(`/cases/${caseId}/holds`, {
    cityId: ctx.cityId,
    kind,
    reason,
  });
  ctx.print(`hold ${answer.holdId} placed; case ${caseId} is ${answer.case.status}`);
}

async function releaseHold(ctx: OpsContext, caseId: string, holdId: string): Promise<void> {
  const c = await ctx.api.delete<{ status: string; deadline?: string }>(`/cases/${caseId}/holds/${holdId}`, {
    city: ctx.cityId,
  });
  ctx.print(`hold ${holdId} lifted; case ${caseId} is ${c.status}${c.deadline ? `, deadline ${c.deadline}` : ''}`);
}

async function summary(ctx: OpsContext): Promise<void> {
  const s = await ctx.api.get<{
    asOf: string;
    cases: { total: number; byStatus: Record<string, number> };
    arrearsOutstanding: string;
    recoveredToDate: string;
    refundPayable: string;
    holdings: { market: string; available: string; valueKrw: string | null }[];
  }>('/reports/summary', { city: ctx.cityId });
  if (ctx.json) return ctx.print(JSON.stringify(s, null, 2));
  ctx.print(
    `${ctx.cityId} as of ${s.asOf}: ${s.cases.total} cases (${Object.entries(s.cases.byStatus)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  ctx.print(
    `  arrears outstanding ${krw(s.arrearsOutstanding)}, recovered ${krw(s.recoveredToDate)}, refunds payable ${krw(s.refundPayable)}`,
  );
  for (const h of s.holdings)
    ctx.print(`  in custody: ${h.available} ${coin(h.market)}${h.valueKrw ? ` (${krw(h.valueKrw)})` : ''}`);
}

export const OPS_COMMAND = defineCommand({
  name: 'npm run ops',
  synopsis: '[options] COMMAND [ARGS...]',
  about:
    "The officers' CLI for the local stack (`npm start`): it calls the running stack's API with the officer key, as an officer's tool calls the deployed API.",
  options: {
    city: { type: 'string', value: 'ID', description: 'the city (default: the stack’s first)' },
    api: {
      type: 'string',
      value: 'URL',
      description: 'the API (default: the running stack’s, from .local/stack.json)',
    },
    key: {
      type: 'string',
      value: 'NAME',
      description: 'a key name from the credentials file (default: the officer key)',
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: `where the stack keeps its state (default ${DEFAULT_STATE_DIR})`,
    },
    json: { type: 'boolean', description: 'print the API’s answers as JSON' },
  },
  positionals: true,
  more: [
    'commands:',
    '  list [STATUS]                 cases, by status (all when none given)',
    '  show CASE                     state, arrears, holdings and their value, timeline, statement',
    '  sales CASE                    the case’s sale runs, state by state (the local console)',
    '  approve CASE                  approve the case’s running sale (planned at or above the threshold)',
    `  hold CASE KIND REASON...      put the case on hold (${HOLD_KINDS.join(', ')})`,
    '  release-hold CASE HOLD        lift a hold',
    '  summary                       the city’s totals',
    '  whoami                        which key and role this CLI uses',
    '  help                          this help',
  ].join('\n'),
  read: (v, positionals) => ({
    city: v.city,
    api: v.api,
    key: v.key,
    state: v['state-dir'] ?? DEFAULT_STATE_DIR,
    json: v.json ?? false,
    positionals,
  }),
});

export async function runOps(
  argv: string[],
  print: (line?: string) => void = (l = '') => process.stdout.write(`${l}\n`),
): Promise<number> {
  const parsed = parseCommandLine(OPS_COMMAND, argv);
  if (parsed.kind === 'error') {
    print(`npm run ops: ${parsed.message} (see npm run ops -- --help)`);
    return 2;
  }
  const help = helpText(OPS_COMMAND);
  if (parsed.kind === 'help') {
    print(help.trimEnd());
    return 0;
  }
  const opts = parsed.args;
  const [command = 'help', ...rest] = opts.positionals;
  if (command === 'help') {
    print(help.trimEnd());
    return 0;
  }
  let stack: { apiUrl?: string; cities?: string[] } = {};
  try {
    stack = JSON.parse(readFileSync(join(opts.state, 'stack.json'), 'utf8')) as typeof stack;
  } catch {
    if (!opts.api) {
      print('no running local stack found (.local/stack.json): start it with `npm start`, or pass --api URL');
      return 2;
    }
  }
  const credentials = readCredentials(join(opts.state, 'credentials.json'));
  const cityId = opts.city ?? stack.cities?.[0] ?? 'cheongju';
  // An officer acts for their own city only: the first officer key of the city asked for.
  const key = opts.key
    ? credentials.keys.find((k) => k.name === opts.key)
    : credentials.keys.find((k) => k.role === 'OFFICER' && k.cities.includes(cityId));
  if (!key) {
    print(
      opts.key
        ? `no key named ${opts.key} in the credentials file`
        : `the credentials file has no officer key for ${cityId}`,
    );
    return 2;
  }
  const ctx: OpsContext = {
    api: new ApiClient({ baseUrl: opts.api ?? stack.apiUrl ?? '', key: key.key }),
    cityId,
    key,
    json: opts.json,
    print,
  };
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new Error(`${command} needs ${what} (npm run ops -- help)`);
    return value;
  };
  try {
    switch (command) {
      case 'list':
        await list(ctx, rest[0]?.toUpperCase());
        break;
      case 'show':
        await show(ctx, need(rest[0], 'a case id'));
        break;
      case 'sales':
        await sales(ctx, need(rest[0], 'a case id'));
        break;
      case 'approve':
        await approve(ctx, need(rest[0], 'a case id'));
        break;
      case 'hold':
        await hold(ctx, need(rest[0], 'a case id'), need(rest[1], 'a kind').toUpperCase(), rest.slice(2).join(' '));
        break;
      case 'release-hold':
        await releaseHold(ctx, need(rest[0], 'a case id'), need(rest[1], 'a hold id'));
        break;
      case 'summary':
        await summary(ctx);
        break;
      case 'whoami':
        print(`key ${key.name}: ${key.role} (${key.roleArn}); API ${opts.api ?? stack.apiUrl}; city ${ctx.cityId}`);
        break;
      default:
        print(`unknown command ${command} (npm run ops -- help)`);
        return 2;
    }
    return 0;
  } catch (error) {
    print(error instanceof ApiError ? `refused: ${error.message}` : `failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void runOps(process.argv.slice(2)).then((code) => process.exit(code));
}
