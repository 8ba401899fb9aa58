/**
 * The sale workflow in the dev Cheongju stack (bundling skipped, cdk-nag on): a Standard state
 * machine with logging ALL and X-Ray, JSONPath only, readable states, retries with backoff and
 * jitter on named transient errors, a catch to the recorded failure on every step; the step
 * functions where they belong; the starter on the sale request queue; the deadline check on
 * EventBridge Scheduler in Asia/Seoul with retries and a dead-letter queue; the alarms.
 */
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  DESK_MACHINE_ID,
  resolveStateMachineDefinition,
  taskFunctions,
  type CfnTemplate,
} from '../../shared/adapters/workflow/definition';
import { CASE_STEPS, DESK_STEPS, MARKET_STEPS } from '../../functions/sale/steps';
import { IN_DOUBT_ERRORS, SALE_STATES, THROTTLED, TRANSIENT_ERRORS } from '../../infra/constructs/sale-workflow';
import { MARKET_STEPS_CONCURRENCY } from '../../functions/sale/config';
import { SALE_REQUEST_DELAY_SECONDS } from '../../shared/adapters/workflow/sale-requests';
import { VISIBILITY_FACTOR } from '../../infra/constructs/queues';
import { buildTestApp, synthesizedTemplate, resourcesOfType } from './helpers';

const template = Template.fromJSON(synthesizedTemplate());
const json = template.toJSON() as CfnTemplate;
const definition = resolveStateMachineDefinition(json);
const states = definition.States as Record<string, Record<string, unknown> & { Type: string }>;
const deskDefinition = resolveStateMachineDefinition(json, DESK_MACHINE_ID);
/** Every Task state of both machines (each case's sale, each market's desk): the same retries for all. */
const allStates = { ...states, ...deskDefinition.States } as typeof states;
const functions = resourcesOfType(template, 'AWS::Lambda::Function');
const logicalIdOf = (prefix: string) => Object.keys(functions).find((id) => id.startsWith(prefix))!;

