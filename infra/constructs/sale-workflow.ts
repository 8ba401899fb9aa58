/**
 * The forced sale as a Standard state machine, its step functions, the starter that consumes the
 * sale request queue, the daily deadline check on EventBridge Scheduler, and their alarms.
 *
 * The definition is JSONPath only (no JSONata, no variables), with no task tokens, so the local
 * interpreter (aws-local-stepfunctions) runs exactly what is deployed; the tests run this very
 * definition against the real step handlers. State names are what an officer reads in the console:
 *
 *   LoadCase → CheckSaleAllowed → IsSaleAllowed ─ SETTLE ─────────────────────────────→ Settle
 *                  ↑                 ├ AWAIT_APPROVAL → AwaitApproval (wait) ─┐
 *                  ├─────────────────┼────────────────────────────────────────┘
 *                  │                 └ QUOTE → QuoteMarket → GuardPrice ─ PAUSE → PauseForMarket (wait) ─┐
 *                  │                                           ├ ESCALATE → Escalate → Settle            │
 *                  ├───────────────────────────────────────────┼─────────────────────────────────────────┘
 *                  │                                           └ GO → PlanNextSlice → SliceDecision
 *                  │   SliceDecision: SELL → PlaceOrder → WasOrderPlaced ─ ABSENT → CheckSaleAllowed
 *                  │                                        └ PLACED → WaitForFill → ReconcileOrder → IsOrderFinal
 *                  │   IsOrderFinal: not final → WaitForFill; more to sell → WaitBetweenSlices → CheckSaleAllowed
 *                  │   WAIT → WaitForMarket → CheckSaleAllowed; NEXT / AWAIT_APPROVAL → CheckSaleAllowed; SETTLE → Settle
 *   Settle → NotifyResult → SaleEnded
 *   any step's error (Catch) → ResolveOpenOrders → RecordFailure → SaleFailed
 *
 * Retries: transient errors (exchange unavailable or rate limited, a lost optimistic-locking race,
 * a Lambda timeout or crash: every step is idempotent) with exponential backoff and full jitter; a
 * temporary exchange ban with a long interval; orders in doubt are looked up by identifier on retry.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { CaseStep, MarketStep, StepName } from '../../functions/sale/steps';
import { ORDERS_IN_DOUBT_SWEEP_RATE, SWEEP_SERVICE } from '../../functions/sale/sweep';
import type { Data } from './data';
import { REPO_ROOT, type AppFunction } from './function';
import { OnePolicyRole } from './nag';
import type { NewFunction } from './notices';
import type { Observability } from './observability';
import type { NewExchangeFunction } from './prices';
import type { Queues } from './queues';
import { ScheduledFunction } from './scheduled-function';
import { ENV } from '#adapters/env';
import { MARKET_STEPS_CONCURRENCY } from '../../functions/sale/config';

/** The state names officers read (and the local tests bind handlers to). */
export const SALE_STATES = {
  loadCase: 'LoadCase',
  checkSaleAllowed: 'CheckSaleAllowed',
  continueAsNew: 'ContinueAsNew',
  saleContinued: 'SaleContinued',
  isSaleAllowed: 'IsSaleAllowed',
  awaitApproval: 'AwaitApproval',
  quoteMarket: 'QuoteMarket',
  guardPrice: 'GuardPrice',
  pauseForMarket: 'PauseForMarket',
  escalate: 'Escalate',
  planNextSlice: 'PlanNextSlice',
  sliceDecision: 'SliceDecision',
  waitForMarket: 'WaitForMarket',
  placeOrder: 'PlaceOrder',
  wasOrderPlaced: 'WasOrderPlaced',
  waitForFill: 'WaitForFill',
  reconcileOrder: 'ReconcileOrder',
  isOrderFinal: 'IsOrderFinal',
  waitBetweenSlices: 'WaitBetweenSlices',
  lookUpOrdersInDoubt: 'LookUpOrdersInDoubt',
  areOrdersInDoubt: 'AreOrdersInDoubt',
  waitForOrdersInDoubt: 'WaitForOrdersInDoubt',
  settle: 'Settle',
  notifyResult: 'NotifyResult',
  saleEnded: 'SaleEnded',
  resolveOpenOrders: 'ResolveOpenOrders',
  recordFailure: 'RecordFailure',
  saleFailed: 'SaleFailed',
  joinDesk: 'JoinDesk',
  readDeskShare: 'ReadDeskShare',
  isInDesk: 'IsInDesk',
  waitInDesk: 'WaitInDesk',
} as const;

/** The desk's state names (one execution per city account, market and Korean day: docs/SALE-DESK.md). */
export const DESK_STATES = {
  planDeskSlice: 'PlanDeskSlice',
  deskDecision: 'DeskDecision',
  waitForDeskMarket: 'WaitForDeskMarket',
  placeDeskOrder: 'PlaceDeskOrder',
  wasDeskOrderPlaced: 'WasDeskOrderPlaced',
  waitForDeskFill: 'WaitForDeskFill',
  reconcileDeskOrder: 'ReconcileDeskOrder',
  isDeskOrderFinal: 'IsDeskOrderFinal',
  waitBetweenDeskSlices: 'WaitBetweenDeskSlices',
  deskEnded: 'DeskEnded',
  resolveDeskOrders: 'ResolveDeskOrders',
  deskFailed: 'DeskFailed',
} as const;

