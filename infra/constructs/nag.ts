/**
 * Helpers for precise cdk-nag acknowledgements. cdk-nag 3 reports one finding per wildcard
 * (`AwsSolutions-IAM5[Resource::<flattened ARN>]`, `AwsSolutions-IAM5[Action::<action>]`) on the
 * policy that holds it; an acknowledgement covers the construct it is placed on and everything
 * under it. So each acknowledgement names the exact finding, and sits either on a policy that
 * holds only the statements it is for, or on the default policy of a `OnePolicyRole`, which fails
 * the synth on any wildcard statement there that no acknowledgement was given for (a grant added
 * later). Every acknowledgement is listed in infra/README.md.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { Construct, IConstruct } from 'constructs';

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

/** The IAM5 findings a resolved statement would give: its wildcard resources and actions. */
function wildcardFindings(scope: IConstruct, statement: iam.PolicyStatement): string[] {
  const json = Stack.of(scope).resolve(statement.toStatementJson()) as { Action?: unknown; Resource?: unknown };
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined ? [] : [x]);
  return [
    ...list(json.Resource)
      .map((r) => flattenCfnReference(r))
      .filter((r) => r.includes('*'))
      .map((r) => `AwsSolutions-IAM5[Resource::${r}]`),
    ...list(json.Action)
      .filter((a): a is string => typeof a === 'string' && a.includes('*'))
      .map((a) => `AwsSolutions-IAM5[Action::${a}]`),
  ];
}

/**
 * A role whose grants all land in its one default policy (CloudFormation counts every policy
 * against the stack's 500 resources), yet whose acknowledgements stay as precise as policies of
 * their own: `grantAcknowledged` acknowledges a grant's wildcards on the default policy and
 * remembers that grant's statements, and the synth fails on any other statement in the policy that
 * holds a wildcard (a grant added later, even one with a finding already acknowledged there).
 */
export class OnePolicyRole extends iam.Role {
  private readonly granted: iam.PolicyStatement[] = [];
  private readonly acknowledged = new Set<iam.PolicyStatement>();

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.node.addValidation({
      validate: () =>
        this.granted
          .filter((s) => !this.acknowledged.has(s))
          .flatMap((s) => wildcardFindings(this, s))
          .map((finding) => `${finding} granted to ${this.node.path} outside an acknowledged grant`),
    });
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.granted.push(statement);
    return super.addToPrincipalPolicy(statement);
  }

  /**
   * Runs one grant (`grant(this)`, e.g. `table.grantReadWriteData`) and acknowledges these of its
   * wildcards, for its statements only.
   */
  grantAcknowledged(
    grant: (grantee: iam.IGrantable) => unknown,
    wildcards: { resources?: readonly string[]; actions?: readonly string[] },
    reason: string,
  ): void {
    const from = this.granted.length;
    grant(this);
    for (const statement of this.granted.slice(from)) this.acknowledged.add(statement);
    acknowledgeWildcards(this.node.findChild('DefaultPolicy'), wildcards, reason);
  }
}