describe('sale state machine', () => {
  it('is a Standard state machine with logging ALL (execution data included) and X-Ray tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      StateMachineName: 'ctr-dev-sale',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [Match.objectLike({ CloudWatchLogsLogGroup: Match.anyValue() })],
      },
    });
    expect(definition.TimeoutSeconds).toBeLessThan(2 ** 31 / 1000);
  });

  it('uses JSONPath only: no JSONata, no variables, no task tokens', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|"QueryLanguage"|"Assign"|"Arguments"|"Output"|waitForTaskToken|\{%/);
  });

  it('has the states an officer reads, starting at LoadCase', () => {
    expect(definition.StartAt).toBe('LoadCase');
    expect(Object.keys(states).sort()).toEqual(Object.values(SALE_STATES).sort());
    expect(states.GuardPrice?.Type).toBe('Choice');
    expect(states.AwaitApproval).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.check.waitSeconds',
      Next: 'CheckSaleAllowed',
    });
    expect(states.PauseForMarket).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.guard.waitSeconds',
      Next: 'CheckSaleAllowed',
    });
    expect(states.WaitBetweenSlices).toMatchObject({ Type: 'Wait', Next: 'CheckSaleAllowed' });
    expect(states.SaleFailed).toMatchObject({ Type: 'Fail', Error: 'SaleFailed' });
    expect(states.SaleEnded?.Type).toBe('Succeed');
  });

  it('runs the case steps and the market steps in their own functions, the results in their own keys', () => {
    const byState = { ...taskFunctions(definition), ...taskFunctions(deskDefinition) };
    const caseFn = logicalIdOf('SaleCaseStepsFunction');
    const marketFn = logicalIdOf('SaleMarketStepsFunction');
    for (const step of CASE_STEPS) expect(byState[step]).toBe(caseFn);
    for (const step of MARKET_STEPS) expect(byState[step]).toBe(marketFn);
    expect(states.PlaceOrder).toMatchObject({
      Parameters: { step: 'PlaceOrder', 'identifier.$': '$.slice.identifier', 'saleId.$': '$.saleId' },
      ResultPath: '$.order',
    });
  });

  it('retries transient errors with exponential backoff and full jitter, orders in doubt by lookup, and catches everything into the recorded failure', () => {
    for (const step of [...CASE_STEPS, ...MARKET_STEPS]) {
      const retry = allStates[step]?.Retry as {
        ErrorEquals: string[];
        BackoffRate?: number;
        JitterStrategy?: string;
        MaxAttempts?: number;
      }[];
      const transient = retry.find((r) => r.ErrorEquals.includes('ExchangeUnavailable'));
      expect(transient).toMatchObject({ ErrorEquals: [...TRANSIENT_ERRORS], BackoffRate: 2, JitterStrategy: 'FULL' });
      expect(retry.find((r) => r.ErrorEquals.includes('PlacementOutcomeUnknown'))).toMatchObject({
        ErrorEquals: [...IN_DOUBT_ERRORS],
        JitterStrategy: 'FULL',
      });
      expect(retry.find((r) => r.ErrorEquals.includes('Banned'))).toBeDefined();
    }
    for (const step of [
      'LoadCase',
      'CheckSaleAllowed',
      'QuoteMarket',
      'Escalate',
      'PlanNextSlice',
      'PlaceOrder',
      'ReconcileOrder',
      'LookUpOrdersInDoubt',
      'Settle',
    ]) {
      expect(states[step]?.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ResolveOpenOrders' },
      ]);
    }
    expect(states.ResolveOpenOrders?.Next).toBe('RecordFailure');
    expect(states.RecordFailure).toMatchObject({ Next: 'SaleFailed', Parameters: { 'error.$': '$.error' } });
    expect(states.RecordFailure?.Catch).toBeUndefined();
  });

  it('never settles without looking orders in doubt up again, and plans again after an order in doubt', () => {
    const nexts = (name: string): string[] => {
      const st = states[name]!;
      return [
        st.Next as string | undefined,
        st.Default as string | undefined,
        ...((st.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ].filter((x): x is string => x !== undefined);
    };
    const intoSettle = Object.keys(states).filter((n) => nexts(n).includes('Settle'));
    expect(intoSettle).toEqual(['AreOrdersInDoubt']);
    expect(states.LookUpOrdersInDoubt?.Next).toBe('AreOrdersInDoubt');
    expect(states.AreOrdersInDoubt).toMatchObject({
      Choices: [{ Variable: '$.lookup.wait', BooleanEquals: true, Next: 'WaitForOrdersInDoubt' }],
      Default: 'Settle',
    });
    expect(states.WaitForOrdersInDoubt).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.lookup.waitSeconds',
      Next: 'LookUpOrdersInDoubt',
    });
    expect(states.WasOrderPlaced?.Choices).toEqual(
      expect.arrayContaining([{ Variable: '$.order.status', StringEquals: 'IN_DOUBT', Next: 'CheckSaleAllowed' }]),
    );
  });

  it('continues a long sale in a new execution: CheckSaleAllowed knows the execution, CONTINUE → ContinueAsNew → SaleContinued', () => {
    expect(states.CheckSaleAllowed).toMatchObject({ Parameters: { 'executionName.$': '$$.Execution.Name' } });
    expect(states.IsSaleAllowed?.Choices).toEqual(
      expect.arrayContaining([{ Variable: '$.check.next', StringEquals: 'CONTINUE', Next: 'ContinueAsNew' }]),
    );
    expect(states.ContinueAsNew).toMatchObject({ Next: 'SaleContinued' });
    expect(states.SaleContinued?.Type).toBe('Succeed');
  });

  it('sweeps orders in doubt every 5 minutes from a function that reaches the exchange', () => {
    const sweep = logicalIdOf('SweepOrdersInDoubtFunction');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [sweep, 'Arn'] } }),
    });
    const vars = (functions[sweep]!.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.EXCHANGE_SECRET_ARN).toBeDefined();
    expect(vars.NOTICE_QUEUE_URL).toBeDefined();
    expect(functions[sweep]!.Properties?.VpcConfig).toBeDefined();
  });

  it('lets only the starter start executions, and only the market steps reach the exchange', () => {
    const starter = functions[logicalIdOf('StartSaleFunction')]!;
    expect(
      (starter.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.SALE_STATE_MACHINE_ARN,
    ).toEqual({ Ref: expect.stringMatching(/^SaleWorkflowStateMachine/) });
    const starts = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties).includes('states:StartExecution'),
    );
    // The starter, and the case steps (ContinueAsNew: the sale's next execution, by the state machine's name).
    expect(starts.map((p) => JSON.stringify(p.Properties?.Roles)).sort()).toEqual([
      expect.stringContaining('SaleCaseStepsFunctionRole'),
      expect.stringContaining('StartSaleFunctionRole'),
    ]);
    const caseEnv = (
      functions[logicalIdOf('SaleCaseStepsFunction')]!.Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(JSON.stringify(caseEnv.SALE_STATE_MACHINE_ARN)).toContain(':stateMachine:ctr-dev-sale');
    const env = (id: string) =>
      (functions[logicalIdOf(id)]!.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env('SaleMarketStepsFunction').EXCHANGE_SECRET_ARN).toBeDefined();
    expect(env('SaleCaseStepsFunction').EXCHANGE_SECRET_ARN).toBeUndefined();
    expect(functions[logicalIdOf('SaleMarketStepsFunction')]!.Properties?.VpcConfig).toBeDefined();
    expect(functions[logicalIdOf('SaleCaseStepsFunction')]!.Properties?.VpcConfig).toBeUndefined();
    expect(env('SaleCaseStepsFunction').NOTICE_QUEUE_URL).toBeDefined();
  });

  it('lets the API read the sale’s and the desk’s executions’ histories and nothing more (the console’s state-by-state views)', () => {
    const reads = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap((p) =>
      ((p.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement ?? [])
        .filter((st) => JSON.stringify(st.Action).match(/states:(DescribeExecution|GetExecutionHistory)/))
        .map((st) => ({ roles: JSON.stringify(p.Properties?.Roles), ...st })),
    );
    expect(reads).toHaveLength(1);
    const [read] = reads;
    expect(read?.roles).toContain('ApiFunctionRole');
    expect(read?.Action).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
    // The two state machines' executions only.
    const resources = read?.Resource as unknown[];
    expect(resources).toHaveLength(2);
    const machines = resources.map((r) => {
      const resource = JSON.stringify(r);
      expect(resource).toContain(':execution:');
      expect(resource).toMatch(/:\*"\]\]\}$/);
      return /"Fn::GetAtt":\["(SaleWorkflow(Desk)?StateMachine)\w+","Name"\]/.exec(resource)?.[1];
    });
    expect(machines.sort()).toEqual(['SaleWorkflowDeskStateMachine', 'SaleWorkflowStateMachine']);
    const api = (
      functions[logicalIdOf('ApiFunction')]!.Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(api.SALE_STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/^SaleWorkflowStateMachine/) });
    expect(api.DESK_STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/^SaleWorkflowDeskStateMachine/) });
  });
});

