/**
 * Rate limits per group and per second, as Upbit counts them: quotation groups per client IP,
 * exchange groups per account. Over the limit: 429. Keep sending through 429s and the bucket is
 * blocked (418) for a while. Counted on the wall clock, not the simulated one.
 */

export type Group = 'market' | 'candle' | 'trade' | 'ticker' | 'orderbook' | 'order' | 'default';

export const DEFAULT_LIMITS: Record<Group, number> = { market: 10, candle: 10, trade: 10, ticker: 10, orderbook: 10, order: 8, default: 30 };

/** Quotation groups are counted per client IP; the others per account. */
export const QUOTATION_GROUPS: ReadonlySet<Group> = new Set(['market', 'candle', 'trade', 'ticker', 'orderbook']);

export interface LimitOptions {
  limits: Record<Group, number>;
  windowMs: number;
  /** 429s within `banWindowMs` that earn a 418. */
  banAfter429s: number;
  banWindowMs: number;
  banMs: number;
}

export type LimitVerdict = { status: 200; remaining: number } | { status: 429; remaining: 0 } | { status: 418; remaining: 0; seconds: number };

interface Bucket {
  windowStart: number;
  count: number;
  recent429: number[];
  bannedUntil: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly o: LimitOptions) {}

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { windowStart: 0, count: 0, recent429: [], bannedUntil: 0 }));
    return b;
  }

  check(who: string, group: Group, now: number): LimitVerdict {
    const b = this.bucket(`${who}|${group}`);
    const ban = this.bucket(`${who}|ban`);
    if (now < ban.bannedUntil) return { status: 418, remaining: 0, seconds: Math.ceil((ban.bannedUntil - now) / 1000) };
    const windowStart = now - (now % this.o.windowMs);
    if (b.windowStart !== windowStart) {
      b.windowStart = windowStart;
      b.count = 0;
    }
    const limit = this.o.limits[group];
    if (b.count >= limit) {
      ban.recent429 = ban.recent429.filter((t) => now - t < this.o.banWindowMs);
      ban.recent429.push(now);
      if (ban.recent429.length >= this.o.banAfter429s) {
        ban.bannedUntil = now + this.o.banMs;
        ban.recent429 = [];
        return { status: 418, remaining: 0, seconds: Math.ceil(this.o.banMs / 1000) };
      }
      return { status: 429, remaining: 0 };
    }
    b.count++;
    return { status: 200, remaining: limit - b.count };
  }

  /** Fault injection: block `who` for `ms`. */
  ban(who: string, now: number, ms: number): void {
    this.bucket(`${who}|ban`).bannedUntil = now + ms;
  }

  reset(): void {
    this.buckets.clear();
  }
}
