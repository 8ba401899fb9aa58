/**
 * Korean display of the API's figures. Won and quantities arrive as decimal strings and are only
 * regrouped here as text, never turned into floats (a won must read exactly as the ledger has it).
 */

/** `"1234567"` → `"1,234,567"`; keeps a sign and any decimals as they are. */
export function group(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value.trim());
  if (!m) return value;
  return `${m[1]}${(m[2] ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

/** Won as Koreans write it on a statement: `1,234,567원`. */
export const won = (value: string | null | undefined): string =>
  value === null || value === undefined ? '—' : `${group(value)}원`;

/** A coin quantity with its currency: `0.5 BTC`. */
export const coin = (quantity: string, market: string): string => `${group(quantity)} ${market.replace(/^KRW-/, '')}`;

/**
 * A ratio string (`"1.25"`) as a percentage with one decimal, computed on the digits (no float):
 * rounded half up at the tenth of a percent, so `"0.023468"` reads `2.3%`, never its digits shifted.
 */
export function percent(ratio: string | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(ratio);
  if (!m) return ratio;
  const decimals = m[3] ?? '';
  // Tenths of a percent are thousandths of the ratio: three decimals kept, the fourth rounds.
  const tenths = BigInt(`${m[2]}${decimals.slice(0, 3).padEnd(3, '0')}`) + (Number(decimals[3] ?? '0') >= 5 ? 1n : 0n);
  const text = tenths.toString().padStart(2, '0');
  return `${m[1] && tenths > 0n ? '-' : ''}${text.slice(0, -1)}.${text.slice(-1)}%`;
}

const KST = new Intl.DateTimeFormat('ko-KR', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** An instant in Korea's time: `2026. 12. 05. 14:03`. */
export const when = (iso: string | null | undefined): string => (iso ? KST.format(new Date(iso)) : '—');

/** A calendar date (`2026-12-05`) as written in Korea: `2026. 12. 5.`. */
export const day = (date: string | null | undefined): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  return m ? `${m[1]}. ${Number(m[2])}. ${Number(m[3])}.` : (date ?? '—');
};
