import { kstDate } from '#domain/dates';
/**
 * The local stack end to end: started as `npm start` starts it (DynamoDB Local, local SQS and S3,
 * local SES, the exchange simulator, the API on localhost, schedules on the shared clock), checked
 * against the synthesized template (it runs exactly what the stack deploys), one case driven
 * through the HTTP API with the local credentials to settlement, then stopped with nothing left running.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentials } from '../../local/credentials';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runOps } from '../../local/ops';
import { readStatements, summarize } from '../../local/summary';
import { runTimeline } from '../../local/timeline';
import { readS3PrintBatch, S3PrintBatchChannel } from '#adapters/notice-channels/index';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOfType, synthesizedTemplate } from '../infra/helpers';

// DynamoDB Local's start and, on a fresh clone, one CDK synth of the sale state machine (cached after).
jest.setTimeout(120_000);

const CITY = 'cheongju';
const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local stack', () => {
  let stack: LocalStack | undefined;
  let stateDir: string;
  let pids: (number | undefined)[] = [];
  let sesEndpoint = '';

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    stack = await startLocalStack({ start: '2026-09-14T10:00:00+09:00', stateDir, preSaleNoticeAfterCustodyDays: 0 });
    pids = [stack.dynamodb.pid, stack.sqs.pid];
    sesEndpoint = stack.ses.endpoint;
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const s = () => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  it('creates a credentials file naming each city’s keys, and refuses a request without a valid key', async () => {
    const credentials = readCredentials(join(stateDir, 'credentials.json'));
    // Per city its system and three officers (four eyes; releases need two), and an auditor of both cities.
    expect(credentials.keys.map((k) => `${k.role}:${k.cities.join('+')}`).sort()).toEqual([
      'AUDITOR:cheongju+sejong',
      'CITY_SYSTEM:cheongju',
      'CITY_SYSTEM:sejong',
      ...Array(3).fill('OFFICER:cheongju'),
      ...Array(3).fill('OFFICER:sejong'),
    ]);
    const bare = await fetch(`${s().api.url}/cases?city=${CITY}`);
    expect(bare.status).toBe(401);
    const wrong = await fetch(`${s().api.url}/cases?city=${CITY}`, {
      headers: { authorization: 'Bearer not-a-key-of-this-stack-0000000000' },
    });
    expect(wrong.status).toBe(401);
    // An officer may not register a case: the role comes from the key, never a default.
    await expect(
      s().officer.post('/cases', { cityId: CITY, taxpayer: { ref: 'T-1', name: '김납세' }, bills: [] }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('runs exactly the schedules, queue consumers, state machines and API routes the stack deploys, no more, no fewer', () => {
    const { stack } = buildTestApp();
    const template = Template.fromJSON(synthesizedTemplate());
    type Props = Record<string, unknown>;
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const serviceOf = (ref: unknown): string => {
      // A function is named by its Powertools service name (the folder under functions/).
      const id =
        (ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] }).Ref ??
        (ref as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const env = (functions[id]?.Properties?.Environment as { Variables: Props } | undefined)?.Variables;
      const name = env?.POWERTOOLS_SERVICE_NAME;
      return typeof name === 'string' ? name : `unknown ${id}`;
    };
    const queueIds: Record<string, string> = {
      [stack.getLogicalId(stack.queues.noticeDispatch.node.defaultChild as never)]: 'noticeDispatch',
      [stack.getLogicalId(stack.queues.saleRequest.node.defaultChild as never)]: 'saleRequest',
    };
    const deployed = {
      schedules: Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule'))
        .map((r) => r.Properties as Props & { Target: { Arn: unknown } })
        .map(
          (p) => `${serviceOf(p.Target.Arn)} ${String(p.ScheduleExpression)} ${String(p.ScheduleExpressionTimezone)}`,
        ),
      consumers: Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'))
        .map((r) => r.Properties as Props & { EventSourceArn: { 'Fn::GetAtt': [string, string] } })
        .map((p) => `${serviceOf(p.FunctionName)} ${queueIds[p.EventSourceArn['Fn::GetAtt'][0]] ?? 'unknown queue'}`),
      stateMachines: Object.keys(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).map((id) =>
        id === stack.getLogicalId(stack.sales.workflow.stateMachine.node.defaultChild as never)
          ? 'sale'
          : id === stack.getLogicalId(stack.sales.workflow.deskStateMachine.node.defaultChild as never)
            ? 'sale-desk'
            : id,
      ),
      routes: apiRoutes(template),
    };
    const local = s().deployed;
    const sorted = (xs: string[]) => [...xs].sort();
    expect(sorted(local.schedules.map((x) => `${x.function} ${x.expression} ${x.timezone}`))).toEqual(
      sorted(deployed.schedules),
    );
    expect(sorted(local.consumers.map((x) => `${x.function} ${x.queue}`))).toEqual(sorted(deployed.consumers));
    expect(sorted(local.stateMachines)).toEqual(sorted(deployed.stateMachines));
    expect(sorted(local.routes.map((r) => `${r.method} ${r.path}`))).toEqual(sorted(deployed.routes));
    // Every recurring job of the local scheduler is one of them (the demo's people act through the API).
    expect(sorted(s().scheduler.jobNames())).toEqual(sorted(local.schedules.map((x) => x.function)));
  });

  it('drives one case through the API to settlement by a sale, its letters in the day’s print batches on the local S3', async () => {
    const { city, officer } = s();
    const registered = await city.post<{ caseId: string; status: string }>('/cases', {
      cityId: CITY,
      cityCaseRef: 'CJ-LOCAL-1',
      taxpayer: {
        ref: 'TP-LOCAL-1',
        name: '김납세',
        contact: { phone: '010-0000-0001', address: '충청북도 청주시 상당구 상당로 155' },
      },
      bills: [
        {
          billId: 'B-2025-1',
          taxItem: '지방소득세',
          dueDate: '2025-05-31',
          cost: '5000',
          tax: '1200000',
          surcharge: '36000',
          surchargeAsOf: '2026-08-31',
        },
      ],
    });
    const caseId = registered.caseId;
    const bids = await s().bids(['KRW-ETH']);
    const quantity = '2.50000000';
    expect(bids['KRW-ETH']?.mul(quantity).gt('3000000')).toBe(true);
    await city.post(`/cases/${caseId}/seizures`, { cityId: CITY, seizures: [{ market: 'KRW-ETH', quantity }] });
    s().exchange.accounts.credit('ETH', quantity, s().exchangeKeys.accessKey);
    const custody = await city.post<{ status: string }>(`/cases/${caseId}/custody`, {
      cityId: CITY,
      market: 'KRW-ETH',
      quantity,
    });
    expect(custody.status).toBe('IN_CUSTODY');

    // The next morning the pre-sale notice goes out; two days later the taxpayer asks the city to sell now.
    await runTimeline(s(), { until: new Date('2026-09-15T09:30:00+09:00') });
    expect((await officer.get<{ status: string }>(`/cases/${caseId}`, { city: CITY })).status).toBe('NOTICE_SENT');
    s().scheduler.at(new Date('2026-09-17T11:00:00+09:00'), 'sale request', () =>
      city.post(`/cases/${caseId}/sale-requests`, {
        cityId: CITY,
        limitPrices: {},
        evidence: { relayedBy: 'clerk-7', receivedAt: '2026-09-17T10:30:00+09:00', channel: 'IN_PERSON' },
      }),
    );
    await runTimeline(s(), {
      until: new Date('2026-09-18T12:00:00+09:00'),
      done: async () => (await s().store.get(CITY, caseId))?.status === 'SETTLED' && (await s().pendingNotices()) === 0,
    });

    const statement = await officer.get<{
      status: string;
      totals: { outstanding: string; allocated: string; saleGrossKrw: string };
      releases: { market: string; reason: string }[];
      sales: unknown[];
    }>(`/cases/${caseId}/statement`, { city: CITY });
    expect(statement.status).toBe('SETTLED');
    expect(statement.totals.outstanding).toBe('0');
    expect(statement.sales).toHaveLength(1);
    // Only what the arrears needed was sold: the rest of the ETH goes back.
    expect(statement.releases).toEqual([expect.objectContaining({ market: 'KRW-ETH', reason: 'SURPLUS' })]);

    const summary = summarize(CITY, await readStatements(s().store, CITY));
    expect(summary).toMatchObject({ cases: 1, byState: { SETTLED: 1 }, balanced: true });
    expect(summary.recoveredKrw).toBe(statement.totals.allocated);
    expect(summary.saleQuality).toMatchObject({ sales: 1, measured: 1 });

    // The sale ran on the synthesized state machine: the officers' console shows it state by state.
    const runs = await officer.get<{
      runs: { status: string; orders: unknown[]; execution: { status: string; history: { state?: string }[] } }[];
    }>('/_local/sales', { city: CITY, case: caseId });
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]?.execution.status).toBe('SUCCEEDED');
    const states = runs.runs[0]?.execution.history.map((e) => e.state) ?? [];
    expect(states).toEqual(
      expect.arrayContaining(['LoadCase', 'QuoteMarket', 'JoinDesk', 'ReadDeskShare', 'Settle', 'NotifyResult']),
    );
    // While in the desk, one step per look (the desk checks the case on its turns): no CheckSaleAllowed
    // between its last joining and its last look.
    const inDesk = states.slice(states.lastIndexOf('JoinDesk'), states.lastIndexOf('ReadDeskShare'));
    expect(inDesk).toContain('WaitInDesk');
    expect(inDesk).not.toContain('CheckSaleAllowed');
    // It sold through the market's desk: the desk's own execution, from the desk's synthesized definition.
    const deskRuns = [...(s().workflow.deskStarter?.executions.values() ?? [])];
    // (Run again, `_r<n>`, when the case joined again for the rest of its need after the desk ended.)
    expect(deskRuns.length).toBeGreaterThan(0);
    for (const run of deskRuns) {
      expect(run.name).toMatch(/^cheongju_desk_KRW-ETH_2026091[78](_r\d+)?$/);
      expect(run.status).toBe('SUCCEEDED');
    }
    const deskStates = s()
      .workflow.history(deskRuns[0]!.name)
      .map((e) => e.state);
    expect(deskStates).toEqual(
      expect.arrayContaining(['PlanDeskSlice', 'PlaceDeskOrder', 'ReconcileDeskOrder', 'DeskEnded']),
    );
    expect(
      s()
        .exchange.orders.all()
        .every((o) => o.identifier?.startsWith('cheongju.desk.KRW-ETH.')),
    ).toBe(true);
    expect(s().exchange.orders.all().length).toBe(runs.runs[0]?.orders.length);

    // Every notice went into a print batch of its day (seizure ×2, one to the exchange; pre-sale; sale result).
    expect(await s().pendingNotices()).toBe(0);
    expect(summary.notices.byKind).toMatchObject({ SEIZURE: 2, PRE_SALE: 1, SALE_RESULT: 1 });
    expect(summary.notices.delivered).toBe(summary.notices.total);
    const channel = new S3PrintBatchChannel(s().printBatches.s3, s().printBatches.bucket);
    const letters = [];
    for (const day of ['2026-09-14', '2026-09-15', '2026-09-17', '2026-09-18']) {
      try {
        letters.push(
          ...(await readS3PrintBatch(
            s().printBatches.s3,
            s().printBatches.bucket,
            channel.batchKey(CITY, new Date(`${day}T12:00:00+09:00`)),
          )),
        );
      } catch (error) {
        if ((error as Error).name !== 'NoSuchKey') throw error;
      }
    }
    expect(
      letters
        .filter((l) => l.caseId === caseId)
        .map((l) => l.kind)
        .sort(),
    ).toEqual(['PRE_SALE', 'SALE_RESULT', 'SEIZURE', 'SEIZURE']);
    expect(letters.some((l) => l.kind === 'SALE_RESULT' && l.text.includes('매각'))).toBe(true);

    // The officers' CLI reads the same case through the API with the officer key.
    const lines: string[] = [];
    expect(await runOps(['show', caseId, '--state-dir', stateDir], (l = '') => void lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('SETTLE_SALE');
    lines.length = 0;
    expect(await runOps(['sales', caseId, '--state-dir', stateDir], (l = '') => void lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/execution .* \(SUCCEEDED\)/);
  });

  it('pays, and an officer holds a case, through the API', async () => {
    const { city, officer, scheduler } = s();
    const registered = await city.post<{ caseId: string }>('/cases', {
      cityId: CITY,
      cityCaseRef: 'CJ-LOCAL-2',
      taxpayer: { ref: 'TP-LOCAL-2', name: '이납세', contact: { address: '충청북도 청주시 흥덕구 2순환로 1' } },
      bills: [
        {
          billId: 'B-2025-2',
          taxItem: '자동차세',
          dueDate: '2025-06-30',
          cost: '0',
          tax: '300000',
          surcharge: '9000',
          surchargeAsOf: '2026-08-31',
        },
      ],
    });
    const lines: string[] = [];
    expect(
      await runOps(
        ['hold', registered.caseId, 'APPEAL', '이의신청', '--state-dir', stateDir],
        (l = '') => void lines.push(l),
      ),
    ).toBe(0);
    expect((await officer.get<{ status: string }>(`/cases/${registered.caseId}`, { city: CITY })).status).toBe(
      'ON_HOLD',
    );
    let paid = '';
    scheduler.at(s().clock.nowMs() + 60_000, 'payment', async () => {
      const now = await city.get<{ arrears: { projected: string } }>(`/cases/${registered.caseId}`, { city: CITY });
      paid = now.arrears.projected;
      await city.post(`/cases/${registered.caseId}/payments`, {
        cityId: CITY,
        paymentId: 'RCPT-2',
        amount: paid,
        receivedOn: kstDate(s().clock.now()),
      });
    });
    await runTimeline(s(), { until: new Date(s().clock.nowMs() + 3_600_000) });
    expect((await officer.get<{ status: string }>(`/cases/${registered.caseId}`, { city: CITY })).status).toBe('PAID');
    expect(summarize(CITY, await readStatements(s().store, CITY))).toMatchObject({
      cases: 2,
      byState: { SETTLED: 1, PAID: 1 },
      balanced: true,
    });
  });

  it('refuses a change without an idempotency key as the API does', async () => {
    const answer = await fetch(`${s().api.url}/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s().credentials.keys[0]?.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('stops everything it started', async () => {
    const st = s();
    await st.stop();
    stack = undefined;
    expect(pids.every((pid) => pid !== undefined)).toBe(true);
    // DynamoDB Local (Java) and the SQS server (a Node child) are gone.
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
    await expect(fetch(`${st.api.url}/cases?city=${CITY}`)).rejects.toThrow();
    await expect(fetch(`${sesEndpoint}/health-check`)).rejects.toThrow();
  });
});

/** `METHOD /path` of every API Gateway method in the template, its path rebuilt from the resource tree. */
function apiRoutes(template: { toJSON(): Record<string, unknown> }): string[] {
  type R = { Properties?: { ParentId?: unknown; PathPart?: string; HttpMethod?: string; ResourceId?: unknown } };
  const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource') as Record<string, R>;
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const r = id ? resources[id] : undefined;
    return r ? `${pathOf(r.Properties?.ParentId)}/${r.Properties?.PathPart ?? ''}` : '';
  };
  return Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method') as Record<string, R>)
    .filter((m) => m.Properties?.HttpMethod !== 'OPTIONS')
    .map((m) => `${m.Properties?.HttpMethod} ${pathOf(m.Properties?.ResourceId) || '/'}`);
}
