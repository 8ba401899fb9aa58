/** What every benchmark shares: the machine it ran on, a target row, a table, the result file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

export interface Target {
  name: string;
  goal: string;
  value: number | string;
  met: boolean;
  /** Why a target is missed, when the benchmark can say it from its own figures. */
  note?: string;
}

export interface Machine {
  node: string;
  cpus: number;
  cpu: string;
  platform: string;
  loadAverageBefore: number;
}

/** Call before the work starts: the load average then says how busy the machine already was. */
export function machine(): Machine {
  return {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: process.platform,
    loadAverageBefore: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export const round = (value: number, places = 1): number => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** A plain text table: the first row is the header. */
export function table(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const targetLines = (targets: readonly Target[]): string =>
  targets
    .map(
      (t) => `  ${t.met ? 'met ' : 'MISS'} ${t.name}: ${t.value} (goal ${t.goal})${t.note ? `\n       ${t.note}` : ''}`,
    )
    .join('\n');

/** Writes bench/results/<name>.json: name, at, machine, then the benchmark's own fields, figures and targets. */
export function writeResult(
  name: string,
  m: Machine,
  body: Record<string, unknown> & { figures: unknown; targets: Target[] },
): string {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: m, ...body }, null, 2) + '\n');
  return file;
}
