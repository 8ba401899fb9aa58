/**
 * Coins and money out, and the check that the account holds what the cases say:
 *
 *   release-coins      every 5 minutes: approved releases to the taxpayer's allow-listed address,
 *                      withdrawals in doubt looked up, followed to DONE / FAILED; reads the
 *                      withdrawal key (its own secret) and nothing else of the exchange's
 *   reconcile-custody  daily at 06:30, and invoked after every settlement: exchange balances against
 *                      the ledger; reads the trading key (balances), never the withdrawal key
 *
 * Alarms: a custody difference (CustodyDifferences > 0) and a failed release (ReleaseFailed > 0).
 * Each schedule is a ScheduledFunction (own role, alarmed dead-letter queue).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { RELEASE_RATE } from '../../functions/release-coins/config';
import { DEFAULT_WITHDRAWAL_FEES } from '#adapters/withdrawal-fees-env';
import { RECONCILE_CRON } from '../../functions/reconcile-custody/config';
import type { Data } from './data';
import type { ExchangeKey } from './exchange-access';
import type { AppFunction, AppFunctionProps } from './function';
import type { Observability } from './observability';
import type { Queues } from './queues';
import { ScheduledFunction } from './scheduled-function';

export type NewKeyedExchangeFunction = (
  id: string,
  props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace' | 'vpc' | 'vpcSubnets' | 'securityGroups'>,
  key: ExchangeKey,
) => AppFunction;

export interface CustodyProps {
  readonly newExchangeFunction: NewKeyedExchangeFunction;
  readonly data: Data;
  readonly queues: Queues;
  readonly observability: Observability;
  readonly metricsNamespace: string;
  readonly timezone: string;
  /** Upbit's published withdrawal fees (coins per withdrawal), taken from the released quantity. */
  readonly withdrawalFees?: Readonly<Record<string, string>>;
}

// Defined beside the functions, so the local stack runs them at the same expressions without CDK.
export { RELEASE_RATE } from '../../functions/release-coins/config';
export { RECONCILE_CRON } from '../../functions/reconcile-custody/config';
export const RECONCILE_FUNCTION_ENV = ENV.reconcileFunctionName;

export class Custody extends Construct {
  readonly releaser: AppFunction;
  readonly reconciler: AppFunction;
  readonly releaseRun: ScheduledFunction;
  readonly reconcileRun: ScheduledFunction;
  readonly differenceAlarm: cloudwatch.Alarm;
  readonly releaseFailedAlarm: cloudwatch.Alarm;

  /** The fee table the release function takes its fees from (WITHDRAWAL_FEES). */
  private readonly withdrawalFees: string;

  constructor(scope: Construct, id: string, props: CustodyProps) {
    super(scope, id);
    const { data } = props;
    this.withdrawalFees = JSON.stringify(props.withdrawalFees ?? DEFAULT_WITHDRAWAL_FEES);

    this.releaser = props.newExchangeFunction(
      'ReleaseCoinsFunction',
      {
        name: 'release-coins',
        description:
          'Every 5 minutes: approved releases withdrawn to allow-listed addresses, doubts looked up, followed to done',
        timeout: Duration.seconds(120),
        environment: {
          [ENV.withdrawalFees]: this.withdrawalFees,
          RELEASE_QUIET_MINUTES: '30',
        },
      },
      'withdrawal',
    );
    data.bindTable(this.releaser);
    props.queues.bindProducer('noticeDispatch', this.releaser);

    this.reconciler = props.newExchangeFunction(
      'ReconcileCustodyFunction',
      {
        name: 'reconcile-custody',
        description:
          'Daily and after each settlement: exchange balances against the ledger; differences recorded and alarmed',
        timeout: Duration.seconds(120),
      },
      'trading',
    );
    data.bindTable(this.reconciler);

    // A release run is retried by the next run; a reconciliation is idempotent and retried.
    this.releaseRun = new ScheduledFunction(this, 'ReleaseCoins', {
      fn: this.releaser,
      description: 'Releases: send approved withdrawals, resolve doubts, follow them to done',
      expression: RELEASE_RATE,
      timezone: props.timezone,
      deliveryRetries: 0,
      runRetries: 0,
      maxEventAge: Duration.minutes(5),
      observability: props.observability,
      alarmName: 'ReleaseSchedule',
    });
    this.reconcileRun = new ScheduledFunction(this, 'ReconcileCustody', {
      fn: this.reconciler,
      description: 'Custody reconciliation: exchange balances against the ledger (06:30 in the city’s time zone)',
      expression: RECONCILE_CRON,
      timezone: props.timezone,
      deliveryRetries: 3,
      runRetries: 2,
      maxEventAge: Duration.hours(6),
      observability: props.observability,
      alarmName: 'ReconcileSchedule',
    });

    const metric = (service: string, name: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: name,
        dimensionsMap: { service },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      });
    this.differenceAlarm = props.observability.addAlarm(
      new cloudwatch.Alarm(this, 'CustodyDifference', {
        alarmDescription:
          'The exchange account does not hold what the ledger says (coins or KRW): see the latest reconciliation in the city report and the reconcile-custody log',
        metric: metric('reconcile-custody', 'CustodyDifferences'),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.releaseFailedAlarm = props.observability.addAlarm(
      new cloudwatch.Alarm(this, 'ReleaseFailed', {
        alarmDescription:
          'A release failed (refused address, failed withdrawal): an officer records a new destination and two officers approve again',
        metric: metric('release-coins', 'ReleaseFailed').with({ statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Lets a function ask for a reconciliation (asynchronously) and tells it which function to ask. */
  reconcileAfter(fn: AppFunction): void {
    fn.role.grantAcknowledged(
      (grantee) => this.reconciler.fn.grantInvoke(grantee),
      { resources: [`${this.reconciler.fn.functionArn}:*`] },
      'Function.grantInvoke on the reconciliation alone: its versions and aliases.',
    );
    fn.addEnvironment(RECONCILE_FUNCTION_ENV, this.reconciler.fn.functionName);
  }

  /**
   * A function that records releases' destinations (the API) reads the same fee table and exchange,
   * so it refuses a destination whose fee would take all the coins before officers approve it.
   */
  shareWithdrawalFees(fn: AppFunction, exchangeId: string): void {
    fn.addEnvironment(ENV.withdrawalFees, this.withdrawalFees);
    fn.addEnvironment(ENV.exchangeId, exchangeId);
  }
}
