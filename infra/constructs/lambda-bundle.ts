/**
 * How every Lambda's code is built: esbuild's API with the options and plugins below, one ES module
 * (`index.mjs`) per function, nothing else in its zip. CDK's local bundling is synchronous and
 * esbuild's `buildSync` takes no plugins, so `LocalBundle.tryBundle` runs this file in a child Node
 * (`node --import tsx lambda-bundle.ts ENTRY OUTDIR SIDECAR`). The source map (its sources from the
 * repository root; a stack trace in the logs points into minified code) and esbuild's metafile (what
 * fills the bundle: `npm run bench -- bundles`, docs/BENCHMARKS.md) go to SIDECAR, outside the asset:
 * under the assembly's `bundles/`, by construct path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ILocalBundling } from 'aws-cdk-lib';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** The repository root: `infra/constructs/` is two levels down. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Prepended to every ESM bundle: `require` for the CommonJS code inside it. */
export const BUNDLE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * Node's built-in modules the bundles import that are faster without their ES module facade (each
 * `functions/bundling/node/<name>.ts` takes it from `process.getBuiltinModule`; measured by
 * `npm run bench -- bundles`). Modules whose facade costs nothing (path, url, ...) stay imports.
 */
const FACADE_FREE_BUILTINS = ['crypto', 'fs', 'fs/promises', 'http', 'https', 'os', 'process', 'zlib'] as const;

/**
 * Modules replaced at bundle time (esbuild's alias, paths from the repository root), each for a
 * smaller bundle and a faster cold start (functions/bundling/, docs/BENCHMARKS.md): the SDK's default
 * credential chain by the environment's credentials, all a Lambda ever has; the SDK's event-stream
 * codec and its endpoint-discovery cache, which no function uses, by stubs that fail loudly if one
 * ever does; the built-ins above without their ESM facade.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/bundling/credential-provider.ts',
  '@smithy/core/event-streams': './functions/bundling/event-streams.ts',
  '@aws-sdk/endpoint-cache': './functions/bundling/endpoint-cache.ts',
  ...Object.fromEntries(
    FACADE_FREE_BUILTINS.flatMap((name) => [
      // esbuild also aliases subpaths (`fs/promises` under `fs`): each one used has its own entry.
      [`node:${name}`, `./functions/bundling/node/${name.replace('/', '-')}.ts`],
      [name, `./functions/bundling/node/${name.replace('/', '-')}.ts`],
    ]),
  ),
};

/**
 * Files inside the X-Ray SDK (CommonJS: esbuild keeps all it requires) replaced by stubs that fail
 * loudly if ever reached: its AWS SDK v2 patcher (with semver), never called with v3 clients, its
 * centralized sampler, switched off by the SDK itself on Lambda, and its hosts' plugins (EC2, ECS,
 * Elastic Beanstalk), used only when passed to `AWSXRay.config`, which nothing calls (functions/bundling/).
 */
const XRAY_STUBS: Readonly<Record<string, string>> = {
  './patchers/aws_p': 'functions/bundling/xray-aws-v2.ts',
  './sampling/default_sampler': 'functions/bundling/xray-central-sampling.ts',
  './segments/plugins/ec2_plugin': 'functions/bundling/xray-plugins.ts',
  './segments/plugins/ecs_plugin': 'functions/bundling/xray-plugins.ts',
  './segments/plugins/elastic_beanstalk_plugin': 'functions/bundling/xray-plugins.ts',
};

/** A filter matching exactly one of `names`. */
const exactly = (names: readonly string[]): RegExp =>
  new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);

export const xraySdkStubs: Plugin = {
  name: 'xray-sdk-stubs',
  setup(esbuild) {
    esbuild.onResolve({ filter: exactly(Object.keys(XRAY_STUBS)) }, ({ path: spec, importer }) => {
      const stub = XRAY_STUBS[spec];
      return stub && /[\\/]aws-xray-sdk-core[\\/]dist[\\/]lib[\\/]/.test(importer)
        ? { path: path.join(REPO_ROOT, stub) }
        : undefined;
    });
  },
};

