/** The command lines of npm start, npm run ops and npm run bench: help, refusals, both flag forms. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { command as deadlinesCommand } from '../../bench/deadlines';
import { command as saleCommand } from '../../bench/sale';
import { defineCommand, helpText, numberOption, parseCommandLine } from '../../local/cli';
import { OPS_COMMAND, runOps } from '../../local/ops';

const ROOT = join(__dirname, '..', '..');

const example = defineCommand({
  name: 'npm run example',
  about: 'An example.',
  options: {
    cases: { type: 'string', value: 'N', description: 'how many' },
    quick: { type: 'boolean', short: 'q', description: 'less of it' },
  },
  read: (v) => ({ cases: numberOption(v.cases, 'cases', 100, { min: 1, integer: true }), quick: v.quick ?? false }),
});

/** Runs a CLI the way its npm script does (tsx), without npm; resolves with its status and output. */
function run(script: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: ROOT, env: { ...process.env, CI: 'true' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('parseCommandLine', () => {
  it('takes `--flag value` and `--flag=value` alike, and defaults when absent', () => {
    expect(parseCommandLine(example, ['--cases', '1000'])).toEqual({
      kind: 'run',
      args: { cases: 1000, quick: false },
    });
    expect(parseCommandLine(example, ['--cases=1000', '-q'])).toEqual({
      kind: 'run',
      args: { cases: 1000, quick: true },
    });
    expect(parseCommandLine(example, [])).toEqual({ kind: 'run', args: { cases: 100, quick: false } });
  });

  it('refuses an unknown flag, a missing value, a value on a switch, a stray argument and a bad number, saying which', () => {
    expect(parseCommandLine(example, ['--case', '1000'])).toEqual({ kind: 'error', message: 'unknown option --case' });
    expect(parseCommandLine(example, ['--cases'])).toEqual({ kind: 'error', message: '--cases needs a value' });
    expect(parseCommandLine(example, ['--quick=yes'])).toEqual({ kind: 'error', message: '--quick takes no value' });
    expect(parseCommandLine(example, ['1000'])).toEqual({ kind: 'error', message: 'unexpected argument 1000' });
    expect(parseCommandLine(example, ['--cases', '1e3x'])).toEqual({
      kind: 'error',
      message: '--cases needs a whole number ≥ 1, not "1e3x"',
    });
    expect(parseCommandLine(example, ['--cases=0'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('≥ 1'),
    });
    expect(parseCommandLine(example, ['--cases=2.5'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('whole number'),
    });
  });

  it('answers --help (and -h) with every option, before reading any value', () => {
    const help = parseCommandLine(example, ['--cases', 'not-read', '--help']);
    expect(help).toEqual({ kind: 'help', text: helpText(example) });
    expect(parseCommandLine(example, ['-h'])).toEqual(help);
    const text = helpText(example);
    expect(text).toMatch(/^usage: npm run example -- \[options\]\n/);
    for (const flag of ['--cases N', '-q, --quick', '-h, --help']) expect(text).toContain(flag);
  });

  it('reads the benchmarks’ and the officers’ CLI options (the deadline bench runs the cases asked for)', () => {
    for (const argv of [['--cases', '1000'], ['--cases=1000']]) {
      expect(parseCommandLine(deadlinesCommand, argv)).toEqual({ kind: 'run', args: { cases: 1000, duePercent: 1 } });
    }
    expect(parseCommandLine(saleCommand, ['--quick'])).toEqual({
      kind: 'run',
      args: { quick: true, diagnose: false, deskOnly: false, starts: 40, split: 'all', riskAversion: 0.00001 },
    });
    expect(parseCommandLine(saleCommand, ['--split=train', '--desk-only', '--diagnose', '--starts', '80'])).toEqual({
      kind: 'run',
      args: { quick: false, diagnose: true, deskOnly: true, starts: 80, split: 'train', riskAversion: 0.00001 },
    });
    expect(parseCommandLine(saleCommand, ['--split', 'later'])).toEqual({
      kind: 'error',
      message: '--split must be all, train or test, not "later"',
    });
    expect(parseCommandLine(OPS_COMMAND, ['show', 'C-1', '--city', 'seoul', '--json'])).toMatchObject({
      kind: 'run',
      args: { city: 'seoul', json: true, positionals: ['show', 'C-1'] },
    });
    expect(parseCommandLine(OPS_COMMAND, ['list', '--cty=seoul'])).toEqual({
      kind: 'error',
      message: 'unknown option --cty',
    });
  });
});

describe('the three CLIs, run', () => {
  it('print their help and exit 0; refuse an unknown flag with status 2 before starting anything', async () => {
    const [startHelp, startBad, benchHelp, deadlinesBad] = await Promise.all([
      run('local/start.ts', ['--help']),
      run('local/start.ts', ['--exit-when-done', '--cases', '3', '--bogus']),
      run('bench/run.ts', ['--help']),
      run('bench/run.ts', ['deadlines', '--cases', '1000', '--bogus']),
    ]);
    expect(startHelp).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^usage: npm start -- \[options\][\s\S]*--exit-when-done/),
    });
    // Nothing on stdout: the stack never started.
    expect(startBad).toEqual({
      status: 2,
      stdout: '',
      stderr: 'npm start: unknown option --bogus (see npm start -- --help)\n',
    });
    expect(benchHelp).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/deadlines\s+The daily deadline check at scale/),
    });
    expect(deadlinesBad).toEqual({
      status: 2,
      stdout: '',
      stderr: 'npm run bench -- deadlines: unknown option --bogus (see npm run bench -- deadlines --help)\n',
    });

    // The officers' CLI runs in process (as the local stack's test drives it).
    const lines: string[] = [];
    expect(await runOps(['list', '--bogus'], (l = '') => void lines.push(l))).toBe(2);
    expect(await runOps(['--help'], (l = '') => void lines.push(l))).toBe(0);
    expect(lines[0]).toBe('npm run ops: unknown option --bogus (see npm run ops -- --help)');
    expect(lines[1]).toMatch(/^usage: npm run ops -- \[options\] COMMAND[\s\S]*release-hold/);
  });
});
