/**
 * Helpers for precise cdk-nag acknowledgements. cdk-nag 3 reports one finding per wildcard
 * (`AwsSolutions-IAM5[Resource::<flattened ARN>]`); acknowledging exactly those, rather than the
 * rule, keeps any wildcard added later visible.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** The form cdk-nag gives an ARN (tokens included) in an IAM5 finding. */
export function nagResource(scope: IConstruct, arn: string): string {
  return flattenCfnReference(Stack.of(scope).resolve(arn));
}

/** Acknowledges the IAM5 findings for these wildcard resources and actions on `scope`. */
export function acknowledgeWildcards(
  scope: IConstruct,
  wildcards: { resources?: readonly string[]; actions?: readonly string[] },
  reason: string,
): void {
  const ids = [
    ...(wildcards.resources ?? []).map((r) => `AwsSolutions-IAM5[Resource::${nagResource(scope, r)}]`),
    ...(wildcards.actions ?? []).map((a) => `AwsSolutions-IAM5[Action::${a}]`),
  ];
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}
