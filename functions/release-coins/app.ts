/**
 * The release function (scheduled): carries every city's approved releases to the taxpayer.
 *
 *   APPROVED   the destination is checked against the account's allow list (refused when absent);
 *              the record is marked SENDING, then the withdrawal is asked for once
 *   SENDING    (a doubt: lost answer, timeout, 5xx, or a crash after marking) the currency's recent
 *              withdrawals are searched by amount, network and time; found: followed; not found
 *              `quietMinutes` after the request: back to APPROVED, to be asked again on a later run
 *   SENT       the withdrawal is followed until DONE (the taxpayer gets a release notice) or FAILED
 *              (reported: a metric, the log, the officer's list; a new destination and approvals retry it)
 *
 * One withdrawal per currency is in flight at a time: the exchange's answer carries no address, so
 * amount, network and time must be enough to tell ours apart. A run is a pass over open releases and
 * is idempotent: every change is written over the revision it read, and the next run is its retry.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  AddressNotAllowed,
  ExchangeError,
  InsufficientFunds,
  WithdrawalOutcomeUnknown,
  type WithdrawalAddress,
  type WithdrawalVenue,
} from '#adapters/exchange/exchange';
import type { DynamoDbReleaseStore } from '#adapters/dynamodb/release-store';
import type { PublishNotices } from '#adapters/sqs/notice-queue';
import { noticeSubject } from '#domain/case';
import type { CaseStore } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { kstDate } from '#domain/dates';
import { releaseNotice } from '#domain/notice-builders';
import {
  absentAfterDoubt,
  belowFee,
  currencyOf,
  followWithdrawal,
  isAllowListed,
  matchWithdrawal,
  refuseRelease,
  startSending,
  withdrawalRefused,
  withdrawalTerms,
  type ReleaseWork,
  type WithdrawalFees,
} from '#domain/release';

export interface ReleaseDeps {
  releases: Pick<DynamoDbReleaseStore, 'open' | 'save' | 'addNotice'>;
  cases: Pick<CaseStore, 'get'>;
  venue: WithdrawalVenue;
  /** The exchange's fee per withdrawal, taken from the released quantity (none to an account at the same exchange). */
  fees: WithdrawalFees;
  cities: readonly string[];
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  settings: CitySettingsSource;
  /** Minutes after a doubtful request before a search that finds nothing lets it be asked again. */
  quietMinutes: number;
  publishNotices?: PublishNotices;
  /** Counts outcomes (a metric per state reached). */
  count?: (outcome: 'ReleaseDone' | 'ReleaseFailed' | 'ReleaseRefused' | 'ReleaseInDoubt', n?: number) => void;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

export interface ReleaseRunResult {
  sent: number;
  resolved: number;
  done: number;
  failed: number;
  refused: number;
  inDoubt: number;
}

const DOUBT = (e: unknown) =>
  !(
    e instanceof AddressNotAllowed ||
    e instanceof InsufficientFunds ||
    (e instanceof ExchangeError &&
      e.status !== undefined &&
      e.status >= 400 &&
      e.status < 500 &&
      !(e instanceof WithdrawalOutcomeUnknown))
  );

