/**
 * The one test that bundles: the API's function, built by the construct every function of the
 * stack is built with (`AppFunction`: esbuild's API with the stack's options, aliases and plugins,
 * infra/constructs/lambda-bundle.ts; no Docker), and its bundle (an ES module) loaded in a fresh
 * Node, which catches what type checks cannot (a module the bundle lacks, a CommonJS dependency
 * without `require`, an alias that does not resolve, code that fails at import); then small
 * fixtures: one DynamoDB request through the bundled SDK, DynamoDB's errors with the registry cut to
 * those of the operations sent, the API's validation messages (zod's locale) without zod's classic
 * build. Only these are bundled: the whole app's sixteen bundles are what `npm run bench -- bundles`
 * builds and loads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AppFunction } from '../../infra/constructs/function';
import {
  bundleFunction,
  capturedWhitelist,
  MANIFEST_FIELDS,
  manifestFields,
  documentedErrors,
  SDK_OPERATIONS_SENT,
  withErrorsRegistered,
} from '../../infra/constructs/lambda-bundle';

describe('bundled app', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ctr-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles the API handler minified, its source map beside the assembly, and the bundle loads', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle', { env: { region: 'ap-northeast-2' } });
    const fn = new AppFunction(stack, 'ApiFunction', {
      name: 'api',
      logRetention: RetentionDays.ONE_MONTH,
      metricsNamespace: 'CryptoTaxRecovery/test',
    });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
        }
      >;
    };
    const api = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'api',
    );
    const hash = api?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const dir = path.join(outdir, `asset.${hash}`);
    const bundle = path.join(dir, 'index.mjs');
    // The zip holds the bundle alone; its source map (for reading a stack trace) and metafile are outside it.
    expect(readdirSync(dir)).toEqual(['index.mjs']);
    expect(fn.sidecar.startsWith(outdir)).toBe(true);
    const map = JSON.parse(readFileSync(path.join(fn.sidecar, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('functions/api/handler.ts');
    expect(existsSync(path.join(fn.sidecar, 'metafile.json'))).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toContain('sourceMappingURL');
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines
    // The SDK's schemas with their keys written out (lambda-bundle.ts's plugin): the operations sent
    // are there, the others' schemas dropped.
    expect(code).toMatch(/[{,]httpError:4\d\d\b/);
    expect(code).toContain('"PutItem"');
    expect(code).not.toMatch(/"(CreateTable|DescribeTable|ListQueues|DeleteQueue)"/);
    // The aliased built-ins come from process.getBuiltinModule, never through an ES module import (its facade).
    expect(code).toContain('getBuiltinModule("node:fs")');
    expect(code).not.toMatch(/from\s*["']node:(crypto|fs|http|https|os|process|zlib)["']/);
    // The SDK's event-stream codec, the X-Ray SDK's v2 patcher (with semver) and its centralized
    // sampler are the stubs of functions/bundling/, not the code; decimal.js is bundled (the API computes money).
    expect(code).toContain('event streams are not bundled');
    expect(code).toContain('v2 patcher is not bundled');
    expect(code).toContain('centralized sampling is not bundled');
    expect(code).toContain('X-Ray SDK plugins are not bundled');
    expect(code).not.toContain('Invalid comparator');
    expect(code).not.toContain('/SamplingTargets');
    expect(code).toContain('[DecimalError]');

    symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(typeof m.handler);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        TABLE_NAME: 'cases',
        SERVED_CITIES: 'cheongju',
        CALLERS: JSON.stringify([
          { principal: 'arn:aws:iam::123456789012:role/city', role: 'CITY_SYSTEM', cities: ['cheongju'] },
        ]),
        AWS_REGION: 'ap-northeast-2',
        // What the Lambda runtime adds with active tracing: Powertools' tracer initialises with tracing
        // on (the X-Ray SDK instruments http and https), as deployed.
        AWS_LAMBDA_FUNCTION_NAME: 'api',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        LAMBDA_TASK_ROOT: dir,
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('function');
  });

  it("builds the same bytes anywhere, and sends a DynamoDB request through the SDK's middleware with the stubbed endpoint-discovery cache", async () => {
    const entry = path.join(__dirname, 'fixtures', 'dynamodb-request.ts');
    const dir = path.join(outdir, 'dynamodb-request');
    await bundleFunction(entry, dir, path.join(dir, 'sidecar'));
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    // The same bytes wherever it is built (CDK hashes the output: the asset hash is deterministic).
    const elsewhere = path.join(outdir, 'elsewhere', 'deeper');
    await bundleFunction(entry, elsewhere, path.join(outdir, 'elsewhere', 'sidecar'));
    expect(readFileSync(path.join(elsewhere, 'index.mjs'), 'utf8')).toBe(code);
    expect(code).toContain('endpoint discovery is not bundled');
    const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('sent to dynamodb.ap-northeast-2.amazonaws.com');
  });
});

describe("the X-Ray SDK's host plugins in a bundle", () => {
  it('fail loudly when asked for (the stub the bundles carry instead)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xray-plugins-'));
    try {
      await bundleFunction(path.join(__dirname, 'fixtures', 'xray-plugins.ts'), dir, path.join(dir, 'sidecar'));
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code).not.toContain('/var/elasticbeanstalk'); // the plugins' code is not in the bundle
      const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      });
      expect(run.stderr).toBe('');
      const refusal = 'X-Ray SDK plugins are not bundled in this function (functions/bundling/xray-plugins.ts)';
      expect(run.stdout.trim().split('\n')).toEqual([
        `EC2Plugin: ${refusal}`,
        `ECSPlugin: ${refusal}`,
        `ElasticBeanstalkPlugin: ${refusal}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the API's messages in a bundle", () => {
  it("are English where zod's classic build is not bundled (the locale the API sets)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-messages-'));
    try {
      await bundleFunction(path.join(__dirname, 'fixtures', 'api-messages.ts'), dir, path.join(dir, 'sidecar'));
      const meta = JSON.parse(readFileSync(path.join(dir, 'sidecar', 'metafile.json'), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const zod = Object.keys(meta.inputs).filter((f) => f.includes('node_modules/zod/'));
      expect(zod.length).toBeGreaterThan(0);
      expect(zod.filter((f) => f.includes('/classic/'))).toEqual([]); // what would set the locale otherwise
      const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual([
        {
          in: 'query',
          name: 'status',
          detail:
            'Invalid option: expected one of "REGISTERED"|"TRANSFER_REQUESTED"|"IN_CUSTODY"|"NOTICE_SENT"|"DUE"|"SELLING"|"SETTLED"|"SHORTFALL"|"PAID"|"ON_HOLD"|"CANCELLED"',
        },
        { in: 'query', name: 'cursor', detail: 'Too big: expected string to have <=2000 characters' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const ROOT = path.join(__dirname, '..', '..');
const MODULES = path.join(ROOT, 'node_modules');

/** The code of the functions (and the shared code they bundle): every .ts file, by path from the root. */
function functionSources(): string[] {
  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f))
      // DynamoDB Local's setup (creating tables), in no function.
      .filter((f) => f !== path.join('shared', 'adapters', 'dynamodb', 'local.ts'));
  return [...sources('functions'), ...sources('shared')];
}