export const DESK_WAIT_STATES = [
  DESK_STATES.waitForDeskMarket,
  DESK_STATES.waitForDeskFill,
  DESK_STATES.waitBetweenDeskSlices,
] as const;

/** The Wait states (the local tests and the local stack override their durations). */
export const SALE_WAIT_STATES = [
  SALE_STATES.awaitApproval,
  SALE_STATES.pauseForMarket,
  SALE_STATES.waitForMarket,
  SALE_STATES.waitForFill,
  SALE_STATES.waitBetweenSlices,
  SALE_STATES.waitForOrdersInDoubt,
  SALE_STATES.waitInDesk,
] as const;

/** Errors worth another attempt of the same step, after a pause. */
export const TRANSIENT_ERRORS = [
  'ExchangeUnavailable',
  'RateLimited',
  'ConcurrencyConflictError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflictException',
  // The step timed out or its runtime died: every step is idempotent, so it may run again.
  'States.Timeout',
  'Lambda.Unknown',
] as const;

/** Lambda's answer when a function's reserved concurrency is in use. */
export const THROTTLED = 'Lambda.TooManyRequestsException';

/** An order whose outcome is unknown: the retried step looks it up by identifier first. */
export const IN_DOUBT_ERRORS = ['PlacementOutcomeUnknown', 'OrderInDoubtError'] as const;

/** Seconds an order is left before it is looked at (an IOC order is final at once). */
export const FILL_WAIT_SECONDS = 2;
/** A backstop over the sale's own limit (SALE_MAX_DAYS, default 20): kept under 2^31 ms. */
export const EXECUTION_TIMEOUT = Duration.days(24);

export interface SaleWorkflowProps {
  readonly namePrefix: string;
  readonly caseSteps: AppFunction;
  readonly marketSteps: AppFunction;
  readonly logRetention: logs.RetentionDays;
  readonly observability: Observability;
  /** Powertools namespace of the step functions' metrics (for the alarms on them). */
  readonly metricsNamespace: string;
}

/** The state machines (each case's sale, each market's desk) and their alarms. */
export class SaleWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly deskStateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SaleWorkflowProps) {
    super(scope, id);
    const S = SALE_STATES;

