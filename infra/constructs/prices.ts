/**
 * Price polling: the poller (functions/poll-prices) behind the fixed egress IP, an EventBridge
 * Scheduler schedule that runs it every minute, a dead-letter queue for polls that never ran or
 * failed, and an alarm when prices go stale.
 *
 * Two failure paths, both ending in the one queue:
 * - the scheduler could not deliver (throttled, permissions): its retry policy, then its DLQ;
 * - the poll ran and threw (exchange down, table error): the scheduler invokes Lambda asynchronously,
 *   so that is Lambda's on-failure destination. No Lambda retry: the next minute's poll is the retry
 *   (a retry a minute later would only race it).
 * The stale-price alarm treats missing data as breaching: a poller that stopped emitting is a poller
 * whose prices are going stale.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { POLL_METRICS, SERVICE_NAME } from '../../functions/poll-prices/metrics';
import type { Data } from './data';
import type { AppFunction, AppFunctionProps } from './function';
import type { Observability } from './observability';
import { ScheduledFunction } from './scheduled-function';
import { ENV } from '#adapters/env';

/** The stack's `newExchangeFunction`: a function behind the fixed IP with the exchange bound. */
export type NewExchangeFunction = (
  id: string,
  props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace' | 'vpc' | 'vpcSubnets' | 'securityGroups'>,
) => AppFunction;

export interface PricesProps {
  readonly newExchangeFunction: NewExchangeFunction;
  readonly data: Data;
  readonly observability: Observability;
  /** The namespace the deployment's functions publish metrics in (the alarm watches it). */
  readonly metricsNamespace: string;
  /** EventBridge Scheduler expression, e.g. `rate(1 minute)` (config `schedules.pricePollRate`). */
  readonly rate: string;
  /** IANA zone the schedule is evaluated in (config `schedules.timezone`). */
  readonly timezone: string;
  /** Markets per ticker / order-book call. Default 100. */
  readonly maxMarketsPerCall?: number;
  /** Days the minute series is kept (TTL). Default 7. */
  readonly historyDays?: number;
}

/** Under a minute, so one poll is over before the next starts. */
export const POLL_TIMEOUT = Duration.seconds(50);
/** Stale (or missing) in this many of the last ALARM_WINDOW minutes raises the alarm. */
export const STALE_MINUTES_TO_ALARM = 3;
export const ALARM_WINDOW_MINUTES = 5;

export class Prices extends Construct {
  readonly poller: AppFunction;
  readonly schedule: scheduler.Schedule;
  readonly scheduleRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly staleAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PricesProps) {
    super(scope, id);

    this.poller = props.newExchangeFunction('PollPricesFunction', {
      name: SERVICE_NAME,
      description:
        'Every minute: prices of the markets open cases hold (latest, minute series, flags) and each open case’s coverage',
      timeout: POLL_TIMEOUT,
      environment: {
        [ENV.maxMarketsPerCall]: String(props.maxMarketsPerCall ?? 100),
        [ENV.priceHistoryDays]: String(props.historyDays ?? 7),
      },
    });
    props.data.bindTable(this.poller);

    // No Lambda retry: the next minute's poll is the retry (a retry a minute later would only race it).
    const scheduled = new ScheduledFunction(this, 'Schedule', {
      fn: this.poller,
      description: 'Price poll: latest prices, minute series and coverage',
      expression: props.rate,
      timezone: props.timezone,
      deliveryRetries: 2,
      runRetries: 0,
      maxEventAge: Duration.minutes(1),
      deadLetterRetention: Duration.days(1),
      // The scheduled minute names the series point, so a redelivery rewrites the same point.
      input: { scheduledTime: scheduler.ContextAttribute.scheduledTime },
      observability: props.observability,
      alarmName: 'PricePoll',
    });
    this.schedule = scheduled.schedule;
    this.scheduleRole = scheduled.role;
    this.deadLetterQueue = scheduled.deadLetterQueue;

    const metric = (name: string, statistic = 'Maximum') =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: name,
        dimensionsMap: { service: SERVICE_NAME },
        statistic,
        period: Duration.minutes(1),
      });
    const stale = metric(POLL_METRICS.stale);
    this.staleAlarm = props.observability.addAlarm(
      new cloudwatch.Alarm(this, 'StalePrices', {
        alarmDescription: `Prices stale (older than the execution policy's maxPriceAgeMs) or not polled at all in ${STALE_MINUTES_TO_ALARM} of the last ${ALARM_WINDOW_MINUTES} minutes: sales pause on stale prices; check the poller's logs, its dead-letter queue and the exchange`,
        metric: stale,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: ALARM_WINDOW_MINUTES,
        datapointsToAlarm: STALE_MINUTES_TO_ALARM,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    props.observability.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Prices',
        left: [
          stale.with({ label: 'stale' }),
          metric(POLL_METRICS.sourcesDisagree).with({ label: 'sources disagree' }),
          metric(POLL_METRICS.unpriced).with({ label: 'unpriced' }),
        ],
        right: [
          metric(POLL_METRICS.marketsPolled).with({ label: 'markets polled' }),
          metric(POLL_METRICS.underCovered).with({ label: 'under-covered cases' }),
        ],
        width: 12,
      }),
    );
  }
}
