/**
 * The release function's configuration, read once at start-up.
 *
 *   TABLE_NAME                  the cases table
 *   SERVED_CITIES               comma-separated city ids
 *   CITY_DISPLAY_NAMES          JSON { cityId: display name } (optional)
 *   WITHDRAWAL_SECRET_ARN       the withdrawal key (a secret of its own, readable only by this function)
 *   EXCHANGE_BASE_URL, EXCHANGE_ID
 *   WITHDRAWAL_FEES             JSON { currency: fee per withdrawal } as the exchange publishes them
 *   RELEASE_QUIET_MINUTES       after a doubt, minutes before a search that finds nothing lets it be asked again (default 30)
 *   NOTICE_QUEUE_URL            the notice queue (absent: release notices wait for the outbox sweeper)
 */
import { ConfigError, envWhole } from '#adapters/env';
import { decimal, type Decimal, ZERO } from '#domain/money';
import { loadReminderConfig } from '../send-reminders/config';
import type { CitySettings } from '#domain/city-settings';

export { ConfigError };

export interface ReleaseConfig {
  tableName: string;
  cities: string[];
  settingsFor(cityId: string): CitySettings;
  secretArn: string;
  baseUrl: string;
  venueId: string;
  fees: Record<string, Decimal>;
  quietMinutes: number;
  queueUrl?: string;
}

export function loadReleaseConfig(env: NodeJS.ProcessEnv = process.env): ReleaseConfig {
  const base = loadReminderConfig(env);
  const missing = ['WITHDRAWAL_SECRET_ARN', 'EXCHANGE_BASE_URL'].filter((n) => !env[n]?.trim());
  if (missing.length > 0) throw new ConfigError(`missing environment variables: ${missing.join(', ')}`);
  let fees: Record<string, Decimal> = {};
  try {
    fees = Object.fromEntries(Object.entries(JSON.parse(env.WITHDRAWAL_FEES?.trim() || '{}') as Record<string, string>).map(([c, f]) => [c, decimal(String(f))]));
  } catch {
    throw new ConfigError('WITHDRAWAL_FEES must be JSON { currency: decimal string }');
  }
  return {
    ...base,
    secretArn: (env.WITHDRAWAL_SECRET_ARN ?? '').trim(),
    baseUrl: (env.EXCHANGE_BASE_URL ?? '').trim(),
    venueId: env.EXCHANGE_ID?.trim() || 'upbit',
    fees,
    quietMinutes: envWhole(env, 'RELEASE_QUIET_MINUTES', 30, 5, 1440),
  };
}

export const feeOf = (fees: Record<string, Decimal>) => (currency: string, type: 'default' | 'internal'): Decimal => (type === 'internal' ? ZERO : (fees[currency] ?? ZERO));
