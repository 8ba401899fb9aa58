/**
 * Rate limits per group and per second, as Upbit counts them: quotation groups per client IP,
 * exchange groups per account. Over the limit: 429. Keep sending through 429s and the bucket is
 * blocked (418) for a while. Counted on the wall clock, not the simulated one (which may run
 * faster): rate limits are real seconds, on the exchange as in the client (UPBIT_RATE_WINDOW_MS).
 *
 * Upbit does not say where its one-second windows start, so the simulator counts the strictest
 * way: any second, wherever it starts (a sliding window). A client within it is within any.
 */
import { UPBIT_QUOTATION_GROUPS, UPBIT_RATE_LIMITS, UPBIT_RATE_WINDOW_MS } from '#adapters/exchange/rate-budget';

export type Group = 'market' | 'candle' | 'trade' | 'ticker' | 'orderbook' | 'order' | 'default';

/** Upbit's own limits: orders 12 a second (since 2026-08-21), other exchange calls 30, each quotation group 10. */
export const DEFAULT_LIMITS = UPBIT_RATE_LIMITS as Readonly<Record<Group, number>>;

/** Quotation groups are counted per client IP; the others per account. */
export const QUOTATION_GROUPS = UPBIT_QUOTATION_GROUPS as ReadonlySet<Group>;

export interface LimitOptions {
  limits: Record<Group, number>;
  /** 429s within `banWindowMs` that earn a 418. */
  banAfter429s: number;
  banWindowMs: number;
  banMs: number;
}

export type LimitVerdict =
  { status: 200; remaining: number } | { status: 429; remaining: 0 } | { status: 418; remaining: 0; seconds: number };

interface Bucket {
  /** Wall-clock ms of the requests taken in the last window. */
  taken: number[];
  recent429: number[];
  bannedUntil: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly o: LimitOptions) {}

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { taken: [], recent429: [], bannedUntil: 0 }));
    return b;
  }

  check(who: string, group: Group, now: number): LimitVerdict {
    const b = this.bucket(`${who}|${group}`);
    const ban = this.bucket(`${who}|ban`);
    if (now < ban.bannedUntil) return { status: 418, remaining: 0, seconds: Math.ceil((ban.bannedUntil - now) / 1000) };
    b.taken = b.taken.filter((t) => now - t < UPBIT_RATE_WINDOW_MS);
    const limit = this.o.limits[group];
    if (b.taken.length >= limit) {
      ban.recent429 = ban.recent429.filter((t) => now - t < this.o.banWindowMs);
      ban.recent429.push(now);
      if (ban.recent429.length >= this.o.banAfter429s) {
        ban.bannedUntil = now + this.o.banMs;
        ban.recent429 = [];
        return { status: 418, remaining: 0, seconds: Math.ceil(this.o.banMs / 1000) };
      }
      return { status: 429, remaining: 0 };
    }
    b.taken.push(now);
    return { status: 200, remaining: limit - b.taken.length };
  }

  /** Fault injection: block `who` for `ms`. */
  ban(who: string, now: number, ms: number): void {
    this.bucket(`${who}|ban`).bannedUntil = now + ms;
  }

  reset(): void {
    this.buckets.clear();
  }
}
