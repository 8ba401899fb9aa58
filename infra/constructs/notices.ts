/**
 * The notice pipeline (DESIGN.md §5): the dispatcher consumes the FIFO notice queue, the outbox
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
 * Both schedules deliver through one role only this account's default schedule group may assume,
 * retry delivery, and dead-letter to one queue (schedule events only, no personal data: SQS-managed
 * encryption), which also receives the functions' failed asynchronous invocations and is alarmed.
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Data } from './data';
import type { AppFunction, AppFunctionProps } from './function';
import { acknowledgeWildcards } from './nag';
import type { Observability } from './observability';
import { MAX_RECEIVE_COUNT, type Queues } from './queues';

export type NewFunction = (id: string, props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace'>) => AppFunction;

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
  readonly sweepSchedule: scheduler.Schedule;
  readonly remindersSchedule: scheduler.Schedule;
  readonly preSaleNotices: AppFunction;
  readonly preSaleNoticesSchedule: scheduler.Schedule;
  readonly scheduleRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: NoticesProps) {
    super(scope, id);
    const { data, queues } = props;

    this.dispatcher = props.newFunction('DispatchNoticeFunction', {
      name: 'dispatch-notice',
      description: 'Notice queue consumer: renders each notice in Korean and delivers it through its channel, once',
      timeout: DISPATCH_TIMEOUT,
      environment: { MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT) },
    });
    data.bindTable(this.dispatcher);
    queues.addConsumer('noticeDispatch', this.dispatcher, { batchSize: 10 });

    this.sweeper = props.newFunction('SweepOutboxFunction', {
      name: 'sweep-outbox',
      description: 'Every 5 minutes: re-sends notices left pending in the outbox (a crash between commit and send)',
      timeout: SWEEP_TIMEOUT,
      environment: { OUTBOX_QUIET_MINUTES: String(props.quietMinutes ?? 10) },
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

    this.deadLetterQueue = new sqs.Queue(this, 'SchedulesDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the notice schedules and of the sweeper’s and reminder run’s asynchronous invocations (destinations cdk-nag does not recognise as DLQ use).',
    });
    // The next sweep (5 minutes later) is the sweeper's retry; a reminder run is retried, as it is idempotent.
    this.sweeper.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5), onFailure: new destinations.SqsDestination(this.deadLetterQueue) });
    this.reminders.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new destinations.SqsDestination(this.deadLetterQueue) });
    this.preSaleNotices.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new destinations.SqsDestination(this.deadLetterQueue) });

    const stack = Stack.of(this);
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'Lets EventBridge Scheduler invoke the outbox sweeper and the reminder run',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    const zone = TimeZone.of(props.timezone);
    const input = scheduler.ScheduleTargetInput.fromObject({ source: 'schedule', scheduledTime: scheduler.ContextAttribute.scheduledTime });
    this.sweepSchedule = new scheduler.Schedule(this, 'SweepOutbox', {
      description: 'Outbox sweep: re-send notices left pending',
      schedule: scheduler.ScheduleExpression.expression(props.sweepRate ?? DEFAULT_SWEEP_RATE, zone),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(this.sweeper.fn, {
        role: this.scheduleRole,
        input,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    this.remindersSchedule = new scheduler.Schedule(this, 'SendReminders', {
      description: 'Reminders before pre-sale notice deadlines (09:00 in the city’s time zone)',
      schedule: scheduler.ScheduleExpression.expression(props.remindersCron ?? DEFAULT_REMINDERS_CRON, zone),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(this.reminders.fn, {
        role: this.scheduleRole,
        input,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    this.preSaleNoticesSchedule = new scheduler.Schedule(this, 'SendPreSaleNotices', {
      description: 'Pre-sale notices for cases in custody past their city’s waiting period (09:00 in the city’s time zone)',
      schedule: scheduler.ScheduleExpression.expression(props.preSaleNoticesCron ?? DEFAULT_PRE_SALE_NOTICES_CRON, zone),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(this.preSaleNotices.fn, {
        role: this.scheduleRole,
        input,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    acknowledgeWildcards(
      this.scheduleRole,
      { resources: [`${this.sweeper.fn.functionArn}:*`, `${this.reminders.fn.functionArn}:*`, `${this.preSaleNotices.fn.functionArn}:*`] },
      'Granted by the scheduler targets (Function.grantInvoke): each :* covers that one function’s versions and aliases.',
    );
    props.observability.watchDeadLetterQueues({ NoticeSchedules: this.deadLetterQueue });
  }
}
