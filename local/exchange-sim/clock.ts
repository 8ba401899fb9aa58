/**
 * The simulator's clock: the caller sets and advances it; nothing in the market moves by itself.
 * Rate limits are the one exception: like the real exchange they count wall-clock seconds.
 */
export class SimClock {
  private ms: number;

  constructor(start: Date | string | number = '2024-01-02T00:00:00.000Z') {
    this.ms = toMs(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  set(instant: Date | string | number): void {
    this.ms = toMs(instant);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms}`);
    this.ms += ms;
  }
}

function toMs(instant: Date | string | number): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}
