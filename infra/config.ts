/**
 * The stack's configuration: one typed object, read from CDK context and validated before any
 * construct is built. A wrong key fails the synth with the key's name, never a half-built stack.
 *
 * Keys (defaults for a `dev` Cheongju deployment live in cdk.json; override with `-c key=value`):
 *   stage, region, cities, exchange, notices, schedules, executionPolicy, callers,
 *   logRetentionDays, alarmEmail
 * (What differs between cities, such as the notice window, is each city's settings item in the table.)
 * Values given on the command line arrive as strings: objects and arrays are then read as JSON,
 * and `cities` / `callers.*` also accept the short forms documented on their schemas.
 */
import { z } from 'zod';

/** Context keys this app reads, each a top-level key of cdk.json's `context`. */
export const CONTEXT_KEYS = [
  'stage',
  'region',
  'cities',
  'exchange',
  'notices',
  'schedules',
  'executionPolicy',
  'callers',
  'logRetentionDays',
  'alarmEmail',
] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `-c key={"a":1}` arrives as a string; read JSON when the value looks like JSON. */
const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const t = v.trim();
    if (!/^[[{]/.test(t)) return v;
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return v; // left as a string, the schema reports the wrong type
    }
  }, schema);

const intFromString = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v), schema);

const cityId = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'lower-case letters, digits and dashes, 2 to 32 characters');

const city = z.object({ id: cityId, displayName: z.string().min(1) }).strict();

/** `cheongju:청주시,sejong:세종시` or JSON `[{"id":"cheongju","displayName":"청주시"}]`. */
const cities = json(
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v.split(',').map((pair) => {
            const [id, ...name] = pair.trim().split(':');
            return { id, displayName: name.join(':') };
          })
        : v,
    z.array(city).min(1, 'at least one city'),
  ),
).refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'city ids must be unique');

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, 'an IAM role or user ARN');

/** Comma-separated ARNs or a JSON array. */
const arnList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(roleArn),
);

/** EventBridge Scheduler expressions. */
const rateExpression = z.string().regex(/^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/, 'rate(N minutes)');
const cronExpression = z.string().regex(/^cron\((\S+ ){5}\S+\)$/, 'cron(min hour day-of-month month day-of-week year)');

export const StackConfigSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, 'lower-case letters and digits, 2 to 12 characters'),
    /** Seoul by default: the exchange is there, and latency matters for price checks. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as ap-northeast-2'),
    cities,
    exchange: json(
      z
        .object({
          id: z.literal('upbit'),
          baseUrl: z.url({ protocol: /^https$/ }),
          /** Requests per second by limit group over Upbit's documented ones (orders 12, other exchange calls 30, each quotation group 10). */
          rateLimits: z.record(z.string().regex(/^[a-z]+$/), z.number().int().min(2)).optional(),
        })
        .strict(),
    ),
    /**
     * How notices reach people: e-mail through SES from `emailFrom`, sent as the verified SES
     * identity `sesIdentity` (a domain or an address; the functions may send as nothing else);
     * where the exchange receives transfer demands; how long print batches stay in S3 Standard
     * before the archive class, and when they are deleted (a notice is a public record: years).
     */
    notices: json(
      z
        .object({
          emailFrom: z.string().min(3).max(320),
          sesIdentity: z
            .string()
            .regex(
              /^([a-z0-9-]+\.)+[a-z]{2,}$|^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,}$/i,
              'a domain or an e-mail address verified in SES',
            ),
          exchangeContact: z.object({ address: z.string().min(1).optional(), email: z.email().optional() }).strict(),
          printBatchArchiveDays: z.number().int().min(1).max(3650).default(30),
          printBatchRetentionDays: z.number().int().min(365).max(36500).default(3650),
          /**
           * The address the pre-sale notice prints for the taxpayer self-service page (with the code
           * after '#') and encodes in its QR code: a short address of the city's that leads to the
           * page (output TaxpayerPageSiteUrl), keeping what follows '#'. Absent: the page's own.
           */
          taxpayerPageUrl: z
            .url({ protocol: /^https$/ })
            .refine(
              (u) => !u.includes('#') && !u.includes('?'),
              'an https address without ? or #: the code goes after #',
            )
            .optional(),
        })
        .strict()
        .refine(
          (n) => n.emailFrom.toLowerCase().includes(n.sesIdentity.toLowerCase()),
          'emailFrom must be at (or be) sesIdentity',
        )
        .refine(
          (n) => n.exchangeContact.address !== undefined || n.exchangeContact.email !== undefined,
          'exchangeContact needs an address or an e-mail',
        ),
    ),
    schedules: json(
      z
        .object({
          pricePollRate: rateExpression,
          /** In `timezone` (Scheduler evaluates cron in a named zone, so 09:00 means 09:00 KST). */
          deadlineCheckCron: cronExpression,
          timezone: z.string().regex(/^[A-Za-z]+\/[A-Za-z_]+$/, 'an IANA zone such as Asia/Seoul'),
        })
        .strict(),
    ),
    /** Overrides of the sale execution policy; validated by the domain's policy schema where it is used. */
    executionPolicy: json(z.record(z.string(), z.unknown())),
    /**
     * Per city, the principals allowed to assume its API caller roles: its tax system, its officers
     * (IAM users: their user name becomes the verified source identity), its auditors. Outside a
     * development stage every city needs its tax system and officers; in one, an empty list means
     * "this account" (the role trusts the account root; IAM policy there grants sts:AssumeRole).
     */
    callers: json(
      z.record(cityId, z.object({ citySystem: arnList, officers: arnList, auditors: arnList.default([]) }).strict()),
    ),
    logRetentionDays: intFromString(
      z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
        message: `one of ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    ),
    /** Subscribed to the alarm topic when set. */
    alarmEmail: z.email().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = new Set(config.cities.map((c) => c.id));
    for (const city of Object.keys(config.callers)) {
      if (!ids.has(city))
        ctx.addIssue({ code: 'custom', path: ['callers', city], message: `${city} is not one of the cities` });
    }
    // Outside development a role must never trust the whole account (docs/LEGAL.md "Officers are accountable").
    if (isDevelopmentStage(config.stage)) return;
    for (const city of config.cities) {
      for (const kind of ['citySystem', 'officers'] as const) {
        if ((config.callers[city.id]?.[kind] ?? []).length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['callers', city.id, kind],
            message: `required outside a development stage: name the principals that may act for ${city.id}`,
          });
        }
      }
    }
  });

/** Stages named dev… are development stages: the only ones where empty callers may trust the account. */
export const isDevelopmentStage = (stage: string): boolean => /^dev/.test(stage);

export type StackConfig = z.infer<typeof StackConfigSchema>;

export class InvalidContextError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid CDK context for crypto-tax-recovery:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'InvalidContextError';
  }
}

/** Validates raw context values (as `node.tryGetContext` returns them); throws InvalidContextError. */
export function parseStackConfig(raw: Partial<Record<ContextKey, unknown>>): StackConfig {
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const result = StackConfigSchema.safeParse(present);
  if (!result.success) {
    throw new InvalidContextError(
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/** Reads every key of CONTEXT_KEYS from a construct's context. */
export function configFromContext(tryGetContext: (key: string) => unknown): StackConfig {
  const raw: Partial<Record<ContextKey, unknown>> = {};
  for (const key of CONTEXT_KEYS) raw[key] = tryGetContext(key);
  return parseStackConfig(raw);
}

/** The resource-name prefix for this deployment, e.g. `ctr-dev`. */
export const namePrefix = (config: StackConfig): string => `ctr-${config.stage}`;
