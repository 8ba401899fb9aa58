/**
 * When a market's shared quote may stand in for a case's own read (functions/sale/shared-quotes.ts):
 * read within one slice interval of the case's clock, either side (a quote shared while the case
 * waited, or stamped by a Lambda whose clock runs a little ahead, is as fresh as one read now), not
 * stale for the guards, its rules younger than the desk keeps its own.
 */
import type { MarketSnapshot } from '#adapters/dynamodb/sale-store';
import { isFresh, SHARED_QUOTE_RULES, type SharedQuoteRules } from '../../../functions/sale/shared-quotes';

const MINUTE = 60_000;
const NOW = Date.parse('2026-09-15T00:00:00.000Z');
const rules: SharedQuoteRules = {
  ...SHARED_QUOTE_RULES,
  maxReadAgeMs: MINUTE,
  maxPriceAgeMs: 5 * MINUTE,
  rulesMaxAgeMs: 15 * MINUTE,
};
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
/** A shared quote read `readMs`, quoted `quotedMs` and its rules read `rulesMs` from now (negative: before). */
const quote = (readMs: number, quotedMs = readMs, rulesMs = readMs) => ({
  // Only its quote time is judged here; the rest of the snapshot is the exchange's figures.
  snapshot: { market: 'KRW-BTC', quotedAt: at(quotedMs) } as MarketSnapshot,
  readAt: at(readMs),
  rulesReadAt: at(rulesMs),
});

it('takes a quote read within one slice interval before now', () => {
  expect(isFresh(quote(0), NOW, rules)).toBe(true);
  expect(isFresh(quote(-MINUTE), NOW, rules)).toBe(true);
  expect(isFresh(quote(-MINUTE - 1), NOW, rules)).toBe(false);
});

it('takes a quote read after now (shared while the case waited), but not one stamped far ahead', () => {
  expect(isFresh(quote(30_000), NOW, rules)).toBe(true);
  expect(isFresh(quote(MINUTE), NOW, rules)).toBe(true);
  expect(isFresh(quote(MINUTE + 1), NOW, rules)).toBe(false);
});

it('refuses a quote the guards would call stale, or whose rules are as old as the desk keeps its own', () => {
  expect(isFresh(quote(0, -5 * MINUTE - 1), NOW, rules)).toBe(false);
  expect(isFresh(quote(0, 0, -15 * MINUTE + 1), NOW, rules)).toBe(true);
  expect(isFresh(quote(0, 0, -15 * MINUTE), NOW, rules)).toBe(false);
  expect(isFresh(quote(0, 0, 15 * MINUTE), NOW, rules)).toBe(false);
});

it('refuses nothing shared yet (a lease without a quote)', () => {
  expect(isFresh(undefined, NOW, rules)).toBe(false);
});
