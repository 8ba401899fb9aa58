/** Korean names of the API's codes. */
import { group } from '../shared/format';

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

/** The sale-quality figures' Korean names (keys as the sale settlement records them; per market `name:KRW-XXX`). */
const QUALITY_LABEL: Record<string, string> = {
  paperValueKrw: '도착 시점 평가액',
  implementationShortfallKrw: '실행 부족분',
  implementationShortfallBps: '실행 부족분 (bp)',
  arrivalSlippageBps: '도착가 대비 슬리피지 (bp)',
  overshootKrw: '필요액 초과 매각',
  slices: '분할 주문 수',
  pauses: '일시 정지 수',
  arrivalPrice: '도착 시점 가격',
  averagePrice: '평균 체결가',
  participationBps: '시장 참여율 (bp)',
};

/** A quality figure's label and its value as officers read it (won for amounts and prices, grouped digits otherwise). */
export function qualityFigure(key: string, value: string): { label: string; value: string } {
  const [name = key, market] = key.split(':');
  const label = QUALITY_LABEL[name] ?? name;
  const amount = /Krw$|Price$/.test(name);
  return {
    label: market ? `${market.replace(/^KRW-/, '')} ${label}` : label,
    value: amount ? `${group(value)}원` : group(value),
  };
}

/** An order's state as the sale records it (a slice of one case or a desk's pooled order). */
export const ORDER_STATUS_LABEL: Record<string, string> = {
  PLANNED: '계획',
  SENDING: '전송 중',
  PLACED: '접수',
  DONE: '체결 완료',
  ABSENT: '미전송',
  IN_DOUBT: '확인 중',
};

/** Which limit sized a slice (the policy's caps, the exchange's minimum, the desk's pace). */
export const SLICE_BINDING_LABEL: Record<string, string> = {
  REMAINING: '남은 전량',
  PARTICIPATION: '시장 참여율 한도',
  DEPTH: '호가 깊이 한도',
  DAILY_CAP: '일일 한도',
  EXCHANGE_MINIMUM: '거래소 최소 주문',
  VALID_TAIL: '남는 수량 조정',
  WHOLE_REMAINDER: '잔량 일괄',
  SCHEDULE: '매각 일정',
};

/** Step Functions' state types and visit outcomes, in Korean. */
export const STATE_TYPE_LABEL: Record<string, string> = {
  Task: '작업',
  Choice: '분기',
  Wait: '대기',
  Pass: '전달',
  Succeed: '성공 종료',
  Fail: '실패 종료',
  Map: '반복',
  Parallel: '병렬',
};
export const VISIT_LABEL: Record<string, string> = { RUNNING: '진행 중', SUCCEEDED: '완료', FAILED: '실패' };
export const EXECUTION_LABEL: Record<string, string> = {
  RUNNING: '실행 중',
  SUCCEEDED: '성공',
  FAILED: '실패',
  TIMED_OUT: '시간 초과',
  ABORTED: '중단',
};

/** Why a case left a sale desk, or why the desk ended or decided (codes the sale workflow records). */
export const DESK_REASON_LABEL: Record<string, string> = {
  COVERED: '필요액 충당',
  ALL_SOLD: '전량 매각',
  ON_HOLD: '보류',
  NOTHING_OWED: '체납액 없음',
  STOPPED_BY_OFFICER: '공무원 중지',
  SALE_EXPIRED: '매각 기간 경과',
  APPROVAL_TIMED_OUT: '승인 기한 경과',
  SALE_FAILED: '매각 실패',
  DESK_ENDED: '창구 종료',
  OFFER_SOLD: '제공 수량 매각 완료',
  NO_MEMBERS: '참여 사건 없음',
  DAY_OVER: '매각일 종료',
  RUN_SPAN: '실행 시간 한도',
};
export const DESK_ACTION_LABEL: Record<string, string> = { SELL: '주문', WAIT: '대기', END: '종료' };
/** A recorded code in Korean where there is a name for it (`BLOCKED:…`, `ESCALATED:…` keep their detail). */
export const deskReason = (code: string): string => DESK_REASON_LABEL[code] ?? code;