/** The AWS operations the code sends, as `client-name:Operation`, read from the commands it imports. */
function operationsSent(): Set<string> {
  // The document client's commands are DynamoDB's item operations under shorter names.
  const DOCUMENT_CLIENT: Record<string, string> = {
    BatchGet: 'BatchGetItem',
    BatchWrite: 'BatchWriteItem',
    Delete: 'DeleteItem',
    Get: 'GetItem',
    Put: 'PutItem',
    Scan: 'Scan',
    Query: 'Query',
    TransactGet: 'TransactGetItems',
    TransactWrite: 'TransactWriteItems',
    Update: 'UpdateItem',
  };
  const sent = new Set<string>();
  for (const file of functionSources()) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[\w-]+|lib-dynamodb)'/g)) {
      const client = m[2] === 'lib-dynamodb' ? 'client-dynamodb' : (m[2] ?? '');
      for (const name of (m[1] ?? '').matchAll(/\b(\w+)Command\b/g)) {
        const op = (m[2] === 'lib-dynamodb' ? DOCUMENT_CLIENT[name[1] ?? ''] : name[1]) ?? '';
        sent.add(`${client}:${op}`);
      }
    }
  }
  return sent;
}

describe('the AWS operations the bundles are cut to', () => {
  it('list every operation the functions send', () => {
    const sent = operationsSent();
    expect([...sent]).toEqual(expect.arrayContaining(['client-dynamodb:PutItem', 'client-sfn:StartExecution']));
    const listed = Object.entries(SDK_OPERATIONS_SENT).flatMap(([client, ops]) => ops.map((op) => `${client}:${op}`));
    expect([...sent].filter((op) => !listed.includes(op))).toEqual([]);
  });
});

