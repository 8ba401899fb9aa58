/**
 * `npm run bench -- <name> [args...]` runs the default export of bench/<name>.ts with the rest of
 * the arguments. Each benchmark prints its figures and writes bench/results/<name>.json.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

type Benchmark = (args: string[]) => Promise<void>;

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3));
  if (!name || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- <name> [args]\navailable: ${available.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  // CommonJS under tsx: the namespace's default is module.exports, whose default is the function.
  const mod = (await import(join(__dirname, `${name}.ts`))) as { default?: Benchmark | { default?: Benchmark } };
  const run = typeof mod.default === 'function' ? mod.default : mod.default?.default;
  if (typeof run !== 'function') throw new Error(`bench/${name}.ts has no default export function`);
  await run(args);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
