/**
 * Per-city settings the rules depend on. Items DESIGN.md marks "(confirm)" live here as
 * configuration, never as literals in the rules.
 */
import type { Decimal } from './money';
import { won } from './money';

export interface CitySettings {
  cityId: string;
  displayName: string;
  /** 국고금 관리법 §47: drop amounts under 10 won from computed surcharges (local governments may apply it). */
  truncateUnder10Won: boolean;
  /** Days between the pre-sale notice and its deadline (the law sets no minimum; Cheongju: about two months). */
  preSaleNoticeDays: number;
  /** Reminders this many days before the deadline. */
  reminderDaysBefore: number[];
  /** Planned sale value above which an officer must approve before the first order. */
  approvalThresholdKrw: Decimal;
  contact: { department: string; phone: string };
}

export const DEFAULT_CITY_SETTINGS: CitySettings = {
  cityId: 'cheongju',
  displayName: '청주시',
  truncateUnder10Won: true,
  preSaleNoticeDays: 45,
  reminderDaysBefore: [7, 1],
  approvalThresholdKrw: won('50000000'),
  contact: { department: '징수과', phone: '043-201-0000' },
};