    const saleRef = {
      cityId: sfn.JsonPath.stringAt('$.cityId'),
      caseId: sfn.JsonPath.stringAt('$.caseId'),
      saleId: sfn.JsonPath.stringAt('$.saleId'),
    };
    const deskRef = {
      cityId: sfn.JsonPath.stringAt('$.cityId'),
      deskId: sfn.JsonPath.stringAt('$.deskId'),
      market: sfn.JsonPath.stringAt('$.market'),
      day: sfn.JsonPath.stringAt('$.day'),
      executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
    };
    const step = (
      name: CaseStep | MarketStep,
      fn: AppFunction,
      payload: Record<string, unknown>,
      resultPath: string,
      ref: Record<string, unknown> = saleRef,
    ): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, name, {
        stateName: name,
        comment: STEP_COMMENTS[name],
        lambdaFunction: fn.fn,
        // The task's result is the function's answer itself (no Payload/StatusCode envelope).
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ step: name, ...ref, ...payload }),
        resultPath,
        taskTimeout: sfn.Timeout.duration(fn.timeout.plus(Duration.seconds(10))),
        retryOnServiceExceptions: true,
      });
      task.addRetry({
        errors: [...IN_DOUBT_ERRORS],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.minutes(2),
        jitterStrategy: sfn.JitterType.FULL,
      });
      // A throttled invocation (the market steps' reserved concurrency is full) waits its turn.
      task.addRetry({
        errors: [THROTTLED],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 10,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: ['Banned'],
        interval: Duration.seconds(60),
        backoffRate: 2,
        maxAttempts: 3,
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.minutes(1),
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };
    const { caseSteps: cases, marketSteps: market } = props;
    const identifier = { identifier: sfn.JsonPath.stringAt('$.slice.identifier') };

    const loadCase = step('LoadCase', cases, { executionName: sfn.JsonPath.stringAt('$$.Execution.Name') }, '$.loaded');
    const checkSaleAllowed = step(
      'CheckSaleAllowed',
      cases,
      { executionName: sfn.JsonPath.stringAt('$$.Execution.Name') },
      '$.check',
    );
    const continueAsNew = step('ContinueAsNew', cases, {}, '$.continued');
    const saleContinued = new sfn.Succeed(this, S.saleContinued, {
      comment: 'This execution ran a day: the sale goes on in the next (<name>_c<n>), from its state in DynamoDB',
    });
    const awaitApproval = new sfn.Wait(this, S.awaitApproval, {
      comment: 'Planned at or above the approval threshold: wait for an officer, then check again',
      time: sfn.WaitTime.secondsPath('$.check.waitSeconds'),
    });
    const quoteMarket = step('QuoteMarket', market, {}, '$.guard');
    const pauseForMarket = new sfn.Wait(this, S.pauseForMarket, {
      comment:
        'Stale or disputed price, volatile market, or the taxpayer’s floor not reached: wait, then check and quote again',
      time: sfn.WaitTime.secondsPath('$.guard.waitSeconds'),
    });
    const escalate = step('Escalate', cases, {}, '$.escalation');
    const planNextSlice = step('PlanNextSlice', market, {}, '$.slice');
    const waitForMarket = new sfn.Wait(this, S.waitForMarket, {
      comment: 'No bids in the band, thin book or daily cap reached: wait, then check again',
      time: sfn.WaitTime.secondsPath('$.slice.waitSeconds'),
    });
    const placeOrder = step('PlaceOrder', market, identifier, '$.order');
    const waitForFill = new sfn.Wait(this, S.waitForFill, {
      comment: 'Give the exchange a moment before reading the order',
      time: sfn.WaitTime.duration(Duration.seconds(FILL_WAIT_SECONDS)),
    });
    const reconcileOrder = step('ReconcileOrder', market, identifier, '$.fill');
    const waitBetweenSlices = new sfn.Wait(this, S.waitBetweenSlices, {
      comment: 'Let the book refill before the next slice',
      time: sfn.WaitTime.secondsPath('$.fill.waitSeconds'),
    });
    const lookUpOrdersInDoubt = step('LookUpOrdersInDoubt', market, {}, '$.lookup');
    const waitForOrdersInDoubt = new sfn.Wait(this, S.waitForOrdersInDoubt, {
      comment:
        'An order sent without an answer may still execute: look it up again before settling (bounded; then an officer is alerted)',
      time: sfn.WaitTime.secondsPath('$.lookup.waitSeconds'),
    });
    const settle = step('Settle', cases, {}, '$.settlement');
    const notifyResult = step(
      'NotifyResult',
      cases,
      { noticeIds: sfn.JsonPath.listAt('$.settlement.noticeIds') },
      '$.notified',
    );
    const saleEnded = new sfn.Succeed(this, S.saleEnded, {
      comment: 'Settled: ledger, allocation, refund, releases and the result notice are recorded',
    });
    const resolveOpenOrders = step('ResolveOpenOrders', market, {}, '$.resolved');
    const recordFailure = step('RecordFailure', cases, { error: sfn.JsonPath.objectAt('$.error') }, '$.failure');
    const saleFailed = new sfn.Fail(this, S.saleFailed, {
      comment: 'Recorded: what was sold is settled, otherwise the case is DUE again with the error',
      error: 'SaleFailed',
      causePath: '$.error.Cause',
    });

    // In a desk: the case's execution waits and reads its share; the desk's execution sells.
    const joinDesk = step('JoinDesk', cases, {}, '$.desk');
    const readDeskShare = step('ReadDeskShare', cases, {}, '$.desk');
    const waitInDesk = new sfn.Wait(this, S.waitInDesk, {
      comment:
        'The market’s desk sells for every case selling this coin and checks each on its turns: wait a few slices, then look at the membership',
      time: sfn.WaitTime.secondsPath('$.desk.waitSeconds'),
    });
    const isInDesk = new sfn.Choice(this, S.isInDesk, {
      comment: 'Still taking part in the desk (wait), escalated by the desk’s market guards, or back to its own steps',
    })
      .when(sfn.Condition.stringEquals('$.desk.next', 'WAIT'), waitInDesk)
      .when(sfn.Condition.stringEquals('$.desk.next', 'ESCALATE'), escalate)
      .otherwise(checkSaleAllowed);

    const areOrdersInDoubt = new sfn.Choice(this, S.areOrdersInDoubt, {
      comment: 'Settle once no order is in doubt, or once the bound has passed (coins held back)',
    })
      .when(sfn.Condition.booleanEquals('$.lookup.wait', true), waitForOrdersInDoubt)
      .otherwise(settle);
    const isSaleAllowed = new sfn.Choice(this, S.isSaleAllowed, {
      comment: 'Settle (paid, on hold, covered, nothing left), wait for an approval, or quote',
    })
      .when(sfn.Condition.stringEquals('$.check.next', 'SETTLE'), lookUpOrdersInDoubt)
      .when(sfn.Condition.stringEquals('$.check.next', 'AWAIT_APPROVAL'), awaitApproval)
      .when(sfn.Condition.stringEquals('$.check.next', 'CONTINUE'), continueAsNew)
      .when(sfn.Condition.stringEquals('$.check.next', 'DESK'), readDeskShare)
      .otherwise(quoteMarket);
    const guardPrice = new sfn.Choice(this, S.guardPrice, {
      comment: 'The market guards’ decision on the market to sell next',
    })
      .when(sfn.Condition.stringEquals('$.guard.action', 'ESCALATE'), escalate)
      .when(sfn.Condition.stringEquals('$.guard.action', 'PAUSE'), pauseForMarket)
      .otherwise(planNextSlice);
    const sliceDecision = new sfn.Choice(this, S.sliceDecision, {
      comment: 'Sell a slice, wait for the market, settle, or check again',
    })
      .when(sfn.Condition.stringEquals('$.slice.action', 'SELL'), placeOrder)
      .when(sfn.Condition.stringEquals('$.slice.action', 'WAIT'), waitForMarket)
      .when(sfn.Condition.stringEquals('$.slice.action', 'SETTLE'), lookUpOrdersInDoubt)
      .when(sfn.Condition.stringEquals('$.slice.action', 'JOIN'), joinDesk)
      .otherwise(checkSaleAllowed);
    const wasOrderPlaced = new sfn.Choice(this, S.wasOrderPlaced, {
      comment: 'Refused (spent identifier) or in doubt (looked up again before the next slice): check and plan again',
    })
      .when(sfn.Condition.stringEquals('$.order.status', 'ABSENT'), checkSaleAllowed)
      .when(sfn.Condition.stringEquals('$.order.status', 'IN_DOUBT'), checkSaleAllowed)
      .otherwise(waitForFill);
    const isOrderFinal = new sfn.Choice(this, S.isOrderFinal, { comment: 'Fills recorded once the order is final' })
      .when(sfn.Condition.booleanEquals('$.fill.final', false), waitForFill)
      .when(sfn.Condition.booleanEquals('$.fill.more', true), waitBetweenSlices)
      .otherwise(checkSaleAllowed);

    loadCase.next(checkSaleAllowed);
    checkSaleAllowed.next(isSaleAllowed);
    continueAsNew.next(saleContinued);
    awaitApproval.next(checkSaleAllowed);
    quoteMarket.next(guardPrice);
    pauseForMarket.next(checkSaleAllowed);
    escalate.next(lookUpOrdersInDoubt);
    waitForOrdersInDoubt.next(lookUpOrdersInDoubt);
    planNextSlice.next(sliceDecision);
    waitForMarket.next(checkSaleAllowed);
    placeOrder.next(wasOrderPlaced);
    waitForFill.next(reconcileOrder);
    reconcileOrder.next(isOrderFinal);
    waitBetweenSlices.next(checkSaleAllowed);
    settle.next(notifyResult);
    notifyResult.next(saleEnded);
    resolveOpenOrders.next(recordFailure);
    recordFailure.next(saleFailed);

    lookUpOrdersInDoubt.next(areOrdersInDoubt);
    joinDesk.next(waitInDesk);
    waitInDesk.next(readDeskShare);
    readDeskShare.next(isInDesk);

    for (const task of [
      loadCase,
      checkSaleAllowed,
      continueAsNew,
      quoteMarket,
      escalate,
      planNextSlice,
      placeOrder,
      reconcileOrder,
      lookUpOrdersInDoubt,
      settle,
      joinDesk,
      readDeskShare,
    ]) {
      task.addCatch(resolveOpenOrders, { errors: ['States.ALL'], resultPath: '$.error' });
    }
    // The case is settled by then; a notice not queued stays in the outbox for the sweeper.
    notifyResult.addCatch(saleEnded, { errors: ['States.ALL'], resultPath: '$.notifyError' });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role, so that every grant lands in one policy (OnePolicyRole): the LambdaInvoke
    // tasks' grants (made as the state machine is built) and the logs and tracing statements, each
    // acknowledged for its own statements only; any wildcard granted later fails the synth.
    const role = new OnePolicyRole(this, 'StateMachineRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the sale state machine',
    });
    let stateMachine: sfn.StateMachine | undefined;
    role.grantAcknowledged(
      () => {
        stateMachine = new sfn.StateMachine(this, 'StateMachine', {
          stateMachineName: `${props.namePrefix}-sale`,
          stateMachineType: sfn.StateMachineType.STANDARD,
          comment:
            'Forced sale of a case’s seized coins: limit IOC slices within the execution policy, stopping at the need; settles in one transaction',
          definitionBody: sfn.DefinitionBody.fromChainable(loadCase),
          timeout: EXECUTION_TIMEOUT,
          role,
          // Tracing and logging are set on the resource below, their statements granted below.
        });
      },
      { resources: [`${cases.fn.functionArn}:*`, `${market.fn.functionArn}:*`] },
      'Granted by CDK for the LambdaInvoke tasks: each :* covers that one step function’s versions and aliases.',
    );
    if (!stateMachine) throw new Error('the sale state machine was not built');
    this.stateMachine = stateMachine;
    role.grantAcknowledged(
      (grantee) => {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: [
              'logs:CreateLogDelivery',
              'logs:GetLogDelivery',
              'logs:UpdateLogDelivery',
              'logs:DeleteLogDelivery',
              'logs:ListLogDeliveries',
              'logs:PutResourcePolicy',
              'logs:DescribeResourcePolicies',
              'logs:DescribeLogGroups',
            ],
            resources: ['*'],
          }),
        );
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: [
              'xray:PutTraceSegments',
              'xray:PutTelemetryRecords',
              'xray:GetSamplingRules',
              'xray:GetSamplingTargets',
            ],
            resources: ['*'],
          }),
        );
      },
      { resources: ['*'] },
      'The statements CDK gives a state machine for CloudWatch Logs delivery and X-Ray: log delivery (Create/Get/Update/DeleteLogDelivery, ListLogDeliveries, resource policies) and X-Ray writes and sampling accept no resource-level permissions, so * is the only valid resource.',
    );
    const resource = this.stateMachine.node.defaultChild as sfn.CfnStateMachine;
    resource.tracingConfiguration = { enabled: true };
    resource.loggingConfiguration = {
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: this.logGroup.logGroupArn } }],
      level: sfn.LogLevel.ALL,
      includeExecutionData: true,
    };
    // Step Functions checks the log delivery permissions when the state machine is created: it
    // depends on its role, default policy included.
    // The desk: one execution per (city account, market, Korean day), on the same two step functions,
    // the same role (it invokes the same functions) and the same log group: one resource more.
    const D = DESK_STATES;
    const planDeskSlice = step('PlanDeskSlice', market, {}, '$.slice', deskRef);
    const placeDeskOrder = step('PlaceDeskOrder', market, identifier, '$.order', deskRef);
    const reconcileDeskOrder = step('ReconcileDeskOrder', market, identifier, '$.fill', deskRef);
    const resolveDeskOrders = step(
      'ResolveDeskOrders',
      market,
      { error: sfn.JsonPath.objectAt('$.error') },
      '$.resolved',
      deskRef,
    );
    const waitForDeskMarket = new sfn.Wait(this, D.waitForDeskMarket, {
      comment: 'No bids in the band, thin book, paused market, daily cap or an order in doubt: wait, then plan again',
      time: sfn.WaitTime.secondsPath('$.slice.waitSeconds'),
    });
    const waitForDeskFill = new sfn.Wait(this, D.waitForDeskFill, {
      comment: 'Give the exchange a moment before reading the order',
      time: sfn.WaitTime.duration(Duration.seconds(FILL_WAIT_SECONDS)),
    });
    const waitBetweenDeskSlices = new sfn.Wait(this, D.waitBetweenDeskSlices, {
      comment: 'Let the book refill before the next order',
      time: sfn.WaitTime.secondsPath('$.fill.waitSeconds'),
    });
    const deskEnded = new sfn.Succeed(this, D.deskEnded, {
      comment: 'No case left in the desk (sold, withdrawn), the day is over, or its run is long: members join the next',
    });
    const deskFailed = new sfn.Fail(this, D.deskFailed, {
      comment:
        'Orders not final resolved (in doubt if sent and not found); the desk ended, its members’ sales fail with it',
      error: 'DeskFailed',
      causePath: '$.error.Cause',
    });
    const deskDecision = new sfn.Choice(this, D.deskDecision, { comment: 'Sell one order for the cases, wait, or end' })
      .when(sfn.Condition.stringEquals('$.slice.action', 'SELL'), placeDeskOrder)
      .when(sfn.Condition.stringEquals('$.slice.action', 'WAIT'), waitForDeskMarket)
      .otherwise(deskEnded);
    const wasDeskOrderPlaced = new sfn.Choice(this, D.wasDeskOrderPlaced, {
      comment: 'Refused or blocked (never sent), or in doubt (its cases’ coins held, looked up next turn): plan again',
    })
      .when(sfn.Condition.stringEquals('$.order.status', 'ABSENT'), planDeskSlice)
      .when(sfn.Condition.stringEquals('$.order.status', 'IN_DOUBT'), planDeskSlice)
      .otherwise(waitForDeskFill);
    const isDeskOrderFinal = new sfn.Choice(this, D.isDeskOrderFinal, {
      comment: 'Fills allocated to the cases once the order is final',
    })
      .when(sfn.Condition.booleanEquals('$.fill.final', false), waitForDeskFill)
      .otherwise(waitBetweenDeskSlices);
    planDeskSlice.next(deskDecision);
    waitForDeskMarket.next(planDeskSlice);
    placeDeskOrder.next(wasDeskOrderPlaced);
    waitForDeskFill.next(reconcileDeskOrder);
    reconcileDeskOrder.next(isDeskOrderFinal);
    waitBetweenDeskSlices.next(planDeskSlice);
    resolveDeskOrders.next(deskFailed);
    for (const task of [planDeskSlice, placeDeskOrder, reconcileDeskOrder])
      task.addCatch(resolveDeskOrders, { errors: ['States.ALL'], resultPath: '$.error' });
    let deskStateMachine: sfn.StateMachine | undefined;
    role.grantAcknowledged(
      () => {
        deskStateMachine = new sfn.StateMachine(this, 'DeskStateMachine', {
          stateMachineName: `${props.namePrefix}-sale-desk`,
          stateMachineType: sfn.StateMachineType.STANDARD,
          comment:
            'Sale desk of one market and day: the coins of every case selling it, one limit IOC order per slice within the caps on the aggregate, fills shared to the lot',
          definitionBody: sfn.DefinitionBody.fromChainable(planDeskSlice),
          timeout: Duration.days(2),
          role,
        });
      },
      { resources: [`${market.fn.functionArn}:*`] },
      'Granted by CDK for the desk’s LambdaInvoke tasks: the :* covers the market-steps function’s versions and aliases.',
    );
    if (!deskStateMachine) throw new Error('the desk state machine was not built');
    this.deskStateMachine = deskStateMachine;
    const deskResource = this.deskStateMachine.node.defaultChild as sfn.CfnStateMachine;
    deskResource.tracingConfiguration = { enabled: true };
    deskResource.loggingConfiguration = resource.loggingConfiguration;

    // ContinueAsNew starts the sale's next execution, JoinDesk the desk's: the ARNs by name, so the
    // step function does not depend on the state machines that depend on it.
    const arnOf = (name: string) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const ownArn = arnOf(`${props.namePrefix}-sale`);
    const deskArn = arnOf(`${props.namePrefix}-sale-desk`);
    cases.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [ownArn, deskArn] }),
    );
    cases.addEnvironment(ENV.saleStateMachineArn, ownArn);
    cases.addEnvironment(ENV.deskStateMachineArn, deskArn);

    const o = props.observability;
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric) =>
      o.addAlarm(
        new cloudwatch.Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    const period = Duration.minutes(5);
    alarm(
      'SaleExecutionsFailed',
      'A sale execution failed: the failure is recorded on the case (DUE with the error, or settled); look at its history',
      this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
    );
    alarm(
      'SaleExecutionsTimedOut',
      'A sale execution timed out: the case may still be SELLING',
      this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
    );
    alarm(
      'SaleExecutionsAborted',
      'A sale execution was stopped by hand: the case may still be SELLING',
      this.stateMachine.metricAborted({ period, statistic: 'Sum' }),
    );
    const stepMetric = (metricName: string, service: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service },
        period,
        statistic: 'Sum',
      });
    alarm(
      'SaleFailedMetric',
      'A sale step recorded a failure (RecordFailure)',
      stepMetric('SaleFailed', CASE_STEPS_SERVICE),
    );
    alarm(
      'SaleEscalated',
      'The market guards paused a sale too often: an officer should look at the market and the case',
      stepMetric('SaleEscalated', CASE_STEPS_SERVICE),
    );
    // Asked by PlanNextSlice, or by the desk's turn for one of its members (PlanDeskSlice): both in the market steps.
    alarm(
      'SaleAwaitingApproval',
      'A sale at or above the approval threshold waits for an officer (POST /cases/{caseId}/sales/{saleId}/approval)',
      new cloudwatch.MathExpression({
        expression: 'FILL(planned, 0)',
        usingMetrics: { planned: stepMetric('SaleAwaitingApproval', MARKET_STEPS_SERVICE) },
        label: 'Sales waiting for an approval',
        period,
      }),
    );
    // The desk's own alarm (one resource): a run failed (its members' sales fail with it), timed out
    // or was stopped by hand, or its market guards escalated (its members stop and settle).
    const desk = this.deskStateMachine;
    alarm(
      'SaleDeskFailedOrEscalated',
      'A sale desk failed, timed out, was stopped, or its market guards escalated: its members’ sales ended with it; look at the desk (GET /sale-desks, its execution) and its market',
      new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0) + FILL(escalated, 0)',
        usingMetrics: {
          failed: desk.metricFailed({ period, statistic: 'Sum' }),
          timedOut: desk.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: desk.metricAborted({ period, statistic: 'Sum' }),
          escalated: stepMetric('DeskEscalated', MARKET_STEPS_SERVICE),
        },
        label: 'Sale desk runs failed, timed out, stopped or escalated',
        period,
      }),
    );
    alarm(
      'OrdersInDoubtPastBound',
      'An order sent without an answer is still not found after SALE_IN_DOUBT_BOUND_MINUTES: its coins are held back; an officer must look (docs: orders in doubt)',
      stepMetric('OrdersInDoubtPastBound', MARKET_STEPS_SERVICE),
    );
    alarm(
      'SweptOrdersInDoubtPastBound',
      'The sweep still finds orders in doubt past the bound: their coins are held back; an officer must look',
      stepMetric('OrdersInDoubtPastBound', SWEEP_SERVICE).with({ statistic: 'Maximum' }),
    );
    alarm(
      'LateFillsBooked',
      'A fill turned up after its sale was settled and was booked as a post-settlement adjustment (notice sent); check the case',
      stepMetric('LateFillsBooked', SWEEP_SERVICE),
    );
    alarm(
      'SalesOverdue',
      'A case is still SELLING a sale older than SALE_MAX_DAYS: the sale is stuck; an officer ends it',
      stepMetric('SalesOverdue', SWEEP_SERVICE).with({ statistic: 'Maximum' }),
    );
    // Issue 12's reconciliation of the exchange account against the ledger emits this metric.
    alarm(
      'ReconciliationDifferences',
      'The exchange account and the ledger disagree (reconciliation, issue 12): look before anything else moves',
      stepMetric('ReconciliationDifferences', 'reconcile-exchange').with({ statistic: 'Maximum' }),
    );
    alarm(
      'SaleAttemptsExhausted',
      'A case used all its sale attempts (SALE_MAX_ATTEMPTS) and waits for an officer',
      stepMetric('SaleAttemptsExhausted', 'check-deadlines'),
    );

    o.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sales',
        left: [
          this.stateMachine.metricStarted({ period, statistic: 'Sum' }),
          this.stateMachine.metricSucceeded({ period, statistic: 'Sum' }),
          this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        ],
        right: [stepMetric('RecoveredKrw', CASE_STEPS_SERVICE)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sale quality (bps)',
        left: [
          stepMetric('ImplementationShortfallBps', CASE_STEPS_SERVICE).with({ statistic: 'Average' }),
          stepMetric('ArrivalSlippageBps', CASE_STEPS_SERVICE).with({ statistic: 'Average' }),
        ],
        width: 12,
      }),
    );
  }

  /** Lets a function start executions and tells it the state machine's ARN. */
  bindStarter(fn: AppFunction): void {
    this.stateMachine.grantStartExecution(fn);
    fn.addEnvironment(ENV.saleStateMachineArn, this.stateMachine.stateMachineArn);
  }

  /**
   * The API shows a sale's and a desk's execution state by state (the officers' console):
   * DescribeExecution and GetExecutionHistory on these two machines' executions, nothing else (no
   * start, no stop, no list). A statement in the function's default policy: no new resource.
   */
  bindHistoryReader(fn: AppFunction): void {
    const executionsOf = (machine: sfn.StateMachine) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${machine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const executions = [executionsOf(this.stateMachine), executionsOf(this.deskStateMachine)];
    fn.role.grantAcknowledged(
      (grantee) =>
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          resourceArns: executions,
        }),
      { resources: executions },
      'Execution names are known only at run time (one per sale and day, one per desk run): * spans the sale’s and the desk’s state machine’s executions, for the two reads of their history.',
    );
    fn.addEnvironment(ENV.saleStateMachineArn, this.stateMachine.stateMachineArn);
    fn.addEnvironment(ENV.deskStateMachineArn, this.deskStateMachine.stateMachineArn);
  }
}

