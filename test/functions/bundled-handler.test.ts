/**
 * A handler bundled as the stack bundles every function (infra/constructs/lambda-bundle.ts: its
 * aliases, stubs and plugins) and run in a fresh Node with the variables the Lambda runtime sets
 * under active tracing, against DynamoDB Local: the bundled SDK (its endpoint-discovery cache and
 * event-stream codec stubbed) writes and reads an item, and the bundled X-Ray SDK (its v2 patcher
 * and centralized sampler stubbed) sends the DynamoDB calls' subsegments to the daemon's address,
 * here a UDP socket of the test's own.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunction } from '../../infra/constructs/lambda-bundle';
import { useCasesTable } from '../support/dynamodb';

const table = useCasesTable();

describe('a bundled handler', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ctr-bundled-handler-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('writes and reads DynamoDB through the bundled SDK and traces the calls through the bundled X-Ray SDK', async () => {
    await bundleFunction(
      path.join(__dirname, 'fixtures', 'traced-dynamodb-handler.ts'),
      outdir,
      path.join(outdir, 'sidecar'),
    );
    const bundle = path.join(outdir, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    expect(code).toContain('centralized sampling is not bundled');
    expect(code).toContain('v2 patcher is not bundled');
    expect(code).toContain('X-Ray SDK plugins are not bundled');
    expect(code).toContain('endpoint discovery is not bundled');

    const daemon = createSocket('udp4');
    const received: string[] = [];
    daemon.on('message', (message) => received.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    try {
      const event = { table: table.tableName, pk: 'BUNDLE#1', sk: 'NOTE', note: 'read back through the bundle' };
      const context = {
        functionName: 'bundled-handler',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:123456789012:function:bundled-handler',
        memoryLimitInMB: '512',
        awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      };
      const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); const out = await m.handler(${JSON.stringify(event)}, { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 30000 }); process.stdout.write(String(out));`;
      // Asynchronous: the socket above must be read while the child sends.
      const run = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: {
            PATH: process.env.PATH ?? '',
            DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT ?? '',
            AWS_REGION: 'ap-northeast-2',
            AWS_LAMBDA_FUNCTION_NAME: 'bundled-handler',
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
            LAMBDA_TASK_ROOT: outdir,
            AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
            AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
            _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ stdout, stderr, status }));
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('read back through the bundle');
      // Each subsegment is a datagram: a header line, then the document.
      const documents = received.map(
        (m) =>
          JSON.parse(m.split('\n')[1] ?? '{}') as { name?: string; aws?: { operation?: string; table_name?: string } },
      );
      const dynamo = documents.filter((d) => d.name === 'DynamoDB');
      expect(dynamo.map((d) => d.aws?.operation).sort()).toEqual(['GetItem', 'PutItem']);
      expect(dynamo.every((d) => d.aws?.table_name === table.tableName)).toBe(true);
    } finally {
      daemon.close();
    }
  });
});
