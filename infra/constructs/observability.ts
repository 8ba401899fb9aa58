/**
 * Alarms and the dashboard. Every alarm notifies one encrypted SNS topic (officers subscribe to
 * it); `addAlarm` is how other constructs add theirs, `dashboard` is where they add widgets.
 * Alarms here: any message in a dead-letter queue, any API 5xx. Others (failed or timed-out sale
 * executions, stale prices) come with the workflows they watch.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  readonly namePrefix: string;
  readonly alarmEmail?: string;
}

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Its own key: CloudWatch must be allowed to use it, and the data key should not widen for that.
    const key = new kms.Key(this, 'AlarmKey', {
      alias: `alias/${props.namePrefix}-alarms`,
      description: 'Encrypts the alarm topic of crypto-tax-recovery',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY, // holds only alarm messages in flight
    });
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatchPrincipal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Alarms', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: 'crypto-tax-recovery alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces the default one: let CloudWatch publish.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.action = new actions.SnsAction(this.topic);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-overview`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: '# crypto-tax-recovery\nRecovered won, open arrears and sale quality are added with the workflows.',
        width: 24,
        height: 2,
      }),
    );
  }

  /** Sends the alarm to the topic (on alarm and on recovery) and keeps it listed. */
  addAlarm(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** One alarm per dead-letter queue: a single message there is a case needing a person. */
  watchDeadLetterQueues(queues: Readonly<Record<string, sqs.IQueue>>): void {
    const widgets: cloudwatch.IMetric[] = [];
    for (const [name, queue] of Object.entries(queues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      });
      widgets.push(depth.with({ label: name }));
      this.addAlarm(
        new cloudwatch.Alarm(this, `${name}DlqNotEmpty`, {
          alarmDescription: `Messages in the ${name} dead-letter queue: inspect, fix and redrive`,
          metric: depth,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth', left: widgets, width: 12 }),
    );
  }

  /** A 5xx alarm and a dashboard row per API; `name` tells the APIs apart (the cities' API is 'Api'). */
  watchApi(api: apigw.RestApi, name = 'Api', title = 'API'): void {
    const errors = api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' });
    this.addAlarm(
      new cloudwatch.Alarm(this, `${name}5xx`, {
        alarmDescription: `${title} answered 5xx`,
        metric: errors,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title,
        left: [
          api.metricCount({ period: Duration.minutes(5), statistic: 'Sum' }),
          api.metricClientError({ period: Duration.minutes(5), statistic: 'Sum' }),
          errors,
        ],
        right: [api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' })],
        width: 12,
      }),
    );
  }
}
