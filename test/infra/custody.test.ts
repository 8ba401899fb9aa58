/**
 * Releases and custody reconciliation in the dev Cheongju stack: who may read which exchange key,
 * the schedules and the alarms (building the template runs cdk-nag).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { RECONCILE_CRON, RELEASE_RATE } from '../../infra/constructs/custody';
import { buildTestApp, synthesizedTemplate, cdkJsonContext, resourcesOfType } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const resolve = (value: unknown): unknown => stack.resolve(value);
const timezone = (cdkJsonContext().schedules as { timezone: string }).timezone;

type Statement = { Action: string | string[]; Resource: unknown };
/** The roles (by logical id) whose policies allow reading a secret. */
function readersOf(secretArn: unknown): string[] {
  const policies = resourcesOfType(template, 'AWS::IAM::Policy');
  const readers = new Set<string>();
  for (const p of Object.values(policies)) {
    const statements = ((p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? []).filter((s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    if (!statements.some((s) => JSON.stringify(s.Resource) === JSON.stringify(secretArn))) continue;
    for (const role of (p.Properties?.Roles as { Ref: string }[]) ?? []) readers.add(role.Ref);
  }
  return [...readers].sort();
}
const roleOf = (fn: { role: { roleArn: string; node: { defaultChild?: unknown } } }) =>
  stack.getLogicalId(fn.role.node.defaultChild as never);
const env = (fn: { fn: { node: { defaultChild?: unknown } } }) => {
  const id = stack.getLogicalId(fn.fn.node.defaultChild as never);
  return (
    resourcesOfType(template, 'AWS::Lambda::Function')[id]?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
};

describe('exchange keys', () => {
  it('lets only the release function read the withdrawal key, and it reads no other', () => {
    expect(readersOf(resolve(stack.exchange.withdrawalSecret.secretArn))).toEqual([roleOf(stack.custody.releaser)]);
    expect(readersOf(resolve(stack.exchange.secret.secretArn))).not.toContain(roleOf(stack.custody.releaser));
    expect(env(stack.custody.releaser)).toMatchObject({
      WITHDRAWAL_SECRET_ARN: resolve(stack.exchange.withdrawalSecret.secretArn),
    });
    expect(env(stack.custody.releaser).EXCHANGE_SECRET_ARN).toBeUndefined();
  });

  it('gives the trading key to the sale’s market steps, the sweep of orders in doubt and the reconciliation, and no key to the price poller', () => {
    const trading = readersOf(resolve(stack.exchange.secret.secretArn));
    expect(trading).toEqual(
      [
        roleOf(stack.sales.marketSteps),
        roleOf(stack.sales.sweepOrdersInDoubt),
        roleOf(stack.custody.reconciler),
      ].sort(),
    );
    expect(trading).not.toContain(roleOf(stack.prices.poller));
    expect(readersOf(resolve(stack.exchange.withdrawalSecret.secretArn))).not.toContain(roleOf(stack.prices.poller));
    expect(env(stack.prices.poller).EXCHANGE_SECRET_ARN).toBeUndefined();
    expect(env(stack.prices.poller).WITHDRAWAL_SECRET_ARN).toBeUndefined();
  });

  it('names the trading key to no other function, and grants no secret read on a wildcard', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const withKey = Object.entries(functions)
      .filter(
        ([, f]) =>
          (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
            ?.EXCHANGE_SECRET_ARN !== undefined,
      )
      .map(([id]) => id);
    const fnId = (f: { fn: { node: { defaultChild?: unknown } } }) =>
      stack.getLogicalId(f.fn.node.defaultChild as never);
    expect(withKey.sort()).toEqual(
      [fnId(stack.sales.marketSteps), fnId(stack.sales.sweepOrdersInDoubt), fnId(stack.custody.reconciler)].sort(),
    );
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? [],
    );
    const wildcardReads = statements.filter(
      (s) =>
        [s.Action].flat().some((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:*') &&
        [s.Resource].flat().some((r) => r === '*'),
    );
    expect(wildcardReads).toEqual([]);
  });
});

describe('schedules and alarms', () => {
  it('runs releases every 5 minutes and the reconciliation daily, in the city’s zone', () => {
    for (const [fn, run, expression] of [
      [stack.custody.releaser, stack.custody.releaseRun, RELEASE_RATE],
      [stack.custody.reconciler, stack.custody.reconcileRun, RECONCILE_CRON],
    ] as const) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: timezone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: resolve(fn.fn.functionArn), DeadLetterConfig: { Arn: resolve(run.deadLetterQueue.queueArn) } },
      });
    }
  });

  it('lets the sale’s case steps ask for a reconciliation after a settlement', () => {
    expect(env(stack.sales.caseSteps).RECONCILE_FUNCTION_NAME).toEqual(
      resolve(stack.custody.reconciler.fn.functionName),
    );
  });

  it('alarms on a custody difference and on a failed release, to the alarm topic', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties ?? {});
    const on = (metric: string) => alarms.find((a) => a.MetricName === metric);
    expect(on('CustodyDifferences')).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'service', Value: 'reconcile-custody' }],
      AlarmActions: [expect.anything()],
    });
    expect(on('ReleaseFailed')).toMatchObject({
      Threshold: 0,
      Statistic: 'Sum',
      Dimensions: [{ Name: 'service', Value: 'release-coins' }],
    });
  });
});
