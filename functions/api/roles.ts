/**
 * Who is calling. API Gateway authenticates the request (IAM, SigV4) and puts the principal in the
 * request context; configured role ARNs map it to the city's tax system or an officer. An assumed
 * role arrives as `arn:aws:sts::<account>:assumed-role/<name>/<session>` and matches the role
 * `arn:aws:iam::<account>:role/<path>/<name>`; an IAM user must match exactly.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export type Role = 'CITY_SYSTEM' | 'OFFICER';

export interface Caller {
  role: Role;
  /** The configured ARN the caller matched: stable across sessions, scopes idempotency keys. */
  principal: string;
  /** The authenticated ARN itself (with the session name): recorded in the audit trail. */
  arn: string;
}

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/** A comparable identity: `role:<partition>:<account>:<name>` for roles, the ARN itself otherwise. */
function identityOf(arn: string): string {
  const m = ASSUMED_ROLE.exec(arn) ?? ROLE.exec(arn);
  return m ? `role:${m[1]}:${m[2]}:${m[3]}` : arn;
}

export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>, roleArns: Record<Role, readonly string[]>): Caller | undefined {
  const arn = event.requestContext?.identity?.userArn ?? undefined;
  if (!arn) return undefined;
  const identity = identityOf(arn);
  // A principal listed under both roles is refused rather than guessed.
  const matches = (Object.keys(roleArns) as Role[]).flatMap((role) => roleArns[role].filter((r) => identityOf(r) === identity).map((principal) => ({ role, principal })));
  const roles = new Set(matches.map((m) => m.role));
  const match = matches[0];
  if (!match || roles.size !== 1) return undefined;
  return { role: match.role, principal: match.principal, arn };
}
