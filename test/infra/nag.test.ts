/**
 * cdk-nag acknowledgements cover exactly the statements they give a reason for: a wildcard granted
 * later, anywhere, still fails the synth. Each test adds such a grant to a fresh copy of the stack.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { buildTestApp, REPO_ROOT } from './helpers';

const IAM5 = /AwsSolutions-IAM5/;

describe('cdk-nag acknowledgements', () => {
  it('leave a wildcard resource granted later to the state machine’s role failing the synth', () => {
    const { app, stack } = buildTestApp();
    stack.sales.workflow.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }),
    );
    expect(() => app.synth()).toThrow(IAM5);
  });

  it('leave the data-key actions on another key failing the synth, for a table-bound function and a queue producer', () => {
    const { app, stack } = buildTestApp();
    const other = new kms.Key(stack, 'OtherKey', { enableKeyRotation: true });
    other.grantEncrypt(stack.apiFunction); // kms:ReEncrypt*, kms:GenerateDataKey* on a key that is not the table's
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::kms:(ReEncrypt|GenerateDataKey)\*\]/);
  });

  it('cover only their own grant in a function’s one policy: a later grant with the same finding still fails the synth', () => {
    // The role's default policy already holds an acknowledged Resource::* (X-Ray) and kms:ReEncrypt* (the table).
    const { app, stack } = buildTestApp();
    stack.apiFunction.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(
      /AwsSolutions-IAM5\[Resource::\*\] granted to .*ApiFunction\/Role outside an acknowledged grant/,
    );
  });

  it('are each listed in infra/README.md', () => {
    const { stack } = buildTestApp();
    const readme = readFileSync(path.join(REPO_ROOT, 'infra', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## cdk-nag acknowledgements'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Finding'));
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          // CDK's own template-validation acknowledgements (CloudFormation-Validate::…) are not cdk-nag's.
          .map((m) => ({
            path: c === stack ? 'Stack' : c.node.path,
            ids: Object.keys(m.data as Record<string, string>).filter((id) =>
              id.startsWith('Annotation::AwsSolutions-'),
            ),
          })),
      )
      .filter((a) => a.ids.length > 0);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path: where, ids } of acknowledged) {
      // The README names each acknowledged construct (its last id segment) and each rule on it.
      const construct = where.split('/').at(-1) ?? '';
      for (const id of ids) {
        const rule = /AwsSolutions-(\w+)/.exec(id)?.[1] ?? id;
        const finding = /\[(Resource|Action)::(.*)\]$/.exec(id)?.[1];
        const row = rows.find(
          (r) => r.includes(`\`${construct}\``) && r.includes(rule) && (!finding || r.includes(finding)),
        );
        expect({ where, id, row: row !== undefined }).toEqual({ where, id, row: true });
      }
    }
  });
});
