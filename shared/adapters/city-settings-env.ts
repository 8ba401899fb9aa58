/**
 * City settings from a function's environment: the domain's defaults with the deployment's display
 * names, notice window and waiting period after custody (CDK context `noticeWindowDays` →
 * NOTICE_WINDOW_DAYS, `preSaleNoticeAfterCustodyDays` → PRE_SALE_NOTICE_AFTER_CUSTODY_DAYS). The seam
 * per-city settings items replace.
 */
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';
import { ConfigError, envWhole } from './env';

export function citySettingsFromEnv(env: NodeJS.ProcessEnv): (cityId: string) => CitySettings {
  let displayNames: Record<string, string> = {};
  if (env.CITY_DISPLAY_NAMES?.trim()) {
    try {
      displayNames = JSON.parse(env.CITY_DISPLAY_NAMES) as Record<string, string>;
    } catch {
      throw new ConfigError('CITY_DISPLAY_NAMES is not valid JSON');
    }
  }
  const preSaleNoticeDays = envWhole(env, 'NOTICE_WINDOW_DAYS', DEFAULT_CITY_SETTINGS.preSaleNoticeDays, 1, 365);
  const preSaleNoticeAfterCustodyDays = envWhole(env, 'PRE_SALE_NOTICE_AFTER_CUSTODY_DAYS', DEFAULT_CITY_SETTINGS.preSaleNoticeAfterCustodyDays, 0, 365);
  return (cityId) => ({
    ...DEFAULT_CITY_SETTINGS,
    cityId,
    displayName: displayNames[cityId] ?? (cityId === DEFAULT_CITY_SETTINGS.cityId ? DEFAULT_CITY_SETTINGS.displayName : cityId),
    preSaleNoticeDays,
    preSaleNoticeAfterCustodyDays,
  });
}
