/**
 * The command lines of `npm start`, `npm run ops` and `npm run bench`: node's `parseArgs` in strict
 * mode (`--flag value` and `--flag=value` both work; an unknown flag or a missing value is refused),
 * a `--help` written from the same option list, and a progress bar that shows only on a terminal.
 */
import { parseArgs } from 'node:util';
import { MultiBar, Presets } from 'cli-progress';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in the help (`--cases N`); string options only. */
  value?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** What the command line said, before the command reads it into its own shape. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CommandSpec<O extends OptionSpecs, T> {
  /** The command as typed, e.g. `npm run bench -- deadlines`. */
  name: string;
  /** What follows the name in the usage line (default `[options]`). */
  synopsis?: string;
  /** What it does, one or a few lines. */
  about: string;
  options: O;
  /** Positional arguments are taken (subcommands, case ids); otherwise any is refused. */
  positionals?: boolean;
  /** Printed after the options (a list of commands, examples). */
  more?: string;
  /** Reads the parsed values into the command's arguments; throws UsageError for a bad value. */
  read(values: OptionValues<O>, positionals: string[]): T;
}

/** Declares a command, so that `read` sees each option's own type (boolean or string). */
export function defineCommand<const O extends OptionSpecs, T>(spec: CommandSpec<O, T>): CommandSpec<O, T> {
  return spec;
}

/** A command line the command cannot run with: printed with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {}

export type ParsedCommandLine<T> =
  { kind: 'run'; args: T } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/** npm passes arguments on to the script after its own `--`. */
const withArgs = (name: string): string => (name.startsWith('npm ') && !name.includes(' -- ') ? `${name} --` : name);

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help and exit' };

export function helpText<O extends OptionSpecs, T>(spec: CommandSpec<O, T>): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: ${withArgs(spec.name)} ${spec.synopsis ?? '[options]'}`,
    '',
    spec.about,
    '',
    'options (--name value or --name=value):',
    ...rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
    ...(spec.more ? ['', spec.more] : []),
    '',
  ].join('\n');
}

/** Node's messages name the flag in quotes; ours say what to do about it. */
function usageMessage(error: Error & { code?: string }): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? error.message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${flag ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--cases <value>' argument missing" or "Option '-q, --quick' does not take an argument".
      return `${/--[\w-]+/.exec(flag ?? '')?.[0] ?? 'an option'} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}`;
    default:
      return error.message;
  }
}

/** Parses a command line without side effects: the command's arguments, its help, or what is wrong. */
export function parseCommandLine<O extends OptionSpecs, T>(
  spec: CommandSpec<O, T>,
  argv: readonly string[],
): ParsedCommandLine<T> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const options = Object.fromEntries(
      Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => [
        name,
        { type: o.type, ...(o.short ? { short: o.short } : {}) },
      ]),
    );
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals ?? false });
  } catch (error) {
    return { kind: 'error', message: usageMessage(error as Error) };
  }
  if (parsed.values.help) return { kind: 'help', text: helpText(spec) };
  try {
    return { kind: 'run', args: spec.read(parsed.values as OptionValues<O>, parsed.positionals) };
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'error', message: error.message };
    throw error;
  }
}

/**
 * Parses the command line or ends the process: the help to stdout with status 0, a usage error to
 * stderr with status 2 (nothing has started yet, so there is nothing to clean up).
 */
export function commandLine<O extends OptionSpecs, T>(spec: CommandSpec<O, T>, argv: readonly string[]): T {
  const parsed = parseCommandLine(spec, argv);
  if (parsed.kind === 'run') return parsed.args;
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    process.exit(0);
  }
  process.stderr.write(`${spec.name}: ${parsed.message} (see ${withArgs(spec.name)} --help)\n`);
  process.exit(2);
}

/** A whole or decimal number option, checked: `--cases 1000`. */
export function numberOption(
  raw: string | undefined,
  name: string,
  fallback: number,
  rule: { min?: number; integer?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const min = rule.min ?? 0;
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || (rule.integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} needs ${rule.integer ? 'a whole number' : 'a number'} ≥ ${min}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

export interface Progress {
  /** Moves the bar to `value` (of its total), with an optional short note beside it. */
  update: (value: number, note?: string) => void;
  /** Prints a line above the bar (or plainly, when there is no bar). */
  log: (line: string) => void;
  stop: () => void;
}

/**
 * A progress bar on stdout while it is a terminal (and not CI); elsewhere (a pipe, a log file, a
 * test) nothing but the lines given to `log`, so captured output stays as it was.
 */
export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  if (!stream.isTTY || process.env.CI) {
    return { update: () => undefined, log: (line) => void stream.write(`${line}\n`), stop: () => undefined };
  }
  const bars = new MultiBar(
    { stream, format: `  ${label} [{bar}] {percentage}% {value}/{total} {note}`, clearOnComplete: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { note: '' });
  let drawn = Date.now();
  return {
    update: (value, note) => {
      bar.update(value, { note: note ?? '' });
      // The bars redraw on a timer, which a synchronous loop (spawnSync) never lets run.
      if (Date.now() - drawn > 200) {
        bars.update();
        drawn = Date.now();
      }
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => {
      bars.update(); // prints the lines logged since the last redraw
      bars.stop();
    },
  };
}
