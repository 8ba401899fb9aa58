/**
 * Per-city settings the rules depend on. Items DESIGN.md marks "(confirm)" live here as
 * configuration, never as literals in the rules.
 */

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
};
