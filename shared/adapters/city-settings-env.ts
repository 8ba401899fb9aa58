/**
 * The city settings the notices depend on, from the deployment's environment: the notice window
 * (CDK context `noticeWindowDays` → NOTICE_WINDOW_DAYS) and the waiting period after custody
 * (`preSaleNoticeAfterCustodyDays` → PRE_SALE_NOTICE_AFTER_CUSTODY_DAYS), over the display names'
 * settings (env.ts `citySettings`). The seam per-city settings items replace.
 */
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';
import { ENV, whole } from './env';

/** Fields for a function's env schema. */
export const noticeSettingsEnv = () => ({
  [ENV.noticeWindowDays]: whole(DEFAULT_CITY_SETTINGS.preSaleNoticeDays, 1, 365),
  [ENV.preSaleNoticeAfterCustodyDays]: whole(DEFAULT_CITY_SETTINGS.preSaleNoticeAfterCustodyDays, 0, 365),
});

export function withNoticeSettings(base: (cityId: string) => CitySettings, e: { [ENV.noticeWindowDays]: number; [ENV.preSaleNoticeAfterCustodyDays]: number }): (cityId: string) => CitySettings {
  return (cityId) => ({ ...base(cityId), preSaleNoticeDays: e[ENV.noticeWindowDays], preSaleNoticeAfterCustodyDays: e[ENV.preSaleNoticeAfterCustodyDays] });
}
