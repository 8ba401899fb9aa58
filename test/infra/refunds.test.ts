/**
 * Refund instructions in the dev Cheongju stack: the daily schedule, what the refund run may do
 * with the files (write under refunds/ only), and the finance system's read-only pickup role.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { REFUND_INSTRUCTIONS_CRON } from '../../infra/constructs/refunds';
import { buildTestApp, cdkJsonContext, resourcesOfType, synthesizedTemplate } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromJSON(synthesizedTemplate());
const resolve = (value: unknown): unknown => stack.resolve(value);
const timezone = (cdkJsonContext().schedules as { timezone: string }).timezone;
const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** Every statement of the policies attached to a role (by the role's logical id). */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => ((p.Properties?.Roles as { Ref: string }[]) ?? []).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}
const s3Actions = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:')))].sort();
const objectsUnder = (prefix: string) => resolve(stack.noticeDelivery.bucket.arnForObjects(`${prefix}*`));

describe('refund instructions', () => {
  const fn = stack.refunds.instructor;

  it('runs daily at 07:00 in the city’s zone, with the schedule’s dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: REFUND_INSTRUCTIONS_CRON,
      ScheduleExpressionTimezone: timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: resolve(fn.fn.functionArn),
        DeadLetterConfig: { Arn: resolve(stack.refunds.run.deadLetterQueue.queueArn) },
      },
    });
    expect(REFUND_INSTRUCTIONS_CRON).toBe('cron(0 7 * * ? *)');
  });

  it('lets the refund run write files under refunds/ only (no read, no delete, not the print batches), told which bucket', () => {
    const statements = statementsOf(logicalId(fn.role));
    const onBucket = statements.filter((s) =>
      JSON.stringify(s.Resource).includes(JSON.stringify(resolve(stack.noticeDelivery.bucket.bucketArn)).slice(1, -1)),
    );
    expect(s3Actions(statements)).toEqual(['s3:PutObject']);
    expect(onBucket.map((s) => s.Resource)).toEqual([objectsUnder('refunds/')]);
    const variables = (
      resourcesOfType(template, 'AWS::Lambda::Function')[logicalId(fn.fn)]?.Properties?.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(variables.REFUND_FILE_BUCKET).toEqual(resolve(stack.noticeDelivery.bucket.bucketName));
    expect(variables.EXCHANGE_SECRET_ARN).toBeUndefined();
  });

  it('gives the finance system a read-only role for refunds/ and nothing of the print batches; the contractor none of the refunds', () => {
    const finance = statementsOf(logicalId(stack.refunds.pickupRole));
    expect(s3Actions(finance)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(finance.find((s) => s.Action === 's3:GetObject')?.Resource).toEqual(objectsUnder('refunds/'));
    expect(finance.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: { 's3:prefix': ['refunds/*'] },
    });
    const printer = statementsOf(logicalId(stack.noticeDelivery.pickupRole));
    expect(printer.find((s) => s.Action === 's3:GetObject')?.Resource).toEqual(objectsUnder('print/'));
  });
});