describe("the X-Ray SDK's whitelist in the bundles", () => {
  const full = JSON.parse(
    readFileSync(require.resolve('aws-xray-sdk-core/dist/lib/resources/aws_whitelist.json'), 'utf8'),
  ) as Parameters<typeof capturedWhitelist>[0];
  // As the whitelist names them: `dynamodb.putItem`.
  const sent = [...operationsSent()].map((op) => {
    const [client = '', operation = ''] = op.split(':');
    return `${client.replace(/^client-/, '')}.${operation.charAt(0).toLowerCase()}${operation.slice(1)}`;
  });

  it('keeps the entry of every operation the functions send that the SDK records parameters for', () => {
    expect(sent).toContain('dynamodb.putItem'); // the scan found the stores
    const kept = capturedWhitelist(full).services;
    const recorded = sent.filter((op) => {
      const [service = '', operation = ''] = op.split('.');
      return full.services[service]?.operations[operation] !== undefined;
    });
    expect(recorded).toEqual(expect.arrayContaining(['dynamodb.query', 's3.putObject', 'sqs.sendMessage']));
    expect(
      recorded.filter((op) => {
        const [service = '', operation = ''] = op.split('.');
        return kept[service]?.operations[operation] === undefined;
      }),
    ).toEqual([]);
    // ...and only those: what the SDK records for them is its own entry, unchanged.
    for (const [service, { operations }] of Object.entries(kept))
      for (const [operation, entry] of Object.entries(operations)) {
        expect(recorded).toContain(`${service}.${operation}`);
        expect(entry).toEqual(full.services[service]?.operations[operation]);
      }
  });
});

