/**
 * The API's configuration, read once from the environment at start-up; a missing or malformed
 * variable stops the function before it serves anything.
 *
 *   TABLE_NAME                 the cases table
 *   SERVED_CITIES              comma-separated city ids this deployment serves
 *   CITY_DISPLAY_NAMES         JSON { cityId: display name } (optional)
 *   CITY_SYSTEM_ROLE_ARNS      comma-separated IAM role (or user) ARNs of the city's tax system
 *   OFFICER_ROLE_ARNS          comma-separated IAM role (or user) ARNs of tax officers
 *   IDEMPOTENCY_TTL_SECONDS    how long an answer is kept for repeats (default 86400)
 *   NOTICE_QUEUE_URL           the notice queue (absent: notices wait for the outbox sweeper)
 *   SALE_REQUEST_QUEUE_URL     the sale request queue (absent: the deadline check finds the request)
 *   DYNAMODB_ENDPOINT          DynamoDB Local, for the local stack and tests
 */
import * as z from 'zod/mini';
import type { CitySettings } from '#domain/city-settings';
import { citySettings, cityIds, ConfigError, ENV, list, optional, parseEnv, required, whole } from '#adapters/env';
import { noticeSettingsEnv, withNoticeSettings } from '#adapters/city-settings-env';
import type { Role } from './roles';

export { ConfigError };

export interface ApiConfig {
  tableName: string;
  servedCities: ReadonlySet<string>;
  roleArns: Record<Role, readonly string[]>;
  idempotencyTtlSeconds: number;
  noticeQueueUrl?: string;
  saleRequestQueueUrl?: string;
  /** The rules' settings for a served city. */
  settingsFor: (cityId: string) => CitySettings;
}

const ApiEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.servedCities]: cityIds(),
  [ENV.cityDisplayNames]: citySettings(),
  [ENV.citySystemRoleArns]: list(),
  [ENV.officerRoleArns]: list(),
  [ENV.idempotencyTtlSeconds]: whole(86_400, 60, 99_999_999),
  [ENV.noticeQueueUrl]: optional(),
  [ENV.saleRequestQueueUrl]: optional(),
  ...noticeSettingsEnv(),
});

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(ApiEnv, env);
  const roleArns = { CITY_SYSTEM: e[ENV.citySystemRoleArns], OFFICER: e[ENV.officerRoleArns] };
  if (roleArns.CITY_SYSTEM.length + roleArns.OFFICER.length === 0) throw new ConfigError(`no caller is allowed: set ${ENV.citySystemRoleArns} and/or ${ENV.officerRoleArns}`);
  const noticeQueueUrl = e[ENV.noticeQueueUrl];
  const saleRequestQueueUrl = e[ENV.saleRequestQueueUrl];
  return {
    tableName: e[ENV.tableName],
    servedCities: new Set(e[ENV.servedCities]),
    roleArns,
    idempotencyTtlSeconds: e[ENV.idempotencyTtlSeconds],
    ...(noticeQueueUrl ? { noticeQueueUrl } : {}),
    ...(saleRequestQueueUrl ? { saleRequestQueueUrl } : {}),
    settingsFor: withNoticeSettings(e[ENV.cityDisplayNames], e),
  };
}