/** Powertools service names of the two step functions (their metrics' `service` dimension). */
export const CASE_STEPS_SERVICE = 'sale-case-steps';
export const MARKET_STEPS_SERVICE = 'sale-market-steps';

const STEP_COMMENTS: Record<StepName, string> = {
  LoadCase: 'Check the case is selling this sale; open the sale record',
  CheckSaleAllowed: 'Before every slice: paid? on hold? covered? anything left? approved? a day in this execution?',
  ContinueAsNew: 'Start the next execution of this sale (one a day keeps the history small)',
  Escalate: 'Too many market pauses in a row: stop and tell the officers',
  Settle: 'One transaction: ledger, allocation in the legal order, refund, releases, new state, audit, result notice',
  NotifyResult: 'Queue the result notice',
  RecordFailure: 'Settle what was sold, or return the case to DUE with the error',
  QuoteMarket: 'Ticker, order book and rules of every market left; the market guards on the next one',
  PlanNextSlice:
    'Re-plan on the real proceeds; size and price the next limit IOC slice; ask for approval above the threshold',
  PlaceOrder: 'Send the slice once (looked up by identifier after any doubt)',
  ReconcileOrder: 'Record the order’s fills once it is final',
  LookUpOrdersInDoubt:
    'Before settling: look every order in doubt up again (by identifier and in the closed-order list)',
  ResolveOpenOrders:
    'After a failure: resolve every order not yet final, by identifier; orders in doubt looked up again',
  JoinDesk: 'Join the market’s desk with what the plan sells there (offer, floor); start the desk’s execution',
  ReadDeskShare:
    'In the desk: shares in doubt resolved from their desk order; still taking part, or back to its own steps',
  PlanDeskSlice:
    'Orders in doubt looked up; members loaded; one quote; guards; one order for all the cases (schedule, caps on the aggregate, split pro rata)',
  PlaceDeskOrder:
    'Each case checked again at the last moment; send the order once (looked up by identifier after any doubt)',
  ReconcileDeskOrder:
    'Once final: the fills allocated to the cases trade by trade, each case’s share written with the order DONE',
  ResolveDeskOrders:
    'After a failure: resolve every desk order not yet final (in doubt if sent and not found); end the desk and its members',
};

