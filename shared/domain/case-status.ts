/**
 * Every status a case can be in, in the order of its life (docs/LEGAL.md and shared/domain/case.ts
 * say what each allows). A module of its own, so that the API's schemas and the status index's
 * readers list them without loading the case's rules.
 */
export const CASE_STATUSES = [
  'REGISTERED',
  'TRANSFER_REQUESTED',
  'IN_CUSTODY',
  'NOTICE_SENT',
  'DUE',
  'SELLING',
  'SETTLED',
  'SHORTFALL',
  'PAID',
  'ON_HOLD',
  'CANCELLED',
] as const;

export type CaseStatus = (typeof CASE_STATUSES)[number];
