/**
 * Per-city settings the rules and notices depend on: configuration, never literals in the rules.
 * One deployment serves many cities, so each city's settings are data its officers maintain (a
 * settings item per city in the table, docs/LEGAL.md "Many cities"); every function reads them
 * through the `CitySettingsSource` port. `DEFAULT_CITY_SETTINGS` is Cheongju's, for the demo and tests.
 */
// zod's mini build: this schema is bundled into most Lambdas, which need no more of zod than this.
import * as z from 'zod/mini';

export interface CitySettings {
  cityId: string;
  displayName: string;
  /** 국고금 관리법 §47: drop amounts under 10 won from computed surcharges (local governments may apply it). */
  truncateUnder10Won: boolean;
  /** Days from the day the pre-sale notice takes effect (reaches the taxpayer, 기본법 §32) to its deadline (the law sets no minimum). */
  preSaleNoticeDays: number;
  /** Days the city waits after custody is complete before the pre-sale notice goes out (may be 0; Cheongju: seizures in September, notices in October). */
  preSaleNoticeAfterCustodyDays: number;
  /** Reminders this many days before the deadline. */
  reminderDaysBefore: number[];
  /** What notices print about the city: contact, how to pay, how to ask for a sale, refunds. */
  notices: {
    department: string;
    phone: string;
    paymentGuide: string;
    saleRequestGuide: string;
    refundGuide: string;
    exchangeName: string;
    /** The city's own account at the exchange, where seized coins are moved. */
    cityAccount: string;
    /** Where released coins go. */
    returnedTo: string;
    /** Days the exchange has to move seized coins. */
    transferDays: number;
  };
  /** Where a taxpayer pays, as the self-service page lists it (the notices print `notices.paymentGuide`). */
  payment?: PaymentDetails;
}

export interface PaymentDetails {
  /** The city's collection accounts (a per-case virtual account, where the city issues one, is on the bill). */
  accounts: { bank: string; number: string; holder: string }[];
  /** The national local-tax payment site, or the city's own. */
  onlineUrl?: string;
  /** Office hours and counter for payment in person. */
  inPerson?: string;
}

export const DEFAULT_CITY_SETTINGS: CitySettings = {
  cityId: 'cheongju',
  displayName: '청주시',
  truncateUnder10Won: true,
  preSaleNoticeDays: 45,
  preSaleNoticeAfterCustodyDays: 30,
  reminderDaysBefore: [7, 1],
  notices: {
    department: '징수과',
    phone: '043-201-0000',
    paymentGuide: '위택스, 지방세 가상계좌 또는 은행 창구에서 납부하실 수 있습니다.',
    saleRequestGuide: '징수과 전화 또는 방문으로 원하시는 때에 매각을 요청하실 수 있습니다.',
    refundGuide: '신고하신 환급계좌로 지급합니다. 계좌를 알려 주시지 않은 경우 징수과로 연락해 주십시오.',
    exchangeName: '업비트',
    cityAccount: '업비트 청주시 체납징수 계정',
    returnedTo: '업비트 본인 계정',
    transferDays: 7,
  },
  payment: {
    accounts: [{ bank: '농협은행', number: '301-0000-0000-00', holder: '청주시 징수과' }],
    onlineUrl: 'https://www.wetax.go.kr',
    inPerson: '청주시청 징수과 창구, 평일 09:00-18:00',
  },
};

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const whole = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/** The one schema for a city's settings: the settings route validates with it, and so does every read of the stored item. */
export const CitySettingsSchema = z.strictObject({
  cityId: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes')),
  displayName: text(40),
  truncateUnder10Won: z.boolean(),
  preSaleNoticeDays: whole(1, 365),
  preSaleNoticeAfterCustodyDays: whole(0, 365),
  reminderDaysBefore: z.array(whole(0, 60)).check(z.maxLength(5)),
  notices: z.strictObject({
    department: text(40),
    phone: z.string().check(z.regex(/^[0-9]{2,4}-[0-9]{3,4}-[0-9]{4}$/, 'a phone number such as 043-201-0000')),
    paymentGuide: text(500),
    saleRequestGuide: text(500),
    refundGuide: text(500),
    exchangeName: text(40),
    cityAccount: text(100),
    returnedTo: text(100),
    transferDays: whole(1, 60),
  }),
  payment: z.optional(
    z.strictObject({
      accounts: z
        .array(
          z.strictObject({
            bank: text(40),
            number: z.string().check(z.regex(/^[0-9-]{6,30}$/, 'digits and dashes')),
            holder: text(60),
          }),
        )
        .check(z.maxLength(5)),
      onlineUrl: z.optional(z.url({ protocol: /^https$/ }).check(z.maxLength(200))),
      inPerson: z.optional(text(200)),
    }),
  ),
});

export class InvalidCitySettingsError extends Error {
  override readonly name = 'InvalidCitySettingsError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid city settings: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`);
  }
}

/** Validates settings from anywhere (a request body, a stored item); throws InvalidCitySettingsError. */
export function parseCitySettings(value: unknown): CitySettings {
  const result = CitySettingsSchema.safeParse(value);
  if (!result.success)
    throw new InvalidCitySettingsError(
      result.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
    );
  return result.data;
}

/** A served city nobody has configured: nothing may be done for it until its officers do. */
export class CitySettingsMissingError extends Error {
  override readonly name = 'CitySettingsMissingError';
  constructor(readonly cityId: string) {
    super(`city ${cityId} has no settings: its officers must set them first`);
  }
}

/** Where every function reads a city's settings (a port: the DynamoDB source caches them briefly). */
export interface CitySettingsSource {
  /** The city's settings; throws CitySettingsMissingError for a city with none. */
  get(cityId: string): Promise<CitySettings>;
}

/** Fixed settings, for pure tests and tools that have no table. */
export function fixedCitySettings(...all: CitySettings[]): CitySettingsSource {
  return {
    get: (cityId) => {
      const found = all.find((s) => s.cityId === cityId);
      return found ? Promise.resolve(found) : Promise.reject(new CitySettingsMissingError(cityId));
    },
  };
}
