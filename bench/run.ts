/**
 * `npm run bench -- <name> [options]` runs bench/<name>.ts: its `command` reads the options (each
 * benchmark has `--help`; an unknown option is refused before anything starts), its default export
 * runs. Each benchmark prints its figures and writes bench/results/<name>.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, type CommandSpec, type OptionSpecs } from '../local/cli';

interface BenchmarkModule {
  command: CommandSpec<OptionSpecs, unknown>;
  default: (options: unknown) => Promise<void>;
}

const available = (): string[] =>
  readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3))
    .sort();

/** The first sentence of a benchmark's header comment, without loading it (some load the CDK). */
function summary(name: string): string {
  const header = /\/\*\*\s*\n\s*\*\s*([^\n]*)/.exec(readFileSync(join(__dirname, `${name}.ts`), 'utf8'))?.[1] ?? '';
  return header.split(/:\s|\.\s/)[0] ?? '';
}

function usage(): string {
  const names = available();
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: npm run bench -- NAME [options]     (npm run bench -- NAME --help: its options)',
    '',
    'benchmarks:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${summary(n)}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return;
  }
  if (!name || !available().includes(name)) {
    process.stderr.write(`${name ? `npm run bench: no benchmark named ${name}\n` : ''}${usage()}`);
    process.exitCode = 2;
    return;
  }
  // CommonJS under tsx: the namespace's default is module.exports, whose default is the function.
  const loaded = (await import(join(__dirname, `${name}.ts`))) as BenchmarkModule | { default: BenchmarkModule };
  const mod = 'command' in loaded ? loaded : loaded.default;
  const options = commandLine(mod.command, args);
  await mod.default(options);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
