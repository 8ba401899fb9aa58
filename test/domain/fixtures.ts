import { openBill } from '#domain/account';
/** Small builders for domain tests: amounts are written out as strings, as the city sends them. */
import type { AssessedBill, Bill } from '#domain/bills';
import { DEFAULT_CITY_SETTINGS, type CitySettings, type CitySettingsSource } from '#domain/city-settings';
import type { Actor, TransitionContext } from '#domain/case';
import { won } from '#domain/money';

/** A bill as of a date, with what was paid on it (for allocation tests). */
export function bill(
  partial: Partial<Omit<Bill, 'cost' | 'tax' | 'surcharge'>> & {
    cost?: string;
    tax: string;
    surcharge?: string;
    paid?: { cost?: string; tax?: string; surcharge?: string };
  },
): Bill {
  const open = openBill(cityBill(partial));
  const paid = (v: string | undefined) => won(v ?? '0');
  return {
    ...open,
    cost: { ...open.cost, paid: paid(partial.paid?.cost) },
    tax: { ...open.tax, paid: paid(partial.paid?.tax) },
    surcharge: { ...open.surcharge, paid: paid(partial.paid?.surcharge) },
  };
}

/** The city's figures for a bill, as a case stores them. */
export function cityBill(
  partial: Partial<Omit<AssessedBill, 'cost' | 'tax' | 'surcharge'>> & {
    cost?: string;
    tax: string;
    surcharge?: string;
  },
): AssessedBill {
  const dueDate = partial.dueDate ?? '2024-03-31';
  return {
    billId: partial.billId ?? 'B1',
    taxItem: partial.taxItem ?? '지방소득세',
    provincial: partial.provincial ?? false,
    ...(partial.liabilityDate ? { liabilityDate: partial.liabilityDate } : {}),
    dueDate,
    cost: won(partial.cost ?? '0'),
    tax: won(partial.tax),
    surcharge: won(partial.surcharge ?? '0'),
    surchargeAsOf: partial.surchargeAsOf ?? dueDate,
  };
}

export const officer: Actor = { kind: 'OFFICER', id: 'officer-1' };
export const citySystem: Actor = { kind: 'CITY_SYSTEM', id: 'city' };

/** A context at 10:00 KST on the given date. */
export function at(
  date: string,
  actor: Actor = citySystem,
  settings: CitySettings = DEFAULT_CITY_SETTINGS,
): TransitionContext {
  return { now: new Date(`${date}T01:00:00Z`), actor, settings };
}

/** A settings source that answers these settings for any city (tests of functions that only pass them on). */
export const sameSettingsForEveryCity = (settings: CitySettings = DEFAULT_CITY_SETTINGS): CitySettingsSource => ({
  get: (cityId) => Promise.resolve({ ...settings, cityId }),
});