describe('sale desk state machine', () => {
  const desk = deskDefinition;
  const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
  const [saleId, deskId] = ['SaleWorkflowStateMachine', DESK_MACHINE_ID].map((prefix) =>
    Object.keys(machines).find((id) => id.startsWith(prefix) && /^[0-9A-F]{8}$/.test(id.slice(prefix.length)))!,
  );

  it('is a Standard state machine beside the sale’s, on its role and log group (one resource more), logging ALL and X-Ray', () => {
    const props = machines[deskId!]!.Properties!;
    const sale = machines[saleId!]!.Properties!;
    expect(props).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: 'ctr-dev-sale-desk',
      TracingConfiguration: { Enabled: true },
    });
    expect(props.RoleArn).toEqual(sale.RoleArn);
    expect(props.LoggingConfiguration).toEqual(sale.LoggingConfiguration);
    expect((props.LoggingConfiguration as { Level: string }).Level).toBe('ALL');
  });

  it('loops plan → place → reconcile with readable states, every desk step in the market-steps function, each caught to ResolveDeskOrders', () => {
    expect(desk.StartAt).toBe('PlanDeskSlice');
    const tasks = taskFunctions(desk);
    expect(Object.keys(tasks).sort()).toEqual([...DESK_STEPS].sort());
    for (const fn of Object.values(tasks)) expect(fn).toMatch(/^SaleMarketStepsFunction/);
    for (const name of ['PlanDeskSlice', 'PlaceDeskOrder', 'ReconcileDeskOrder']) {
      const state = desk.States[name] as { Catch?: { Next: string; ErrorEquals: string[] }[] };
      expect(state.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'ResolveDeskOrders' });
    }
    expect(desk.States.ResolveDeskOrders?.Next).toBe('DeskFailed');
    // The order is placed only after a SELL decision, and an order in doubt or refused goes back to planning (lookup first).
    expect(JSON.stringify(desk.States.DeskDecision)).toContain('"Next":"PlaceDeskOrder"');
    expect(JSON.stringify(desk.States.WasDeskOrderPlaced)).toContain('"Next":"PlanDeskSlice"');
  });

  it('lets the case steps start desk executions (by the desk’s name) and join: the case waits in its own execution', () => {
    const caseEnv = (
      functions[logicalIdOf('SaleCaseStepsFunction')]!.Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(JSON.stringify(caseEnv.DESK_STATE_MACHINE_ARN)).toContain(':stateMachine:ctr-dev-sale-desk');
    const starts = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter(
      (p) =>
        JSON.stringify(p.Properties).includes('states:StartExecution') &&
        JSON.stringify(p.Properties?.Roles).includes('SaleCaseStepsFunctionRole'),
    );
    expect(JSON.stringify(starts)).toContain('ctr-dev-sale-desk');
    expect(JSON.stringify(states.SliceDecision)).toContain('"Next":"JoinDesk"');
    expect(states.JoinDesk?.Next).toBe('WaitInDesk');
    // In the desk, one step per look (the desk applies the case's checks on its turns); out of it,
    // back to the case's own checks.
    expect(states.WaitInDesk?.Next).toBe('ReadDeskShare');
    expect(JSON.stringify(states.IsInDesk)).toContain('"Next":"WaitInDesk"');
    expect(states.IsInDesk?.Default).toBe('CheckSaleAllowed');
    expect(JSON.stringify(states.IsSaleAllowed)).toContain('"Next":"ReadDeskShare"');
  });
});