describe("packages' package.json in the bundles", () => {
  const modules = path.join(__dirname, '..', '..', 'node_modules');
  // Each importer of a package.json the bundling step cuts, and the name it reads the file under.
  const readers: [file: string, name: string][] = [
    [path.join(modules, 'aws-xray-sdk-core', 'dist', 'lib', 'aws-xray.js'), 'pkginfo'],
    ...readdirSync(path.join(modules, '@aws-sdk'))
      .filter((p) => p.startsWith('client-'))
      .flatMap((client) => {
        const dir = path.join(modules, '@aws-sdk', client, 'dist-es');
        return readdirSync(dir)
          .filter((f) => f.endsWith('.js') && readFileSync(path.join(dir, f), 'utf8').includes('package.json'))
          .map((f): [string, string] => [path.join(dir, f), 'packageInfo']);
      }),
  ];

  it('keep every field their importers read', () => {
    expect(readers.length).toBeGreaterThan(2); // the X-Ray SDK and the clients' runtime configurations
    for (const [file, name] of readers) {
      const text = readFileSync(file, 'utf8');
      const read = [...text.matchAll(new RegExp(`\\b${name}\\b(\\s*\\.\\s*\\w+|\\s*\\[)?`, 'g'))].map((m) =>
        (m[1] ?? '').replace(/\s/g, ''),
      );
      // Every use is a field access (or the import and the fallback's assignment), never the whole object.
      const fields = read.filter((r) => r.startsWith('.')).map((r) => r.slice(1));
      expect({ file, fields: fields.filter((f) => !(MANIFEST_FIELDS as readonly string[]).includes(f)) }).toEqual({
        file,
        fields: [],
      });
      expect({ file, computed: read.filter((r) => r === '[') }).toEqual({ file, computed: [] });
    }
  });

  it('are cut to those fields, their values unchanged', () => {
    const full = JSON.parse(readFileSync(path.join(modules, 'aws-xray-sdk-core', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifestFields(full)).toEqual({ name: 'aws-xray-sdk-core', version: full.version });
  });
});

describe('the AWS SDK in the bundles, cut to what a Lambda runs', () => {
  const clients = Object.entries(SDK_OPERATIONS_SENT).map(([client, operations]) => {
    const dir = path.join(MODULES, '@aws-sdk', client);
    const schemas = readFileSync(path.join(dir, 'dist-es', 'schemas', 'schemas_0.js'), 'utf8');
    const registered = [...schemas.matchAll(/registerError\((\w+)\$/g)].map((m) => m[1] ?? '');
    const base = registered.find((name) => name.endsWith('ServiceException')) ?? '';
    return { client, schemas, registered, base, kept: documentedErrors(dir, operations) };
  });

  it("keeps DynamoDB's item errors registered, as its API reference lists them for the operations sent", () => {
    expect(clients.find((c) => c.client === 'client-dynamodb')?.kept).toEqual([
      'ConditionalCheckFailedException',
      'IdempotentParameterMismatchException',
      'InternalServerError',
      'InvalidEndpointException',
      'ItemCollectionSizeLimitExceededException',
      'ProvisionedThroughputExceededException',
      'ReplicatedWriteConflictException',
      'RequestLimitExceeded',
      'ResourceNotFoundException',
      'ThrottlingException',
      'TransactionCanceledException',
      'TransactionConflictException',
      'TransactionInProgressException',
    ]);
    expect(clients.find((c) => c.client === 'client-sfn')?.kept).toEqual(
      expect.arrayContaining(['ExecutionAlreadyExists', 'ExecutionDoesNotExist', 'StateMachineDoesNotExist']),
    );
  });

  it.each(clients.map((c) => [c.client, c] as const))(
    '%s: keeps its documented errors and the base exception registered, and only those',
    (_client, { schemas, registered, base, kept }) => {
      expect(base).not.toBe('');
      expect(kept.length).toBeGreaterThan(0);
      expect(registered.length).toBeGreaterThan(kept.length + 1);
      // Every name kept is one the SDK registers (one it did not would silently keep nothing).
      expect(kept.filter((name) => !registered.includes(name))).toEqual([]);
      const left = [...withErrorsRegistered(schemas, kept).matchAll(/registerError\((\w+)\$/g)].map((m) => m[1]);
      expect(left.sort()).toEqual([base, ...kept].sort());
    },
  );

  it('keeps every error the code tells apart by its class or its name', () => {
    const code = functionSources().map((f) => readFileSync(path.join(ROOT, f), 'utf8'));
    const named = clients.flatMap(({ client, registered, base, kept }) =>
      registered
        .filter((name) => name !== base && code.some((text) => new RegExp(`\\b${name}\\b`).test(text)))
        .map((name) => ({ client, name, kept: kept.includes(name) })),
    );
    expect(named).toEqual(
      expect.arrayContaining([{ client: 'client-dynamodb', name: 'ConditionalCheckFailedException', kept: true }]),
    );
    expect(named.filter((n) => !n.kept)).toEqual([]);
  });

  it('throws for an operation its client has no command for', () => {
    expect(() => documentedErrors(path.join(MODULES, '@aws-sdk', 'client-sqs'), ['SendMessages'])).toThrow(
      /SendMessagesCommand\.d\.ts/,
    );
  });

  it('answers a kept error with its class and another with the base exception of its name, with no pure-JS hash, ini loader or instance-metadata lookup in the bundle', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dynamodb-errors-'));
    try {
      await bundleFunction(path.join(__dirname, 'fixtures', 'dynamodb-errors.ts'), dir, path.join(dir, 'sidecar'));
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code).toContain('pure-JavaScript hash) is not bundled'); // the stub, not Sha256Js's tables
      expect(code).not.toContain('1116352408'); // SHA-256's first round constant (0x428a2f98)
      expect(code).not.toContain('".aws"'); // the shared config files' folder
      expect(code).not.toContain('169.254.169.254'); // the instance metadata service
      const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'ap-northeast-2' },
      });
      expect(run.stderr).toBe('');
      expect(
        run.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([
        { name: 'ConditionalCheckFailedException', own: true, base: true },
        { name: 'BackupInUseException', own: false, base: true },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
