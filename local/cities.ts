/**
 * The demo's cities: Cheongju with the product's default settings, and Sejong with settings unlike
 * Cheongju's in every field a notice prints (department, phone, guides, accounts), a different
 * notice window, waiting period after custody and reminders, and no 10-won truncation. One deployment serves both.
 */
import { DEFAULT_CITY_SETTINGS, type CitySettings } from '#domain/city-settings';

export const SEJONG_SETTINGS: CitySettings = {
  cityId: 'sejong',
  displayName: '세종특별자치시',
  truncateUnder10Won: false,
  preSaleNoticeDays: 30,
  preSaleNoticeAfterCustodyDays: 21,
  reminderDaysBefore: [5],
  notices: {
    department: '세원관리과',
    phone: '044-300-1234',
    paymentGuide: '세종시 지방세 가상계좌 또는 위택스로 납부하실 수 있습니다.',
    saleRequestGuide: '세원관리과에 전화하시면 원하시는 때에 매각을 요청하실 수 있습니다.',
    refundGuide: '세종시에 신고하신 환급계좌로 지급합니다.',
    exchangeName: '업비트',
    cityAccount: '업비트 세종특별자치시 체납징수 계정',
    returnedTo: '업비트 본인 계정(세종시 반환)',
    transferDays: 5,
  },
  payment: {
    accounts: [{ bank: '하나은행', number: '100-000000-00000', holder: '세종특별자치시' }],
    onlineUrl: 'https://www.wetax.go.kr',
  },
};

export const DEMO_CITY_SETTINGS: readonly CitySettings[] = [DEFAULT_CITY_SETTINGS, SEJONG_SETTINGS];