describe('sale requests and deadline checks', () => {
  it('feeds the sale request queue to the starter with partial batch responses and a visibility ≥ 6× its timeout', () => {
    const starterId = logicalIdOf('StartSaleFunction');
    const mapping = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).find((m) =>
      JSON.stringify(m.Properties?.FunctionName).includes(starterId),
    );
    expect(mapping?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^QueuesSaleRequest/), 'Arn'] },
    });
    const queue = resourcesOfType(template, 'AWS::SQS::Queue')[
      (mapping!.Properties!.EventSourceArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]
    ]!;
    expect(queue.Properties?.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      VISIBILITY_FACTOR * (functions[starterId]!.Properties?.Timeout as number),
    );
  });

  it('lets the API and the deadline check send sale requests', () => {
    for (const prefix of ['ApiFunction', 'CheckDeadlinesFunction']) {
      const vars = (functions[logicalIdOf(prefix)]!.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(vars.SALE_REQUEST_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^QueuesSaleRequest/) });
    }
  });

  it('runs the deadline check daily at 09:00 Asia/Seoul, with scheduler retries, Lambda retries and an alarmed dead-letter queue', () => {
    const check = logicalIdOf('CheckDeadlinesFunction');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Seoul',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [check, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadlineCheckScheduleDlq'), 'Arn'] } },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: check },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadlineCheckScheduleDlq'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadlineCheckScheduleDlq'), 'QueueName'] },
        },
      ],
    });
  });
});

describe('one rate budget for the exchange account', () => {
  const env = (id: string) =>
    (functions[id]!.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  const exchangeCallers = Object.keys(functions).filter((id) => env(id).EXCHANGE_BASE_URL !== undefined);

  it('caps the concurrency of every function that calls the exchange: market steps 10, the others one at a time', () => {
    expect(exchangeCallers.map((id) => id.replace(/Function.*$/, '')).sort()).toEqual([
      'PollPrices',
      'ReconcileCustody',
      'ReleaseCoins',
      'SaleMarketSteps',
      'SweepOrdersInDoubt',
    ]);
    for (const id of exchangeCallers) {
      expect([id, functions[id]!.Properties?.ReservedConcurrentExecutions]).toEqual([
        id,
        id.startsWith('SaleMarketSteps') ? MARKET_STEPS_CONCURRENCY : 1,
      ]);
      // Each builds the shared budget: the cases table (its buckets) and the exchange id (the account).
      expect(env(id).TABLE_NAME).toBeDefined();
      expect(env(id).EXCHANGE_ID).toBe('upbit');
    }
  });

  it('retries a market step throttled by that cap instead of failing the sale', () => {
    for (const step of MARKET_STEPS) {
      const retry = (
        allStates[step]?.Retry as { ErrorEquals: string[]; MaxAttempts: number; JitterStrategy?: string }[]
      ).find((r) => r.ErrorEquals.includes(THROTTLED));
      expect([step, retry?.MaxAttempts, retry?.JitterStrategy]).toEqual([step, 10, 'FULL']);
    }
  });

  it('starts sales one request at a time (the cap on running sales is counted), and a deferred request goes back to the delayed queue', () => {
    const starterId = logicalIdOf('StartSaleFunction');
    expect(functions[starterId]!.Properties?.ReservedConcurrentExecutions).toBe(1);
    expect(env(starterId).SALE_REQUEST_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^QueuesSaleRequest/) });
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    const saleQueue = Object.entries(queues).find(([id]) => /^QueuesSaleRequest(?!Dlq)/.test(id))![1];
    expect(saleQueue.Properties?.DelaySeconds).toBe(SALE_REQUEST_DELAY_SECONDS);
  });

  it('passes configured limits to every caller of the exchange (Upbit’s documented ones otherwise)', () => {
    for (const id of exchangeCallers) expect(env(id).EXCHANGE_RATE_LIMITS).toBeUndefined();
    const { stack: custom } = buildTestApp({
      exchange: { id: 'upbit', baseUrl: 'https://api.upbit.com', rateLimits: { order: 8 } },
    });
    // Each function's environment as its L1 holds it, resolved: what the synth would write, without
    // a second full synth (seconds of CPU) for one variable.
    const limitsOf = (fn: CfnFunction): unknown => {
      const env = custom.resolve(fn.environment) as
        { variables?: Record<string, unknown>; Variables?: Record<string, unknown> } | undefined;
      return (env?.variables ?? env?.Variables)?.EXCHANGE_RATE_LIMITS;
    };
    const customFunctions = custom.node.findAll().filter((c): c is CfnFunction => c instanceof CfnFunction);
    const withLimits = customFunctions.filter((f) => limitsOf(f) === '{"order":8}');
    expect(withLimits).toHaveLength(exchangeCallers.length);
  });
});

