/** Display helpers for the local stack's console output (won grouped from their decimal string, never via a float). */

export function groupDigits(digits: string): string {
  const [int = '', frac] = digits.split('.');
  const neg = int.startsWith('-');
  const body = (neg ? int.slice(1) : int).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${body}${frac !== undefined ? `.${frac}` : ''}`;
}

export const krw = (amount: string): string => `₩${groupDigits(amount)}`;

export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