/**
 * Files of the AWS SDK whose code a Lambda never runs, replaced by stubs (functions/bundling/): the
 * pure-JavaScript SHA-256 and MD5 that the SDK's hashes fall back on only where Node's `crypto`
 * lacks them; the loader of the shared config files and the region lookup in the EC2 instance
 * metadata service, neither of which a Lambda has (each stub answers what the real one answers
 * there, without reading the disk or the network). About 8 KB of every bundle.
 */
const SDK_FILE_STUBS: readonly { file: RegExp; stub: string }[] = [
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/](sha256[\\/]Sha256Js|md5[\\/]Md5Js)\.js$/,
    stub: 'functions/bundling/pure-js-hashes.ts',
  },
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]config[\\/]shared-ini-file-loader[\\/]loadSharedConfigFiles\.js$/,
    stub: 'functions/bundling/shared-config-files.ts',
  },
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]config[\\/]config-resolver[\\/]regionConfig[\\/]getInstanceMetadataRegion\.js$/,
    stub: 'functions/bundling/instance-metadata-region.ts',
  },
];

export const sdkFileStubs: Plugin = {
  name: 'sdk-file-stubs',
  setup(esbuild) {
    const filter = new RegExp(SDK_FILE_STUBS.map((s) => s.file.source).join('|'));
    esbuild.onLoad({ filter }, ({ path: file }) => {
      const stub = SDK_FILE_STUBS.find((s) => s.file.test(file))?.stub;
      if (!stub) return undefined;
      const at = path.join(REPO_ROOT, stub);
      return { contents: readFileSync(at, 'utf8'), loader: 'ts', resolveDir: path.dirname(at) };
    });
  },
};

/**
 * The AWS operations the functions send, by client package: the one list the bundles' SDK code is cut
 * to. Each client's error registry keeps the errors these operations are documented to answer
 * (`documentedErrors`), and the X-Ray SDK's whitelist the entries of these operations only
 * (`capturedWhitelist`). A test (test/infra/bundle.test.ts) fails when the code sends an operation
 * left out here.
 */
export const SDK_OPERATIONS_SENT: Readonly<Record<string, readonly string[]>> = {
  'client-dynamodb': [
    'BatchGetItem',
    'BatchWriteItem',
    'DeleteItem',
    'GetItem',
    'PutItem',
    'Query',
    'TransactWriteItems',
    'UpdateItem',
  ],
  'client-lambda': ['Invoke'],
  'client-s3': ['GetObject', 'PutObject'],
  'client-secrets-manager': ['GetSecretValue'],
  'client-sesv2': ['SendEmail'],
  'client-sfn': ['DescribeExecution', 'GetExecutionHistory', 'StartExecution'],
  'client-sqs': ['SendMessage', 'SendMessageBatch'],
};

/**
 * The errors `operations` of the client in `clientDir` (`node_modules/@aws-sdk/client-*`) are
 * documented to answer: the `@throws` of their commands' declarations, as the SDK generates them
 * from the service's model (each a client or a server fault; the base exception, listed last, is not
 * one). Throws when an operation has no command there.
 */
export function documentedErrors(clientDir: string, operations: readonly string[]): string[] {
  const names = new Set<string>();
  for (const operation of operations) {
    const declaration = readFileSync(
      path.join(clientDir, 'dist-types', 'commands', `${operation}Command.d.ts`),
      'utf8',
    );
    for (const m of declaration.matchAll(/@throws \{@link (\w+)\} \((?:client|server) fault\)/g))
      if (m[1]) names.add(m[1]);
  }
  return [...names].sort();
}

const XRAY_WHITELIST = /[\\/]aws-xray-sdk-core[\\/]dist[\\/]lib[\\/]resources[\\/]aws_whitelist\.json$/;

type XRayWhitelist = { services: Record<string, { operations: Record<string, unknown> }> };

/**
 * The X-Ray SDK's whitelist (11 KB in every bundle: every operation of six services) cut to the
 * operations the functions send (`SDK_OPERATIONS_SENT`): what it records for them (a DynamoDB call's
 * table name, an S3 object's bucket and key, a queue's URL) is unchanged.
 */