interface MathAlarm {
  Properties: {
    Threshold: number;
    ComparisonOperator: string;
    AlarmActions: unknown[];
    Metrics: {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } };
    }[];
  };
}
/** The one alarm on this metric math expression. */
function alarmOn(expression: string): MathAlarm {
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')) as unknown as MathAlarm[];
  const found = alarms.filter((a) => a.Properties.Metrics?.some((m) => m.Expression === expression));
  expect(found).toHaveLength(1);
  return found[0]!;
}
/** Each metric of a math alarm by id: `<metric>/<service, or the state machine's logical id>`. */
function stepMetrics(alarm: MathAlarm): Record<string, string> {
  return Object.fromEntries(
    alarm.Properties.Metrics.filter((m) => m.MetricStat).map((m) => {
      const { MetricName, Dimensions } = m.MetricStat!.Metric;
      const value = Dimensions[0]!.Value as string | { Ref: string };
      return [m.Id, `${MetricName}/${typeof value === 'string' ? value : value.Ref}`];
    }),
  );
}

describe('alarms', () => {
  it('on failed, timed-out and aborted executions, recorded failures, escalations and sales awaiting approval', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Threshold: 0,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
    for (const metric of ['SaleFailed', 'SaleEscalated']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'CryptoTaxRecovery/dev',
        Threshold: 0,
      });
    }
    // Asked before a case's next order or, while it is in a desk, by the desk's turn: both in the market steps.
    const approval = alarmOn('FILL(planned, 0)');
    expect(stepMetrics(approval)).toEqual({ planned: 'SaleAwaitingApproval/sale-market-steps' });
  });

  it('on the sale desk of its own: a desk run failed, timed out or stopped, or its market guards escalated', () => {
    const desk = alarmOn('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0) + FILL(escalated, 0)');
    expect(desk.Properties.Threshold).toBe(0);
    expect(desk.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(desk.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/Alarms/) }]);
    const deskMachine = Object.entries(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).find(
      ([, r]) => (r.Properties as { StateMachineName?: string }).StateMachineName === 'ctr-dev-sale-desk',
    )![0];
    expect(stepMetrics(desk)).toEqual({
      failed: `ExecutionsFailed/${deskMachine}`,
      timedOut: `ExecutionsTimedOut/${deskMachine}`,
      aborted: `ExecutionsAborted/${deskMachine}`,
      escalated: 'DeskEscalated/sale-market-steps',
    });
  });

  it('on orders in doubt past the bound (steps and sweep), late fills booked, and cases out of sale attempts', () => {
    const alarm = (metric: string, service: string) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'CryptoTaxRecovery/dev',
        Threshold: 0,
        Dimensions: [{ Name: 'service', Value: service }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    alarm('OrdersInDoubtPastBound', 'sale-market-steps');
    alarm('OrdersInDoubtPastBound', 'sweep-orders-in-doubt');
    alarm('LateFillsBooked', 'sweep-orders-in-doubt');
    alarm('SaleAttemptsExhausted', 'check-deadlines');
    alarm('SalesOverdue', 'sweep-orders-in-doubt');
    alarm('ReconciliationDifferences', 'reconcile-exchange');
  });

  it('passes cdk-nag (SF1 logging, SF2 X-Ray) with reasons for every acknowledged wildcard', () => {
    // The template is made by a synth with cdk-nag attached (synthesizedTemplate), which throws on any finding.
    expect(() => synthesizedTemplate()).not.toThrow();
  });
});