export function createReleaseRun(deps: ReleaseDeps): () => Promise<ReleaseRunResult> {
  const now = deps.now ?? (() => new Date());
  const count = deps.count ?? (() => undefined);

  return async function run() {
    const result: ReleaseRunResult = { sent: 0, resolved: 0, done: 0, failed: 0, refused: 0, inDoubt: 0 };
    const open = (await Promise.all(deps.cities.map((c) => deps.releases.open(c))))
      .flat()
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const claimed = new Set(open.flatMap((r) => (r.withdrawal?.uuid ? [r.withdrawal.uuid] : [])));
    const inFlight = new Set(
      open.filter((r) => r.status === 'SENDING' || r.status === 'SENT').map((r) => currencyOf(r.market)),
    );
    let allowList: WithdrawalAddress[] | undefined;

    const save = async (before: ReleaseWork, after: ReleaseWork) => {
      await deps.releases.save(after, before.revision);
      if (after.status === 'DONE') {
        result.done += 1;
        count('ReleaseDone');
        await notifyDone(after);
      } else if (after.status === 'FAILED' && before.status !== 'FAILED') {
        result.failed += 1;
        count('ReleaseFailed');
        deps.logger.warn('release failed', {
          releaseId: after.releaseId,
          caseId: after.caseId,
          failure: after.failure,
        });
      }
      return after;
    };

    const notifyDone = async (r: ReleaseWork) => {
      const c = await deps.cases.get(r.cityId, r.caseId);
      if (!c) return;
      const at = now();
      const amount = r.withdrawal?.amount ?? r.quantity;
      const settings = await deps.settings.get(r.cityId);
      const notice = {
        noticeId: `${r.releaseId}.done`,
        kind: 'RELEASE' as const,
        content: releaseNotice(
          noticeSubject(c, kstDate(at), settings),
          [{ market: r.market, quantity: amount, reason: r.reason }],
          settings,
          kstDate(at),
        ),
      };
      await deps.releases.addNotice(c, notice, at.toISOString());
      await deps.publishNotices?.({ case: c, notices: [notice] });
    };

    /** Looks for the withdrawal a doubtful request became; never asks again before this. */
    const resolve = async (r: ReleaseWork): Promise<ReleaseWork> => {
      const list = await deps.venue.withdrawals({ currency: currencyOf(r.market), limit: 100 });
      const found = matchWithdrawal(r, list, claimed);
      if (found) {
        claimed.add(found.uuid);
        result.resolved += 1;
        return save(r, followWithdrawal(r, found, now()));
      }
      const sentAt = new Date(r.withdrawal?.sendingAt ?? 0).getTime();
      if (now().getTime() - sentAt >= deps.quietMinutes * 60_000) {
        inFlight.delete(currencyOf(r.market));
        return save(r, absentAfterDoubt(r, now()));
      }
      result.inDoubt += 1;
      count('ReleaseInDoubt');
      return r;
    };

    const send = async (r: ReleaseWork) => {
      const currency = currencyOf(r.market);
      if (inFlight.has(currency) || !r.destination) return;
      allowList ??= await deps.venue.withdrawalAddresses();
      if (!isAllowListed(r, allowList)) {
        result.refused += 1;
        count('ReleaseRefused');
        await save(
          r,
          refuseRelease(
            r,
            `ADDRESS_NOT_ALLOWED: ${r.destination.address} (${r.destination.netType}) is not registered for ${currency} withdrawals`,
            now(),
          ),
        );
        return;
      }
      const terms = withdrawalTerms(r, r.destination, deps.fees);
      const { transactionType, fee, amount } = terms;
      if (amount.lte(0)) {
        // The fees changed since the destination was recorded: the officer records the taxpayer's
        // account at this exchange (an internal transfer, no fee) and approves again.
        const refusal = belowFee(r, terms, deps.fees.venueId);
        result.refused += 1;
        await save(r, refuseRelease(r, `${refusal.code}: ${refusal.message}`, now()));
        return;
      }
      // Marked before the request: a crash or a lost answer leaves a record that says "look first".
      const sending = await save(r, startSending(r, { amount, fee, transactionType }, now()));
      inFlight.add(currency);
      result.sent += 1;
      try {
        const w = await deps.venue.withdraw({
          currency,
          netType: r.destination.netType,
          address: r.destination.address,
          ...(r.destination.secondaryAddress ? { secondaryAddress: r.destination.secondaryAddress } : {}),
          amount,
          transactionType,
        });
        claimed.add(w.uuid);
        await save(sending, followWithdrawal(sending, w, now()));
      } catch (e) {
        if (!DOUBT(e)) {
          inFlight.delete(currency);
          await save(sending, withdrawalRefused(sending, `${(e as Error).name}: ${(e as Error).message}`, now()));
          return;
        }
        deps.logger.warn('withdrawal outcome unknown: looking for it before anything else', {
          releaseId: r.releaseId,
          error: (e as Error).name,
        });
        await resolve(sending);
      }
    };

    for (const r of open) {
      try {
        if (r.status === 'SENDING') await resolve(r);
        else if (r.status === 'SENT' && r.withdrawal?.uuid) {
          const w = await deps.venue.getWithdrawal({ uuid: r.withdrawal.uuid });
          if (w.state !== r.withdrawal.state || w.txid !== r.withdrawal.txid)
            await save(r, followWithdrawal(r, w, now()));
        } else if (r.status === 'APPROVED') await send(r);
      } catch (e) {
        // One release's trouble does not stop the others; the next run takes it up again.
        deps.logger.error('release step failed', {
          releaseId: r.releaseId,
          error: (e as Error).name,
          message: (e as Error).message,
        });
      }
    }
    deps.logger.info('releases run', { ...result });
    return result;
  };
}
