/**
 * Local credentials: the stand-in for IAM (SigV4) on the local stack. `.local/credentials.json`
 * names each key's caller: a principal ARN and the role the API's configuration maps it to. A
 * client sends `Authorization: Bearer <key>`; the local HTTP server puts the key's principal in
 * `requestContext.identity.userArn`, exactly where API Gateway puts an authenticated caller, and
 * the API's own caller configuration (CALLERS: role and cities per principal) does the rest. A
 * request without a known key never reaches the handler; nothing defaults to an officer.
 *
 * The file is created on first start (mode 0600) with, for each city, a city-system key and three
 * officer keys (four eyes: one officer cannot approve alone what they changed), and an auditor key.
 * The session name of an officer is their key's name: it stands for the verified source identity.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Role } from '../functions/api/roles';

/** The account local principals live in (never a real one). */
export const LOCAL_ACCOUNT = '000000000000';

const KeyEntry = z.strictObject({
  /** A label for people (shown by `npm run ops -- whoami`); not secret. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  role: z.enum(['CITY_SYSTEM', 'OFFICER', 'AUDITOR']),
  /** The cities this caller acts for. */
  cities: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/)).min(1),
  /** The IAM role the caller stands for: listed in the API's role configuration. */
  roleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/),
  key: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
});
export type CredentialKey = z.infer<typeof KeyEntry>;

const CredentialsFile = z.strictObject({
  note: z.string().optional(),
  keys: z.array(KeyEntry).min(1),
});
export type Credentials = z.infer<typeof CredentialsFile>;

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const roleArnFor = (name: string) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/local/${name}`;
const newKey = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

export function defaultCredentials(cities: readonly string[] = ['cheongju', 'sejong']): Credentials {
  const [first, ...others] = cities;
  const perCity = (city: string, prefix: string): CredentialKey[] => [
    {
      name: `${prefix}city-tax-system`,
      role: 'CITY_SYSTEM',
      cities: [city],
      roleArn: roleArnFor(`${city}-tax-system`),
      key: newKey('city'),
    },
    ...['officer', 'officer-2', 'officer-3'].map((name): CredentialKey => ({
      name: `${prefix}${name}`,
      role: 'OFFICER',
      cities: [city],
      roleArn: roleArnFor(`${city}-tax-officer`),
      key: newKey('officer'),
    })),
  ];
  return {
    note: 'Keys of the local stack (npm start). Send one as "Authorization: Bearer <key>". Each key is a caller: its roleArn is mapped to a role and cities by the API configuration, as IAM roles are on AWS.',
    keys: [
      ...(first ? perCity(first, '') : []),
      ...others.flatMap((city) => perCity(city, `${city}-`)),
      { name: 'auditor', role: 'AUDITOR', cities: [...cities], roleArn: roleArnFor('auditor'), key: newKey('auditor') },
    ],
  };
}

/** Reads the credentials file, creating it with fresh keys when absent. */
export function loadOrCreateCredentials(
  path: string,
  cities?: readonly string[],
): { credentials: Credentials; created: boolean } {
  if (!existsSync(path)) {
    const credentials = defaultCredentials(cities);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    chmodSync(path, 0o600);
    return { credentials, created: true };
  }
  return { credentials: readCredentials(path), created: false };
}

export function readCredentials(path: string): Credentials {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CredentialsError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = CredentialsFile.safeParse(raw);
  if (!parsed.success)
    throw new CredentialsError(
      `${path} is not a valid credentials file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const keys = parsed.data.keys;
  if (new Set(keys.map((k) => k.key)).size !== keys.length)
    throw new CredentialsError(`${path}: two entries share a key`);
  // One role ARN, one role: the API refuses a principal listed under both anyway.
  for (const k of keys) {
    if (keys.some((o) => o.roleArn === k.roleArn && o.role !== k.role))
      throw new CredentialsError(`${path}: ${k.roleArn} is listed under two roles`);
  }
  return parsed.data;
}

/** The first key of a role (for a city, when given): what the seeder and the officers' CLI use. */
export function keyFor(credentials: Credentials, role: Role, cityId?: string, nth = 0): CredentialKey {
  const k = credentials.keys.filter((x) => x.role === role && (cityId === undefined || x.cities.includes(cityId)))[nth];
  if (!k)
    throw new CredentialsError(
      `the credentials file has no ${role} key${cityId ? ` for ${cityId}` : ''}${nth > 0 ? ` (number ${nth + 1})` : ''}`,
    );
  return k;
}

/** Adds a second officer for each city that has one only, to a credentials file written before there were two (in memory only): releases need two different officers' approvals. */
export function withSecondOfficer(credentials: Credentials): Credentials {
  const added: CredentialKey[] = [];
  for (const city of new Set(credentials.keys.flatMap((k) => k.cities))) {
    const officers = credentials.keys.filter((k) => k.role === 'OFFICER' && k.cities.includes(city));
    const first = officers[0];
    if (!first || officers.length >= 2) continue;
    added.push({
      name: `${first.name}-2`,
      role: 'OFFICER',
      cities: [city],
      roleArn: first.roleArn,
      key: newKey('officer'),
    });
  }
  return added.length ? { ...credentials, keys: [...credentials.keys, ...added] } : credentials;
}

/** The API's caller configuration (CALLERS, read by functions/api/config.ts): each role ARN's role and cities. */
export function roleEnv(credentials: Credentials): { CALLERS: string } {
  const byArn = new Map<string, { principal: string; role: Role; cities: string[] }>();
  for (const k of credentials.keys) {
    const grant = byArn.get(k.roleArn) ?? { principal: k.roleArn, role: k.role, cities: [] };
    grant.cities = [...new Set([...grant.cities, ...k.cities])];
    byArn.set(k.roleArn, grant);
  }
  return { CALLERS: JSON.stringify([...byArn.values()]) };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface Authenticated {
  /** The principal as API Gateway reports an assumed role: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  userArn: string;
  name: string;
  role: Role;
}

/** Maps a presented key to its caller; compares digests in constant time. */
export function authenticator(
  credentials: Credentials,
): (authorization: string | undefined) => Authenticated | undefined {
  const entries = credentials.keys.map((k) => ({ entry: k, digest: digest(k.key) }));
  return (authorization) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!presented) return undefined;
    const d = digest(presented);
    const match = entries.find((e) => timingSafeEqual(e.digest, d));
    if (!match) return undefined;
    const roleName = match.entry.roleArn.split('/').pop() ?? match.entry.name;
    const account = /^arn:aws:iam::(\d{12}):/.exec(match.entry.roleArn)?.[1] ?? LOCAL_ACCOUNT;
    return {
      userArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${match.entry.name}`,
      name: match.entry.name,
      role: match.entry.role,
    };
  };
}
