/**
 * One turn of the sale desk of a (city account, market): every case selling that coin sells through
 * one order per slice (docs/SALE-DESK.md).
 *
 * 1. The desk's limit price is the policy band's floor (`lowestAllowedPrice` without a taxpayer
 *    limit); the cases taking part are those free to sell whose floor price is at or below it
 *    (`eligibleParticipants`). A case with a higher floor waits until the market lifts the band above it.
 * 2. The pace: the Almgren–Chriss slice for what they hold together (`planSchedule`), at least one
 *    exchange minimum, the whole rest when what would remain could not be sold in two orders.
 * 3. The caps: `nextSlice` on that quantity with the desk's aggregate figures, so the participation,
 *    depth and daily caps bind the city's account as a whole, not each case.
 * 4. The split: `splitSlice` pro rata to what each case still needs to sell.
 */
import { splitSlice, eligibleParticipants, type DeskParticipant, type SliceSplit } from './desk-allocation';
import {
  lowestAllowedPrice,
  nextSlice,
  type ExecutionPolicy,
  type PricePoint,
  type SliceDecision,
  type SliceInput,
} from './execution-policy';
import { Decimal, ZERO, ceilToStep, floorToStep, max, min, sum } from './money';
import { DEFAULT_SCHEDULE_PARAMS, planSchedule, type Schedule, type ScheduleParams } from './sale-schedule';

/** `nextSlice`'s input for the desk's aggregate (its total planned for the day's run, sold since 00:00 KST), without the rest: the cases say it. */
export interface DeskTurnInput extends Omit<SliceInput, 'remainingQuantity'> {
  readonly schedule?: ScheduleParams;
  readonly participants: readonly DeskParticipant[];
  readonly recentPrices: readonly PricePoint[];
  /** Slice intervals left before the horizon the desk gave itself. */
  readonly intervalsLeft?: number;
}

export interface DeskTurn {
  readonly decision: SliceDecision;
  /** The offers of the cases when the decision is SELL (their sum is the decision's quantity). */
  readonly split?: SliceSplit;
  /** Absent when no case can take part. */
  readonly schedule?: Schedule;
  /** Coins the eligible cases hold together for this market. */
  readonly eligibleQuantity: Decimal;
}

export function nextDeskSlice(input: DeskTurnInput): DeskTurn {
  const { policy, lotSize } = input;
  const bandPolicy: ExecutionPolicy = { ...policy, taxpayerLimitPrice: undefined };
  const limit = lowestAllowedPrice(input.referencePrice, input.tickSize, bandPolicy);
  const eligible = eligibleParticipants(input.participants, limit, lotSize);
  const rest = floorToStep(sum(eligible.map((p) => p.leftToSell)), lotSize);
  if (rest.isZero()) return { decision: { action: 'DONE' }, eligibleQuantity: ZERO };

  const schedule = planSchedule({
    remainingQuantity: rest,
    lotSize,
    params: input.schedule ?? DEFAULT_SCHEDULE_PARAMS,
    ...(input.intervalsLeft === undefined ? {} : { intervalsLeft: input.intervalsLeft }),
    observation: {
      mid: input.referencePrice,
      bids: input.bids,
      volumePerInterval: input.recentTradedVolume.mul(policy.sliceIntervalMs).div(policy.volumeLookbackMs),
      recentPrices: input.recentPrices,
      intervalMs: policy.sliceIntervalMs,
    },
  });
  // The caps first, on the whole rest (so thin books and quiet markets wait as they do for one case);
  // then the schedule's pace, never below one exchange minimum, never leaving an unsellable tail.
  const capped = nextSlice({
    policy: bandPolicy,
    now: input.now,
    remainingQuantity: rest,
    referencePrice: input.referencePrice,
    bids: input.bids,
    tickSize: input.tickSize,
    lotSize,
    minOrderKrw: input.minOrderKrw,
    recentTradedVolume: input.recentTradedVolume,
    plannedTotalQuantity: input.plannedTotalQuantity,
    soldTodayQuantity: input.soldTodayQuantity,
    averageDailyTradedValue: input.averageDailyTradedValue,
  });
  let decision: SliceDecision = capped;
  if (capped.action === 'SELL') {
    const smallest = max(lotSize, ceilToStep(input.minOrderKrw.div(capped.limitPrice), lotSize));
    const paced = min(capped.quantity, max(schedule.quantity, smallest));
    const tail = rest.sub(paced);
    if (paced.lt(capped.quantity) && (tail.isZero() || tail.gte(smallest)))
      decision = { ...capped, quantity: paced, binding: 'SCHEDULE' };
  }
  if (decision.action !== 'SELL') return { decision, schedule, eligibleQuantity: rest };
  const split = splitSlice({
    quantity: decision.quantity,
    limitPrice: decision.limitPrice,
    lotSize,
    participants: eligible,
    // A case's tail below one minimum order goes whole in a pooled order (never left as dust).
    minimumQuantity: max(lotSize, ceilToStep(input.minOrderKrw.div(decision.limitPrice), lotSize)),
  });
  return { decision: { ...decision, quantity: split.quantity }, split, schedule, eligibleQuantity: rest };
}
