/**
 * A function run on an EventBridge Scheduler schedule, in the city's time zone, with both of its
 * failure paths ending in one alarmed dead-letter queue:
 * - the scheduler could not deliver (throttled, permissions): its retry policy, then the DLQ;
 * - the run threw: the scheduler invokes Lambda asynchronously, so Lambda's own retries (none when
 *   the next run is the retry), then its on-failure destination, the same DLQ.
 * The schedule assumes its own role, which only this account's default schedule group may assume
 * (the target would otherwise make one at stack level); the target grants it invoke on the function
 * and send on the DLQ. The DLQ holds schedule events only (no personal data): SQS-managed encryption,
 * so neither the scheduler nor Lambda needs the data key.
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppFunction } from './function';
import { acknowledgeWildcards } from './nag';
import type { Observability } from './observability';

export interface ScheduledFunctionProps {
  readonly fn: AppFunction;
  /** What a run does, for the console. */
  readonly description: string;
  /** EventBridge Scheduler expression, `rate(...)` or `cron(...)`, read in `timezone`. */
  readonly expression: string;
  /** IANA zone (config `schedules.timezone`). */
  readonly timezone: string;
  /** The scheduler's delivery attempts after the first. */
  readonly deliveryRetries: number;
  /** Lambda's retries of a run that threw (0: the next run is the retry). */
  readonly runRetries: number;
  /** How long an event is kept trying, by the scheduler and by Lambda. */
  readonly maxEventAge: Duration;
  /** Default 14 days. */
  readonly deadLetterRetention?: Duration;
  /** Default `{ source: 'schedule', scheduledTime }`: the scheduled time names the run (a retry has the same). */
  readonly input?: Record<string, unknown>;
  readonly observability: Observability;
  /** The DLQ alarm's name in the observability construct. */
  readonly alarmName: string;
}

export class ScheduledFunction extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);
    const fn = props.fn.fn;
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      // TLS only: the stack's one queue policy (requireTlsOnQueues in queues.ts).
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of a schedule and of its function’s asynchronous invocations (a destination cdk-nag does not recognise as a DLQ).',
    });
    fn.configureAsyncInvoke({
      retryAttempts: props.runRetries,
      maxEventAge: props.maxEventAge,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'ScheduleRole', {
      description: `Lets EventBridge Scheduler invoke ${props.fn.node.id}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: props.description,
      schedule: scheduler.ScheduleExpression.expression(props.expression, TimeZone.of(props.timezone)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(fn, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject(
          props.input ?? { source: 'schedule', scheduledTime: scheduler.ContextAttribute.scheduledTime },
        ),
        retryAttempts: props.deliveryRetries,
        maxEventAge: props.maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    acknowledgeWildcards(
      this.role,
      { resources: [`${fn.functionArn}:*`] },
      'Granted by the scheduler target (Function.grantInvoke): the :* covers this one function’s versions and aliases.',
    );
    props.observability.watchDeadLetterQueues({ [props.alarmName]: this.deadLetterQueue });
  }
}
