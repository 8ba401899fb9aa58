/**
 * Helpers for precise cdk-nag acknowledgements. cdk-nag 3 reports one finding per wildcard
 * (`AwsSolutions-IAM5[Resource::<flattened ARN>]`, `AwsSolutions-IAM5[Action::<action>]`) on the
 * policy that holds it; an acknowledgement covers the construct it is placed on and everything
 * under it. So each acknowledged wildcard is placed on a policy of its own that holds only the
 * statements it is for (never on a role's default policy, where a later grant would land), and
 * names the exact finding. Every acknowledgement is listed in infra/README.md.
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

/** Stands for a role in grants, but puts what is granted in one policy of its own. */
class OwnPolicyPrincipal extends iam.PrincipalBase {
  override readonly principalAccount: string | undefined;

  constructor(
    private readonly role: iam.IRole,
    private readonly policy: iam.Policy,
  ) {
    super();
    this.principalAccount = role.principalAccount;
  }

  get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  override dedupeString(): string | undefined {
    return undefined;
  }
}

/**
 * A policy `id` on `role` for one grant (`grant(grantee)`, e.g. `table.grantReadWriteData`), so
 * the grant's wildcards can be acknowledged on that policy alone.
 */
export function grantInOwnPolicy(
  scope: Construct,
  id: string,
  role: iam.IRole,
  grant: (grantee: iam.IGrantable) => unknown,
): iam.Policy {
  const policy = new iam.Policy(scope, id, { roles: [role] });
  grant({ grantPrincipal: new OwnPolicyPrincipal(role, policy) });
  return policy;
}
