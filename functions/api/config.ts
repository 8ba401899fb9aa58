/**
 * The API's configuration, read once from the environment at start-up; a missing or malformed
 * variable stops the function before it serves anything.
 *
 *   TABLE_NAME                 the cases table
 *   SERVED_CITIES              comma-separated city ids this deployment serves
 *   CALLERS                    JSON [{ "principal": ARN, "role": CITY_SYSTEM|OFFICER|AUDITOR, "cities": [cityId] }]
 *   IDEMPOTENCY_TTL_SECONDS    how long an answer is kept for repeats (default 86400)
 *   DYNAMODB_ENDPOINT          DynamoDB Local, for the local stack and tests
 */
import { z } from 'zod';
import { ROLES, type CallerGrant } from './roles';
import { ConfigError, envList as list } from '#adapters/env';

export { ConfigError };

export interface ApiConfig {
  tableName: string;
  servedCities: ReadonlySet<string>;
  /** Every caller principal with its role and the cities it may act for. */
  callers: readonly CallerGrant[];
  idempotencyTtlSeconds: number;
}

export const CALLERS_ENV = 'CALLERS';

const Grants = z.array(
  z.object({ principal: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/), role: z.enum(ROLES as [string, ...string[]]), cities: z.array(z.string()).min(1) }).strict(),
);

/** Reads CALLERS: each principal's role and cities (every city one this deployment serves). */
export function parseCallers(text: string | undefined, servedCities: ReadonlySet<string>): CallerGrant[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text?.trim() || '[]');
  } catch {
    throw new ConfigError(`${CALLERS_ENV} is not valid JSON`);
  }
  const parsed = Grants.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${CALLERS_ENV} is not a list of { principal, role, cities }: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const grants = parsed.data as CallerGrant[];
  if (grants.length === 0) throw new ConfigError(`no caller is allowed: set ${CALLERS_ENV}`);
  for (const g of grants) {
    const unknown = g.cities.filter((c) => !servedCities.has(c));
    if (unknown.length > 0) throw new ConfigError(`${CALLERS_ENV}: ${g.principal} names cities this deployment does not serve: ${unknown.join(', ')}`);
  }
  return grants;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const missing = ['TABLE_NAME', 'SERVED_CITIES'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  const servedCities = new Set(list(env.SERVED_CITIES));
  for (const city of servedCities) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(city)) throw new ConfigError(`SERVED_CITIES holds an invalid city id: ${city}`);
  }
  const callers = parseCallers(env[CALLERS_ENV], servedCities);
  const ttl = env.IDEMPOTENCY_TTL_SECONDS?.trim() || '86400';
  if (!/^\d{1,8}$/.test(ttl) || Number(ttl) < 60) throw new ConfigError('IDEMPOTENCY_TTL_SECONDS must be a whole number of seconds, at least 60');
  return {
    tableName: (env.TABLE_NAME ?? '').trim(),
    servedCities,
    callers,
    idempotencyTtlSeconds: Number(ttl),
  };
}
