/** Instants as Upbit writes and reads them. */

const KST_MS = 9 * 3_600_000;

/** ISO time in KST with offset, as Upbit writes `created_at`: `2024-01-02T15:00:00+09:00`. */
export function kstIso(d: Date | number): string {
  return new Date(new Date(d).getTime() + KST_MS).toISOString().replace(/\.\d{3}Z$/, '+09:00');
}

/** `yyyy-MM-ddTHH:mm:ss` without a zone, as candles write `candle_date_time_utc` / `_kst`. */
export function plainIso(ms: number, zone: 'utc' | 'kst'): string {
  return new Date(ms + (zone === 'kst' ? KST_MS : 0)).toISOString().slice(0, 19);
}

/** `[yyyyMMdd, HHmmss]` of an instant. */
export function ymdHms(d: Date): [string, string] {
  const iso = d.toISOString();
  return [iso.slice(0, 10).replace(/-/g, ''), iso.slice(11, 19).replace(/:/g, '')];
}

/**
 * A time parameter: epoch milliseconds, or ISO 8601 with or without a zone (without one it is UTC,
 * as Upbit documents for candles). A `+` that arrived unescaped in a query string has become a space.
 */
export function parseInstant(text: string): number | undefined {
  const t = text.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (/^\d{10,}$/.test(t)) return Number(t);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}