export function capturedWhitelist(full: XRayWhitelist): XRayWhitelist {
  const services: XRayWhitelist['services'] = {};
  for (const [client, operations] of Object.entries(SDK_OPERATIONS_SENT)) {
    const name = client.replace(/^client-/, '');
    const service = full.services[name];
    if (!service) continue;
    const kept: Record<string, unknown> = {};
    for (const op of operations.map((o) => o.charAt(0).toLowerCase() + o.slice(1)))
      if (op in service.operations) kept[op] = service.operations[op];
    services[name] = { ...service, operations: kept };
  }
  return { services };
}

export const xrayWhitelist: Plugin = {
  name: 'xray-whitelist',
  setup(esbuild) {
    esbuild.onLoad({ filter: XRAY_WHITELIST }, ({ path: file }) => {
      const full = JSON.parse(readFileSync(file, 'utf8')) as XRayWhitelist;
      return { contents: JSON.stringify(capturedWhitelist(full)), loader: 'json' };
    });
  },
};

/** A client's generated schemas (`@aws-sdk/client-*\/dist-es/schemas/schemas_0.js`). */
const SDK_SCHEMAS = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * The AWS SDK's generated schemas, made tree-shakable (aws/aws-sdk-js-v3#7607): each schema writes
 * its traits with computed keys naming string constants (`{ [_hE]: 400 }`), which esbuild must keep
 * (a computed key may call `toString`), so every operation's schema of a client stayed in the bundle,
 * not only the commands a function sends. The keys are written as the literal strings they are; and
 * a client's error registry keeps only the errors its operations in `SDK_OPERATIONS_SENT` are
 * documented to answer, so the other errors' classes go. Were one answered anyway, it would arrive
 * as the service's base exception (`DynamoDBServiceException`, ...) with its name, which is what the
 * SDK's retries look at.
 */
