/**
 * Four eyes (docs/LEGAL.md "Officers are accountable"): an irreversible act on seized property
 * above a threshold — a forced sale now, a release of coins later — is approved by an officer who
 * did not ask for it and did not last change what it rests on (the case's bills or holds); above
 * a second, higher threshold by two different such officers. A release of coins always takes two
 * different officers (`addApproval`). Pure: callers keep the approvals on their own record.
 */
import type { Decimal } from './money';

export interface ApprovalThresholds {
  /** At or above this value (won) one officer's approval is needed. */
  approvalThresholdKrw: Decimal;
  /** At or above this value two different officers' approvals are needed. */
  dualApprovalThresholdKrw: Decimal;
}

/** How many different officers must approve an act of this value. */
export function approvalsNeeded(valueKrw: Decimal, thresholds: ApprovalThresholds): 0 | 1 | 2 {
  if (valueKrw.gte(thresholds.dualApprovalThresholdKrw)) return 2;
  if (valueKrw.gte(thresholds.approvalThresholdKrw)) return 1;
  return 0;
}

export interface ApprovalRequest {
  /** The officer approving, by verified identity. */
  approver: string;
  /** Who asked for the act and who last changed what it rests on (absent where nobody did). */
  interested: readonly (string | undefined)[];
  /** Officers who already approved this act. */
  approvedBy: readonly string[];
}

/** Why this officer may not approve, or null when they may. */
export function fourEyesRefusal(request: ApprovalRequest): 'INTERESTED_OFFICER' | 'ALREADY_APPROVED_BY_THEM' | null {
  if (request.interested.some((who) => who !== undefined && who === request.approver)) return 'INTERESTED_OFFICER';
  if (request.approvedBy.includes(request.approver)) return 'ALREADY_APPROVED_BY_THEM';
  return null;
}

/** Whether the approvals given are enough: that many different officers. */
export const approvalComplete = (approvedBy: readonly string[], needed: number): boolean =>
  new Set(approvedBy).size >= needed;

/** One officer's approval, as a record keeps it. */
export interface Approval {
  /** The approving officer's authenticated identity. */
  by: string;
  at: string;
}

export class FourEyesError extends Error {
  override readonly name = 'FourEyesError';
  constructor(
    readonly code: 'SAME_OFFICER' | 'ALREADY_APPROVED',
    message: string,
  ) {
    super(message);
  }
}

/** Adds one officer's approval (releases); the same officer twice is refused, and so is an approval beyond `required`. */
export function addApproval(
  approvals: readonly Approval[],
  approval: Approval,
  required = 2,
): { approvals: Approval[]; complete: boolean } {
  if (approvals.length >= required)
    throw new FourEyesError('ALREADY_APPROVED', `already approved by ${required} officers`);
  if (fourEyesRefusal({ approver: approval.by, interested: [], approvedBy: approvals.map((a) => a.by) }))
    throw new FourEyesError('SAME_OFFICER', 'a second approval must come from a different officer');
  const next = [...approvals, approval];
  return {
    approvals: next,
    complete: approvalComplete(
      next.map((a) => a.by),
      required,
    ),
  };
}

export const isApproved = (approvals: readonly Approval[], required = 2): boolean =>
  approvalComplete(
    approvals.map((a) => a.by),
    required,
  );