/** What `addSaleWorkflow` builds. */
export interface SaleWiring {
  readonly workflow: SaleWorkflow;
  readonly caseSteps: AppFunction;
  readonly marketSteps: AppFunction;
  readonly starter: AppFunction;
  readonly deadlineCheck: AppFunction;
  readonly schedule: ScheduledFunction;
  /** Looks orders in doubt up at the exchange: reads the trading key. */
  readonly sweepOrdersInDoubt: AppFunction;
}

/** What the sale workflow needs of the deployment (infra/stack.ts passes its own). */
export interface SaleWiringProps {
  readonly newFunction: NewFunction;
  readonly newExchangeFunction: NewExchangeFunction;
  readonly data: Data;
  readonly queues: Queues;
  readonly observability: Observability;
  /** Produces sale requests (the taxpayer's own, POST /cases/{caseId}/sale-requests). */
  readonly apiFunction: AppFunction;
  readonly namePrefix: string;
  readonly logRetention: logs.RetentionDays;
  /** The namespace every function publishes its Powertools metrics in. */
  readonly metricsNamespace: string;
  /** EventBridge Scheduler cron of the deadline check, read in `timezone` (cdk.json: `cron(0 9 * * ? *)`, Asia/Seoul). */
  readonly deadlineCheckCron: string;
  readonly timezone: string;
}

