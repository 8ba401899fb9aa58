/**
 * The one test that bundles: synthesizes the whole app as `npm run synth` does (local esbuild, no
 * Docker) and loads the API bundle (an ES module) in a fresh Node, which catches what type checks
 * cannot (a module the bundle lacks, a CommonJS dependency without `require`, code that fails at
 * import). The AWS SDK is the runtime's on Lambda: here the repository's node_modules stands in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildTestApp } from './helpers';

describe('bundled app', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ctr-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles the API handler minified with a source map, and the bundle loads', () => {
    const { app, stack } = buildTestApp({}, { bundle: true, outdir });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }>;
    };
    const api = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'api',
    );
    const hash = api?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const dir = path.join(outdir, `asset.${hash}`);
    const bundle = path.join(dir, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines

    symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(typeof m.handler);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        TABLE_NAME: 'cases',
        SERVED_CITIES: 'cheongju',
        CITY_SYSTEM_ROLE_ARNS: 'arn:aws:iam::123456789012:role/city',
        OFFICER_ROLE_ARNS: 'arn:aws:iam::123456789012:role/officer',
        AWS_REGION: 'ap-northeast-2',
      },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('function');
  });
});
