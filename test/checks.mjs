/**
 * `npm test`'s type check and lint in one process on one TypeScript program: what `tsc --noEmit`
 * (`npm run typecheck`) reports, then `eslint .` (`npm run lint`) with its type-aware rules asking
 * that same program instead of building their own (the program and its type checker are most of
 * either's CPU: together about half the CPU of the two commands). Exits 1 on a type error or a lint
 * error, as they do.
 */
import ts from 'typescript';
import { ESLint } from 'eslint';

const root = new URL('..', import.meta.url).pathname;
const config = ts.getParsedCommandLineOfConfigFile(
  `${root}tsconfig.json`,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
if (!config) throw new Error('tsconfig.json could not be read');
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
if (diagnostics.length > 0)
  process.stdout.write(
    ts.formatDiagnosticsWithColorAndContext(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }),
  );

const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { programs: [program], projectService: false } } },
});
const results = await eslint.lintFiles(['.']);
process.stdout.write(await (await eslint.loadFormatter('stylish')).format(results));
const lintErrors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error) || lintErrors > 0) process.exitCode = 1;
