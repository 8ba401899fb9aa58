/**
 * The one test that bundles: synthesizes the whole app as `npm run synth` does (local esbuild, no
 * Docker) and loads the API bundle in Node, which catches what type checks cannot (a module the
 * bundle lacks, an ESM-only dependency in a CJS bundle, code that fails at import).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
    const bundle = path.join(dir, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines

    const saved = { ...process.env };
    Object.assign(process.env, {
      TABLE_NAME: 'cases',
      SERVED_CITIES: 'cheongju',
      CALLERS: JSON.stringify([{ principal: 'arn:aws:iam::123456789012:role/city', role: 'CITY_SYSTEM', cities: ['cheongju'] }]),
      AWS_REGION: 'ap-northeast-2',
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(bundle) as { handler?: unknown };
      expect(typeof loaded.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
