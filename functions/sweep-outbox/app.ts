/**
 * The outbox sweeper (scheduled): finds notice records still PENDING whose last outbox activity
 * (creation, a failed attempt, an earlier re-send) is older than `quietMinutes`, in the sparse
 * outbox index (never a scan), and sends their queue messages again. Such a record's message was
 * lost: the process crashed between the commit and the send, or the send failed. A notice the
 * queue is still retrying is not quiet (each failure moves it forward in the index), and the
 * dispatcher never sends a SENT notice twice, so a re-send is always safe.
 *
 * Each re-sent record is marked (resends + 1, activity = now) so the next run leaves it alone for
 * another quiet period. A message that could not be sent is left as it was and the run fails (the
 * scheduler retries; the record is found again).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import type { NoticeMessage, SendOutcome } from '#adapters/sqs/notice-queue';

export interface SweeperDeps {
  outbox: Pick<DynamoDbOutboxStore, 'quietPendingNotices' | 'touchPending'>;
  send: (messages: readonly NoticeMessage[]) => Promise<SendOutcome>;
  /** Minutes a PENDING record must have been quiet before it is re-sent. */
  quietMinutes: number;
  /** Records re-sent per run at most (the rest wait for the next run). */
  limit?: number;
  logger: Logger;
  now?: () => Date;
}

export interface SweepResult {
  found: number;
  resent: number;
}

export class OutboxSweepError extends Error {
  override readonly name = 'OutboxSweepError';
  constructor(readonly failed: { noticeId: string; reason: string }[]) {
    super(
      `${failed.length} notice message(s) could not be sent: ${[...new Set(failed.map((f) => f.reason))].join(', ')}`,
    );
  }
}

export function createOutboxSweeper(deps: SweeperDeps): () => Promise<SweepResult> {
  const now = deps.now ?? (() => new Date());
  return async function sweep() {
    const at = now();
    const quietSince = new Date(at.getTime() - deps.quietMinutes * 60_000);
    const refs = await deps.outbox.quietPendingNotices(quietSince, deps.limit ?? 500);
    if (refs.length === 0) return { found: 0, resent: 0 };
    const outcome = await deps.send(refs);
    const sent = new Set(outcome.sent);
    let resent = 0;
    for (const ref of refs.filter((r) => sent.has(r.noticeId))) {
      if (await deps.outbox.touchPending(ref, at.toISOString())) resent += 1;
    }
    deps.logger.info('outbox swept', {
      found: refs.length,
      resent,
      failed: outcome.failed.length,
      noticeIds: refs.map((r) => r.noticeId),
    });
    if (outcome.failed.length > 0) throw new OutboxSweepError(outcome.failed);
    return { found: refs.length, resent };
  };
}
