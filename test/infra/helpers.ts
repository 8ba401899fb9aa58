/** Builds the real app from cdk.json's context, with asset bundling skipped unless asked for. */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type BuiltApp, buildApp } from '../../infra/build-app';
import { CACHE_DIR, REPO_ROOT, templateCacheFile, type TemplateJson } from './template-cache';

export { REPO_ROOT, type TemplateJson };

export const FIXTURE_HANDLER = path.join(__dirname, 'fixtures', 'handler.ts');

/** The `context` block of cdk.json: the defaults a `dev` Cheongju deployment synthesizes with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** No stack is bundled: esbuild is not run, assets are placeholders. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function buildTestApp(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; outdir?: string } = {},
): BuiltApp {
  return buildApp({
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : SKIP_BUNDLING), ...context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
}

let defaultTemplate: TemplateJson | undefined;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The template of the default app (`buildTestApp()`: cdk.json's context, bundling skipped),
 * synthesized with cdk-nag, which throws on any unacknowledged finding. A synth takes seconds of
 * CPU and many test files read the same template, so it is made once per set of inputs and kept in
 * node_modules/.cache under a hash of every input (./template-cache.ts); test files running at the
 * same time wait for the one that makes it rather than synthesize it again. A synth that fails
 * leaves nothing behind: every caller then synthesizes, and fails, itself. TEST_RESYNTH=1 forces a
 * new synth. Tests that need the constructs too (`stack.resolve`, logical ids) build the app with
 * `buildTestApp()` (cheap without a synth) and read the template from here.
 */
export function synthesizedTemplate(): TemplateJson {
  if (defaultTemplate) return defaultTemplate;
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = templateCacheFile();
  const lock = `${file}.lock`;
  const resynth = Boolean(process.env.TEST_RESYNTH ?? process.env.SALE_TEST_RESYNTH);
  for (let waited = 0; !resynth && !existsSync(file); waited += 200) {
    try {
      closeSync(openSync(lock, 'wx'));
      break; // ours to make
    } catch {
      // Another process is synthesizing: wait for its file, or take over a lock it left behind.
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 180_000 || waited > 300_000) break;
      sleep(200);
    }
  }
  if (!resynth && existsSync(file)) {
    defaultTemplate = JSON.parse(readFileSync(file, 'utf8')) as TemplateJson;
    return defaultTemplate;
  }
  try {
    const { app, stack } = buildTestApp();
    defaultTemplate = app.synth().getStackArtifact(stack.artifactId).template as TemplateJson;
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(defaultTemplate));
    renameSync(`${file}.${process.pid}`, file);
    return defaultTemplate;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** A bare stack with cdk-nag attached, for construct tests. */
export function nagStack(): { app: App; stack: Stack } {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new Stack(app, 'Test', { env: { region: 'ap-northeast-2' } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Resources of one type, by logical id. */
export function resourcesOfType(template: { toJSON(): Record<string, unknown> }, type: string): Resources {
  const all = (template.toJSON().Resources ?? {}) as Resources;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type));
}
