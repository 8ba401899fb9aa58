/**
 * The notice pipeline (infra/README.md): the dispatcher consumes the FIFO notice queue, the outbox
 * sweeper and the daily reminder run are EventBridge Scheduler schedules in the city's time zone.
 *
 *   dispatch-notice  event source on the notice queue (batch 10, partial batch responses); the
 *                    queue's DLQ is alarmed by the stack (NoticeDispatch)
 *   sweep-outbox     every 5 minutes: re-sends notices left PENDING and quiet (a crash between a
 *                    commit and its send); the next run is its retry
 *   send-reminders   daily at 09:00: reminders 7 and 1 days before deadlines; retried (each run is
 *                    idempotent), then dead-lettered
 *   send-pre-sale-notices  daily at 09:00: the pre-sale notice for every case in custody whose
 *                    city's waiting period passed (sparse index); retried, then dead-lettered
 *
 * Each schedule is a ScheduledFunction (its own role, delivery retries and alarmed dead-letter queue,
 * which also receives the function's failed asynchronous invocations).
 */
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Data } from './data';
import type { AppFunction, AppFunctionProps } from './function';
import type { Observability } from './observability';
import { ScheduledFunction } from './scheduled-function';
import { MAX_RECEIVE_COUNT, type Queues } from './queues';
import { ENV } from '#adapters/env';

export type NewFunction = (
  id: string,
  props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace'>,
) => AppFunction;

export interface NoticesProps {
  readonly newFunction: NewFunction;
  readonly data: Data;
  readonly queues: Queues;
  readonly observability: Observability;
  /** IANA zone the schedules are evaluated in (config `schedules.timezone`). */
  readonly timezone: string;
  /** Default `cron(0 9 * * ? *)`: 09:00 in `timezone`. */
  readonly remindersCron?: string;
  /** Default `rate(5 minutes)`. */
  readonly sweepRate?: string;
  /** Default `cron(0 9 * * ? *)`: 09:00 in `timezone`. */
  readonly preSaleNoticesCron?: string;
  /** Minutes a PENDING notice must have been quiet before the sweeper re-sends it. Default 10. */
  readonly quietMinutes?: number;
}

export const DISPATCH_TIMEOUT = Duration.seconds(30);
export const SWEEP_TIMEOUT = Duration.seconds(60);
export const REMINDERS_TIMEOUT = Duration.minutes(5);
export const DEFAULT_REMINDERS_CRON = 'cron(0 9 * * ? *)';
export const DEFAULT_SWEEP_RATE = 'rate(5 minutes)';
export const PRE_SALE_NOTICES_TIMEOUT = Duration.minutes(10);
export const DEFAULT_PRE_SALE_NOTICES_CRON = 'cron(0 9 * * ? *)';

export class Notices extends Construct {
  readonly dispatcher: AppFunction;
  readonly sweeper: AppFunction;
  readonly reminders: AppFunction;
  readonly sweepSchedule: ScheduledFunction;
  readonly remindersSchedule: ScheduledFunction;
  readonly preSaleNotices: AppFunction;
  readonly preSaleNoticesSchedule: ScheduledFunction;

  constructor(scope: Construct, id: string, props: NoticesProps) {
    super(scope, id);
    const { data, queues } = props;

    this.dispatcher = props.newFunction('DispatchNoticeFunction', {
      name: 'dispatch-notice',
      description: 'Notice queue consumer: renders each notice in Korean and delivers it through its channel, once',
      timeout: DISPATCH_TIMEOUT,
      environment: { [ENV.maxReceiveCount]: String(MAX_RECEIVE_COUNT) },
    });
    data.bindTable(this.dispatcher);
    queues.addConsumer('noticeDispatch', this.dispatcher, { batchSize: 10 });

    this.sweeper = props.newFunction('SweepOutboxFunction', {
      name: 'sweep-outbox',
      description: 'Every 5 minutes: re-sends notices left pending in the outbox (a crash between commit and send)',
      timeout: SWEEP_TIMEOUT,
      environment: { [ENV.outboxQuietMinutes]: String(props.quietMinutes ?? 10) },
    });
    data.bindTable(this.sweeper);
    queues.bindProducer('noticeDispatch', this.sweeper);

    this.reminders = props.newFunction('SendRemindersFunction', {
      name: 'send-reminders',
      description: 'Daily: reminders 7 and 1 days before each pre-sale notice deadline',
      timeout: REMINDERS_TIMEOUT,
    });
    data.bindTable(this.reminders);
    queues.bindProducer('noticeDispatch', this.reminders);

    this.preSaleNotices = props.newFunction('SendPreSaleNoticesFunction', {
      name: 'send-pre-sale-notices',
      description: 'Daily: the pre-sale notice for each case in custody whose city’s waiting period passed',
      timeout: PRE_SALE_NOTICES_TIMEOUT,
    });
    data.bindTable(this.preSaleNotices);
    queues.bindProducer('noticeDispatch', this.preSaleNotices);

    // The next sweep (5 minutes later) is the sweeper's retry; a reminder run is retried, as it is idempotent.
    this.sweepSchedule = new ScheduledFunction(this, 'SweepOutbox', {
      fn: this.sweeper,
      description: 'Outbox sweep: re-send notices left pending',
      expression: props.sweepRate ?? DEFAULT_SWEEP_RATE,
      timezone: props.timezone,
      deliveryRetries: 2,
      runRetries: 0,
      maxEventAge: Duration.minutes(5),
      observability: props.observability,
      alarmName: 'OutboxSweep',
    });
    this.remindersSchedule = new ScheduledFunction(this, 'SendReminders', {
      fn: this.reminders,
      description: 'Reminders before pre-sale notice deadlines (09:00 in the city’s time zone)',
      expression: props.remindersCron ?? DEFAULT_REMINDERS_CRON,
      timezone: props.timezone,
      deliveryRetries: 3,
      runRetries: 2,
      maxEventAge: Duration.hours(6),
      observability: props.observability,
      alarmName: 'Reminders',
    });
    // A run is retried (each step is idempotent: one notice per custody).
    this.preSaleNoticesSchedule = new ScheduledFunction(this, 'SendPreSaleNotices', {
      fn: this.preSaleNotices,
      description:
        'Pre-sale notices for cases in custody past their city’s waiting period (09:00 in the city’s time zone)',
      expression: props.preSaleNoticesCron ?? DEFAULT_PRE_SALE_NOTICES_CRON,
      timezone: props.timezone,
      deliveryRetries: 3,
      runRetries: 2,
      maxEventAge: Duration.hours(6),
      observability: props.observability,
      alarmName: 'PreSaleNotices',
    });
  }
}
