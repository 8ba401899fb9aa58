/**
 * The state machine definition as CloudFormation holds it (`DefinitionString`: an `Fn::Join` of
 * strings, `Ref`s and `Fn::GetAtt`s), resolved to plain ASL JSON for the local interpreter: every
 * Lambda ARN becomes a well-formed placeholder ARN naming the function's logical id, so each Task
 * state can then be bound by state name to a local handler.
 */

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown> & { Type: string }>;
  TimeoutSeconds?: number;
  Comment?: string;
}

export class DefinitionNotFoundError extends Error {
  override readonly name = 'DefinitionNotFoundError';
}

const PLACEHOLDER = { partition: 'aws', region: 'ap-northeast-2', account: '123456789012' };

/** A token's value: a Lambda's ARN, a resource's Ref, or a pseudo parameter. */
function resolveToken(token: unknown, template: CfnTemplate): string {
  if (typeof token === 'string') return token;
  if (token && typeof token === 'object') {
    const t = token as Record<string, unknown>;
    if ('Ref' in t) {
      const ref = String(t.Ref);
      if (ref === 'AWS::Partition') return PLACEHOLDER.partition;
      if (ref === 'AWS::Region') return PLACEHOLDER.region;
      if (ref === 'AWS::AccountId') return PLACEHOLDER.account;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return ref;
    }
    if ('Fn::GetAtt' in t) {
      const [logicalId, attribute] = t['Fn::GetAtt'] as [string, string];
      const type = template.Resources?.[logicalId]?.Type;
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') {
        return `arn:${PLACEHOLDER.partition}:lambda:${PLACEHOLDER.region}:${PLACEHOLDER.account}:function:${logicalId}`;
      }
      return `${logicalId}.${attribute}`;
    }
    if ('Fn::Join' in t) {
      const [sep, parts] = t['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveToken(p, template)).join(sep);
    }
  }
  throw new DefinitionNotFoundError(`cannot resolve ${JSON.stringify(token).slice(0, 200)}`);
}

/** The logical ids (before CDK's hash) of the sale's state machine and the sale desk's. */
export const SALE_MACHINE_ID = 'SaleWorkflowStateMachine';
export const DESK_MACHINE_ID = 'SaleWorkflowDeskStateMachine';

/** The ASL of the named state machine of a synthesized template (its logical id, with or without CDK's hash). */
export function resolveStateMachineDefinition(
  template: CfnTemplate,
  logicalId: string = SALE_MACHINE_ID,
): AslDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([id, r]) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      (id === logicalId || (id.startsWith(logicalId) && /^[0-9A-F]{8}$/.test(id.slice(logicalId.length)))),
  );
  const machine = machines[0];
  if (!machine)
    throw new DefinitionNotFoundError(`no state machine${logicalId ? ` ${logicalId}` : ''} in the template`);
  const definition = machine[1].Properties?.DefinitionString;
  return JSON.parse(resolveToken(definition, template)) as AslDefinition;
}

/** Which Task states run which function (by the logical id the placeholder ARN names). */
export function taskFunctions(definition: AslDefinition): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
    const m = /:function:([^:]+)$/.exec(state.Resource);
    if (m?.[1]) out[name] = m[1];
  }
  return out;
}
