/**
 * Where the default app's synthesized template is kept (test/infra/helpers.ts `synthesizedTemplate`
 * makes it), read without loading the CDK library: a file whose tests only execute the synthesized
 * definitions (the sale tests) spends seconds of CPU loading aws-cdk-lib and cdk-nag otherwise.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'crypto-tax-recovery');

/** A synthesized CloudFormation template, as JSON. */
export type TemplateJson = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  [key: string]: unknown;
};

/** Every input of the default app's synth: the sources infra/ reads (infra, functions, shared), cdk.json, the locked versions, the synth's own test code. */
function synthInputsHash(): string {
  const hash = createHash('sha256');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
  const inputs = [
    ...['infra', 'functions', 'shared'].flatMap((d) => files(path.join(REPO_ROOT, d))),
    ...['cdk.json', 'package-lock.json'].map((f) => path.join(REPO_ROOT, f)),
    path.join(__dirname, 'helpers.ts'),
    __filename,
  ];
  for (const file of inputs.sort()) hash.update(path.relative(REPO_ROOT, file)).update(readFileSync(file));
  hash.update(JSON.stringify([process.env.CDK_DEFAULT_ACCOUNT ?? null, process.env.CDK_DEFAULT_REGION ?? null]));
  return hash.digest('hex').slice(0, 24);
}

/** The file the template of the current inputs is kept in. */
export function templateCacheFile(): string {
  return path.join(CACHE_DIR, `template-${synthInputsHash()}.json`);
}

/** The template of the current inputs if it was synthesized already (and TEST_RESYNTH does not ask for a new one). */
export function cachedTemplate(): TemplateJson | undefined {
  if (process.env.TEST_RESYNTH ?? process.env.SALE_TEST_RESYNTH) return undefined;
  const file = templateCacheFile();
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TemplateJson) : undefined;
}
