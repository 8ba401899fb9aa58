/** Korean names of the API's codes. */
export const STATUS_LABEL: Record<string, string> = {
  REGISTERED: '등록',
  TRANSFER_REQUESTED: '이전 요청',
  IN_CUSTODY: '보관 중',
  NOTICE_SENT: '매각 예고',
  DUE: '매각 대기',
  SELLING: '매각 중',
  SETTLED: '정산 완료',
  SHORTFALL: '부족 정산',
  PAID: '납부 완료',
  ON_HOLD: '보류',
  CANCELLED: '취소',
};

export const COVERAGE_LABEL: Record<string, string> = {
  UNDER: '부족',
  COVERED: '충당',
  NOTHING_OWED: '체납 없음',
  NO_COINS: '코인 없음',
  UNPRICED: '시세 없음',
};
