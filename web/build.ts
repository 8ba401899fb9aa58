/**
 * The web apps' build: each app under web/<app>/ (an index.html and a main.ts, Preact + htm, no JSX
 * and no other toolchain) is bundled by esbuild into web/dist/<app>/ with the shared styles and the
 * Korean font files (Noto Sans KR from @fontsource, so no page depends on a font the machine has).
 * Asset names carry a content hash; index.html names them and is the only file never cached.
 * The local stack builds on start, the CDK app before it deploys the files; `npm run web:build` builds all.
 *
 *   npm run web:build [-- APP...]
 */
import { build, buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

export const WEB_ROOT = resolve(__dirname);
export const WEB_DIST = join(WEB_ROOT, 'dist');
/** Every app: a folder of web/ with an index.html (shared/ and dist/ are not apps). */
export const webApps = (): string[] =>
  readdirSync(WEB_ROOT).filter(
    (d) =>
      statSync(join(WEB_ROOT, d)).isDirectory() &&
      !['shared', 'dist'].includes(d) &&
      readdirSync(join(WEB_ROOT, d)).includes('index.html'),
  );

export interface BuiltApp {
  app: string;
  dir: string;
  /** Output file names (relative to dir) and sizes in bytes. */
  files: { name: string; bytes: number }[];
}

function options(app: string, dir: string, minify: boolean): BuildOptions & { metafile: true } {
  return {
    entryPoints: [join(WEB_ROOT, app, 'main.ts')],
    bundle: true,
    outdir: dir,
    entryNames: '[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    platform: 'browser',
    minify,
    sourcemap: false,
    metafile: true,
    legalComments: 'linked',
    loader: { '.woff2': 'file', '.woff': 'file' },
    logLevel: 'silent',
  };
}

/** Writes index.html naming the hashed script and styles; lists what was written. */
function finish(app: string, dir: string, metafile: Metafile): BuiltApp {
  const outputs = Object.keys(metafile.outputs).map((p) => relative(dir, resolve(p)));
  const script = outputs.find((o) => /^main-[A-Z0-9]+\.js$/i.test(o));
  const style = outputs.find((o) => /^main-[A-Z0-9]+\.css$/i.test(o));
  if (!script) throw new Error(`the ${app} build wrote no script`);
  const page = readFileSync(join(WEB_ROOT, app, 'index.html'), 'utf8')
    .replace('<!-- styles -->', style ? `<link rel="stylesheet" href="/${style}">` : '')
    .replace('<!-- script -->', `<script type="module" src="/${script}"></script>`);
  writeFileSync(join(dir, 'index.html'), page);
  const files = [...outputs, 'index.html'].map((name) => ({ name, bytes: statSync(join(dir, name)).size }));
  return { app, dir, files };
}

const fresh = (dir: string) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Bundles one app into web/dist/<app>/ (replacing what was there); returns where and what. */
export async function buildWebApp(app: string, opts: { outDir?: string; minify?: boolean } = {}): Promise<BuiltApp> {
  const dir = fresh(opts.outDir ?? join(WEB_DIST, app));
  const result = await build(options(app, dir, opts.minify ?? true));
  return finish(app, dir, result.metafile);
}

/** The same, synchronously: the CDK app builds the console before it stages the files as an asset. */
export function buildWebAppSync(app: string, opts: { outDir?: string; minify?: boolean } = {}): BuiltApp {
  const dir = fresh(opts.outDir ?? join(WEB_DIST, app));
  const result = buildSync(options(app, dir, opts.minify ?? true));
  return finish(app, dir, result.metafile);
}

const ownBuilds = new Map<string, string>();
/**
 * The app built once per process into a folder of its own (removed at exit), for the CDK app's
 * asset and the local stack's site alike: processes building at once (the test files run in
 * parallel) never clear each other's files, as they would in the shared web/dist/<app>.
 */
export function builtWebApp(app: string): string {
  let dir = ownBuilds.get(app);
  if (!dir) {
    const made = mkdtempSync(join(tmpdir(), `ctr-${app}-`));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = buildWebAppSync(app, { outDir: made }).dir;
    ownBuilds.set(app, dir);
  }
  return dir;
}

if (require.main === module) {
  const wanted = process.argv.slice(2);
  const apps = wanted.length > 0 ? wanted : webApps();
  (async () => {
    for (const app of apps) {
      const built = await buildWebApp(app);
      const code = built.files.filter((f) => /\.(js|css|html)$/.test(f.name)).reduce((a, f) => a + f.bytes, 0);
      process.stdout.write(
        `${basename(built.dir)}: ${built.files.length} files in ${relative(process.cwd(), built.dir)} (script, styles and page ${(code / 1024).toFixed(0)} KB)\n`,
      );
    }
  })().catch((error: unknown) => {
    process.stderr.write(`web build failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