export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-keys',
  setup(esbuild) {
    esbuild.onLoad({ filter: SDK_SCHEMAS }, ({ path: file }) => {
      const source = readFileSync(file, 'utf8');
      const strings = new Map(
        [...source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      const contents = source.replace(
        /([{,]\s*)\[(_\w+)\](\s*:)/g,
        (whole, before: string, name: string, after: string) => {
          const literal = strings.get(name);
          return literal === undefined ? whole : `${before}${literal}${after}`;
        },
      );
      const client = /[\\/]@aws-sdk[\\/](client-[^\\/]+)[\\/]/.exec(file);
      const sent = client?.[1] ? SDK_OPERATIONS_SENT[client[1]] : undefined;
      if (!client || !sent) return { contents, loader: 'js' };
      const clientDir = file.slice(0, client.index + client[0].length);
      return { contents: withErrorsRegistered(contents, documentedErrors(clientDir, sent)), loader: 'js' };
    });
  },
};

/** A client's schemas with only `kept` errors (and the service's base exception) registered. */
export function withErrorsRegistered(source: string, kept: readonly string[]): string {
  return source.replace(
    /^(\w+)_registry\.registerError\((\w+)\$, (\w+)\);\n/gm,
    (whole, registry: string, _schema: string, name: string) => (registry === '_s' || kept.includes(name) ? whole : ''),
  );
}

/**
 * Packages whose top-level code only builds what they export (decimal.js sets up its own class and
 * constants), told to esbuild as side-effect free, which their package.json does not say: a bundle
 * that imports one but uses none of it (a function that reads a record's strings but computes no
 * money) leaves it out instead of running it at every cold start.
 */
const SIDE_EFFECT_FREE = ['decimal.js'];

export const sideEffectFreePackages: Plugin = {
  name: 'side-effect-free-packages',
  setup(esbuild) {
    esbuild.onResolve(
      { filter: exactly(SIDE_EFFECT_FREE) },
      async ({ path: spec, kind, resolveDir, importer, pluginData }) => {
        if (pluginData === sideEffectFreePackages) return undefined; // the resolution below
        const resolved = await esbuild.resolve(spec, {
          kind,
          resolveDir,
          importer,
          pluginData: sideEffectFreePackages,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: resolved.path, namespace: resolved.namespace, sideEffects: false };
      },
    );
  },
};

/**
 * Packages' `package.json` files the bundles import, each read for its name and version only: every
 * AWS client's runtime configuration (`packageInfo.version`, for the user agent) and the X-Ray SDK
 * (`pkginfo.name` and `.version`, in the segments it sends). A JSON import brings the whole file
 * (2.3 KB a client: scripts, dependencies, files); the bundles keep these two fields. A test
 * (test/infra/bundle.test.ts) fails when one of the importers reads another field.
 */
const PACKAGE_MANIFESTS = /[\\/]node_modules[\\/](@aws-sdk[\\/]client-[^\\/]+|aws-xray-sdk-core)[\\/]package\.json$/;

/** The fields of a package.json the bundles keep. */
export const MANIFEST_FIELDS = ['name', 'version'] as const;

export function manifestFields(full: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(MANIFEST_FIELDS.filter((f) => f in full).map((f) => [f, full[f]]));
}

export const packageManifests: Plugin = {
  name: 'package-manifests',
  setup(esbuild) {
    esbuild.onLoad({ filter: PACKAGE_MANIFESTS }, ({ path: file }) => {
      const full = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      return { contents: JSON.stringify(manifestFields(full)), loader: 'json' };
    });
  },
};

/** The build of one function's entry (everything but where it is written). */
export function bundleOptions(entry: string): BuildOptions & { entryPoints: string[] } {
  return {
    entryPoints: [entry],
    absWorkingDir: REPO_ROOT,
    tsconfig: path.join(REPO_ROOT, 'tsconfig.json'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    // ES modules, packages' ES builds first: esbuild drops what a handler does not use (zod's
    // unused schemas and locales, unused SDK commands). The banner gives the few CommonJS
    // packages bundled (the X-Ray SDK under Powertools' tracer) the require() they call.
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: BUNDLE_BANNER },
    alias: { ...BUNDLE_ALIASES },
    plugins: [sdkSchemaKeys, sdkFileStubs, sideEffectFreePackages, xraySdkStubs, xrayWhitelist, packageManifests],
    minify: true,
    // Korean text (notices, problems) as UTF-8, 3 bytes a character, not 6-byte \u escapes.
    charset: 'utf8',
    // The AWS SDK bundled, not the runtime's: the version the tests ran against, and a faster cold
    // start than the runtime's many CommonJS files (measured both ways: docs/BENCHMARKS.md).
    external: [],
    logLevel: 'warning',
  };
}

/**
 * Builds `entry` into `outDir/index.mjs`; its source map (no `sourceMappingURL` comment: Lambda gets
 * no map) and esbuild's metafile into `sidecarDir`.
 */
export async function bundleFunction(entry: string, outDir: string, sidecarDir: string): Promise<void> {
  const outfile = path.join(outDir, 'index.mjs');
  const result = await build({
    ...bundleOptions(entry),
    outfile,
    write: false,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
  });
  mkdirSync(outDir, { recursive: true });
  mkdirSync(sidecarDir, { recursive: true });
  for (const file of result.outputFiles) {
    if (file.path === outfile) writeFileSync(outfile, file.contents);
    else {
      // Its sources from the repository root, wherever CDK had the bundle built.
      const map = JSON.parse(file.text) as { sources: string[] };
      map.sources = map.sources.map((s) => path.relative(REPO_ROOT, path.resolve(outDir, s)));
      writeFileSync(path.join(sidecarDir, path.basename(file.path)), JSON.stringify(map));
    }
  }
  writeFileSync(path.join(sidecarDir, 'metafile.json'), JSON.stringify(result.metafile));
}

/**
 * CDK's local bundling of one function: this file run in a child Node (synchronous, as CDK wants).
 * Its fields are part of CDK's asset cache key, so two functions never share a bundle.
 */
export class LocalBundle implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly sidecarDir: string,
  ) {}

  tryBundle(outputDir: string): boolean {
    execFileSync(
      process.execPath,
      ['--import', pathToFileURL(require.resolve('tsx')).href, __filename, this.entry, outputDir, this.sidecarDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return true;
  }
}

if (require.main === module) {
  const [entry, outDir, sidecarDir] = process.argv.slice(2);
  if (!entry || !outDir || !sidecarDir) {
    process.stderr.write('usage: node --import tsx infra/constructs/lambda-bundle.ts ENTRY OUTDIR SIDECARDIR\n');
    process.exit(2);
  }
  bundleFunction(entry, outDir, sidecarDir).catch((error: unknown) => {
    process.stderr.write(`bundling ${entry} failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
