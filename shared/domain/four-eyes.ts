/**
 * The four-eyes rule: an act that moves value out (a release of coins, a large sale) takes the
 * approvals of `required` different officers. Pure: callers keep the approvals on their own record.
 */

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

/** Adds one officer's approval; the same officer twice is refused, and so is an approval beyond `required`. */
export function addApproval(approvals: readonly Approval[], approval: Approval, required = 2): { approvals: Approval[]; complete: boolean } {
  if (approvals.length >= required) throw new FourEyesError('ALREADY_APPROVED', `already approved by ${required} officers`);
  if (approvals.some((a) => a.by === approval.by)) throw new FourEyesError('SAME_OFFICER', 'a second approval must come from a different officer');
  const next = [...approvals, approval];
  return { approvals: next, complete: next.length >= required };
}

export const isApproved = (approvals: readonly Approval[], required = 2): boolean => new Set(approvals.map((a) => a.by)).size >= required;
