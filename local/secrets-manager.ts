/**
 * A local stand-in for Secrets Manager, reached by the real `SecretsManagerClient` (its `endpoint`
 * set to `url`): the AWS JSON 1.1 protocol, GetSecretValue and PutSecretValue only, secrets in
 * memory. It counts the reads, so a test can show how often a function went to the store.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecretsManager {
  url: string;
  put(secretId: string, value: string): void;
  /** GetSecretValue calls answered, per secret. */
  reads(secretId: string): number;
  close(): Promise<void>;
}

export async function startLocalSecretsManager(initial: Record<string, string> = {}): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { value: string; version: number }>();
  const readCount = new Map<string, number>();
  const put = (id: string, value: string) => secrets.set(id, { value, version: (secrets.get(id)?.version ?? 0) + 1 });
  for (const [id, value] of Object.entries(initial)) put(id, value);

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };
  const answer = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    let input: { SecretId?: string; SecretString?: string };
    try {
      input = JSON.parse(text || '{}') as typeof input;
    } catch {
      return reply(res, 400, { __type: 'InvalidRequestException', message: 'not JSON' });
    }
    const id = input.SecretId ?? '';
    if (action === 'PutSecretValue' && typeof input.SecretString === 'string') {
      put(id, input.SecretString);
      return reply(res, 200, { ARN: id, Name: id, VersionId: `v${secrets.get(id)!.version}` });
    }
    if (action !== 'GetSecretValue')
      return reply(res, 400, { __type: 'InvalidRequestException', message: `${action} is not supported locally` });
    const secret = secrets.get(id);
    if (!secret)
      return reply(res, 400, {
        __type: 'ResourceNotFoundException',
        message: 'Secrets Manager can’t find the specified secret.',
      });
    readCount.set(id, (readCount.get(id) ?? 0) + 1);
    return reply(res, 200, {
      ARN: id,
      Name: id,
      SecretString: secret.value,
      VersionId: `v${secret.version}`,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 0,
    });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put,
    reads: (id) => readCount.get(id) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