/**
 * Everything of the sale workflow, wired into the deployment: the two step functions, the state
 * machine, the starter consuming the sale request queue, the daily deadline check and its
 * schedule, and the API as a producer of sale requests (the taxpayer's own request). Made in
 * `scope` (the stack), so the resources keep their ids there.
 *
 * The deadline check's schedule: the scheduler retries delivery; a run that threw
 * (DeadlineCheckIncompleteError: some case failed) is retried twice by Lambda (every step is
 * idempotent); then the dead-letter queue, alarmed.
 */
export function addSaleWorkflow(scope: Construct, props: SaleWiringProps): SaleWiring {
  const { data, queues, observability } = props;
  const repo = (file: string) => path.join(REPO_ROOT, 'functions', file);

  const caseSteps = props.newFunction('SaleCaseStepsFunction', {
    name: CASE_STEPS_SERVICE,
    entry: repo('sale/case-handler.ts'),
    description: 'Sale workflow steps on the case: load, check, escalate, settle, notify, record failure',
  });
  data.bindTable(caseSteps);
  queues.bindProducer('noticeDispatch', caseSteps);

  const marketSteps = props.newExchangeFunction('SaleMarketStepsFunction', {
    name: MARKET_STEPS_SERVICE,
    entry: repo('sale/market-handler.ts'),
    description: 'Sale workflow steps on the exchange: quote, plan, place, reconcile, resolve',
    timeout: Duration.seconds(60),
    // Few callers at once, so what waits on the shared rate budget stays short (functions/sale/README.md).
    reservedConcurrentExecutions: MARKET_STEPS_CONCURRENCY,
  });
  data.bindTable(marketSteps);

  const workflow = new SaleWorkflow(scope, 'SaleWorkflow', {
    namePrefix: props.namePrefix,
    caseSteps,
    marketSteps,
    logRetention: props.logRetention,
    observability,
    metricsNamespace: props.metricsNamespace,
  });

  // One at a time: the cap on running sales is counted request after request.
  const starter = props.newFunction('StartSaleFunction', {
    name: 'start-sale',
    description: 'Turns sale requests into sale executions (one per case and attempt)',
    reservedConcurrentExecutions: 1,
  });
  data.bindTable(starter);
  // A request deferred at the cap goes back to the queue (its delivery delay brings it back later).
  queues.bindProducer('saleRequest', starter);
  workflow.bindStarter(starter);
  queues.addConsumer('saleRequest', starter, { batchSize: 10 });

  const deadlineCheck = props.newFunction('CheckDeadlinesFunction', {
    name: 'check-deadlines',
    description: 'Daily: cases past their deadline become due and get a sale request',
    timeout: Duration.minutes(5),
  });
  data.bindTable(deadlineCheck);
  queues.bindProducer('saleRequest', deadlineCheck);
  queues.bindProducer('noticeDispatch', deadlineCheck);
  const schedule = new ScheduledFunction(scope, 'DeadlineCheckSchedule', {
    fn: deadlineCheck,
    description:
      'Deadline check: cases past their deadline become due and get a sale request (09:00 in the city’s time zone)',
    expression: props.deadlineCheckCron,
    timezone: props.timezone,
    deliveryRetries: 3,
    runRetries: 2,
    maxEventAge: Duration.hours(2),
    observability,
    alarmName: 'DeadlineCheck',
  });

  // Orders in doubt, looked up again every 5 minutes; a fill found after settlement is booked.
  const sweepOrdersInDoubt = props.newExchangeFunction('SweepOrdersInDoubtFunction', {
    name: SWEEP_SERVICE,
    entry: repo('sale/sweep-handler.ts'),
    description: 'Every 5 minutes: looks up orders in doubt; books fills found after settlement as adjustments',
    timeout: Duration.minutes(2),
  });
  data.bindTable(sweepOrdersInDoubt);
  queues.bindProducer('noticeDispatch', sweepOrdersInDoubt);
  new ScheduledFunction(scope, 'SweepOrdersInDoubtSchedule', {
    fn: sweepOrdersInDoubt,
    description: 'Looks up orders in doubt again; books fills found after settlement; counts stuck sales',
    expression: ORDERS_IN_DOUBT_SWEEP_RATE,
    timezone: props.timezone,
    // The next run comes in 5 minutes; the alarms watch what stays in doubt.
    deliveryRetries: 0,
    runRetries: 0,
    maxEventAge: Duration.minutes(5),
    observability,
    alarmName: 'OrdersInDoubtSweep',
  });

  queues.bindProducer('saleRequest', props.apiFunction);
  workflow.bindHistoryReader(props.apiFunction);
  return { workflow, caseSteps, marketSteps, starter, deadlineCheck, schedule, sweepOrdersInDoubt };
}
