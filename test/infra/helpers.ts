/** Builds the real app from cdk.json's context, with asset bundling skipped unless asked for. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type BuiltApp, buildApp } from '../../infra/build-app';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURE_HANDLER = path.join(__dirname, 'fixtures', 'handler.ts');

/** The `context` block of cdk.json: the defaults a `dev` Cheongju deployment synthesizes with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** No stack is bundled: esbuild is not run, assets are placeholders. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function buildTestApp(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}): BuiltApp {
  return buildApp({
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : SKIP_BUNDLING), ...context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
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
