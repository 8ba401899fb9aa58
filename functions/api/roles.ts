/**
 * Who is calling. API Gateway authenticates the request (IAM, SigV4) and puts the principal in the
 * request context; the configured grants map it to a role and the cities it may act for
 * (docs/LEGAL.md "Many cities", "Officers are accountable"). An assumed role arrives as
 * `arn:aws:sts::<account>:assumed-role/<name>/<session>` and matches the role
 * `arn:aws:iam::<account>:role/<path>/<name>`; an IAM user must match exactly.
 *
 * An officer is a person: only an assumed-role session may act as one, and the officer role's trust
 * policy makes the session name equal the verified `sts:SourceIdentity` (infra/constructs/api.ts),
 * so the session name is the identity recorded for every officer action.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The city's tax system, a tax officer, or an auditor (reads only). */
export type Role = 'CITY_SYSTEM' | 'OFFICER' | 'AUDITOR';
export const ROLES: readonly Role[] = ['CITY_SYSTEM', 'OFFICER', 'AUDITOR'];

/** One configured principal: its role and the cities it acts for. */
export interface CallerGrant {
  principal: string;
  role: Role;
  cities: readonly string[];
}

export interface Caller {
  role: Role;
  /** The configured ARN the caller matched: stable across sessions, scopes idempotency keys. */
  principal: string;
  /** The authenticated ARN itself (with the session name). */
  arn: string;
  /** The cities this caller may act for. */
  cities: readonly string[];
  /** Who acted, as recorded: an officer's or auditor's verified source identity, otherwise the ARN. */
  identity: string;
}

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
/** What STS accepts as a source identity. */
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

/** A comparable identity: `role:<partition>:<account>:<name>` for roles, the ARN itself otherwise. */
function identityOf(arn: string): string {
  const m = ASSUMED_ROLE.exec(arn) ?? ROLE.exec(arn);
  return m ? `role:${m[1]}:${m[2]}:${m[3]}` : arn;
}

/** Why a known principal is still refused (the caller hears it as a 403). */
export class UnverifiedCallerError extends Error {
  override readonly name = 'UnverifiedCallerError';
}

/** Cognito groups that make a signed-in person an officer or an auditor (a city system never signs in). */
export const CONSOLE_GROUPS: Readonly<Record<string, Role>> = { officer: 'OFFICER', auditor: 'AUDITOR' };

/**
 * A signed-in officer or auditor of the console API: the ID token's claims, verified by API Gateway's
 * Cognito authorizer (locally by the same check against the local pool's key), name the person
 * (`cognito:username`, recorded as the actor), their group (the role) and `custom:cities`.
 */
export function consoleCallerOf(claims: Readonly<Record<string, unknown>>): Caller | undefined {
  if (claims.token_use !== 'id') return undefined;
  const text = (name: string) => (typeof claims[name] === 'string' ? claims[name] : '');
  const groups = text('cognito:groups')
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
  const roles = new Set(groups.map((g) => CONSOLE_GROUPS[g]).filter((r): r is Role => r !== undefined));
  const [role] = roles;
  const username = text('cognito:username');
  const sub = text('sub');
  const cities = text('custom:cities')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (!role || roles.size !== 1 || !SOURCE_IDENTITY.test(username) || !sub || cities.length === 0) return undefined;
  return { role, principal: `cognito:${text('iss')}/${sub}`, arn: `cognito:${sub}`, cities, identity: username };
}

export function callerOf(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  grants: readonly CallerGrant[],
): Caller | undefined {
  const claims = (event.requestContext?.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
  if (claims) return consoleCallerOf(claims);
  const arn = event.requestContext?.identity?.userArn ?? undefined;
  if (!arn) return undefined;
  const identity = identityOf(arn);
  // A principal listed under two roles is refused rather than guessed.
  const matches = grants.filter((g) => identityOf(g.principal) === identity);
  const roles = new Set(matches.map((m) => m.role));
  const match = matches[0];
  if (!match || roles.size !== 1) return undefined;
  const cities = [...new Set(matches.flatMap((m) => m.cities))];
  if (match.role === 'CITY_SYSTEM') return { role: match.role, principal: match.principal, arn, cities, identity: arn };
  const session = ASSUMED_ROLE.exec(arn)?.[4];
  if (!session || !SOURCE_IDENTITY.test(session))
    throw new UnverifiedCallerError(
      `a ${match.role.toLowerCase()} must call through an assumed-role session named by its source identity`,
    );
  return { role: match.role, principal: match.principal, arn, cities, identity: session };
}

/** The actor recorded in the audit trail for what this caller does. */
export const actorOf = (caller: Caller): { kind: 'CITY_SYSTEM' | 'OFFICER'; id: string } => ({
  kind: caller.role === 'CITY_SYSTEM' ? 'CITY_SYSTEM' : 'OFFICER',
  id: caller.identity,
});
