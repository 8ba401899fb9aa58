/**
 * The taxpayer authorizer's Lambda entry (functions/taxpayer-api/authorizer-handler.ts) as deployed:
 * its environment, the access secret read by the real Secrets Manager client (from the local
 * stand-in), composed by functions/lambda.ts. Its answers stay what API Gateway expects (the policy
 * document, or the thrown 'Unauthorized' it answers 401); its log lines carry the request id and
 * never the token, the secret or the session's code; the first invocation emits the cold-start metric.
 */
import { randomBytes } from 'node:crypto';
import { ENV } from '#adapters/env';
import { accessKeys, signSession } from '#adapters/self-service/access-keys';
import { UNAUTHORIZED } from '../../../functions/taxpayer-api/authorizer';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../local/secrets-manager';
import { lambdaContext } from '../../../local/sqs';

type Entry = typeof import('../../../functions/taxpayer-api/authorizer-handler');

const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:taxpayer-access-AbCdEf';
const SECRET = randomBytes(48).toString('base64');
const METHOD_ARN = 'arn:aws:execute-api:ap-northeast-2:111122223333:api/v1/GET/taxpayer/statement';
const SESSION = { cityId: 'cheongju', caseId: 'c-1', noticeId: 'n-1', code: 'K7QM2XW9PD4T8HRV' };

let store: LocalSecretsManager;
const saved = { ...process.env };

beforeAll(async () => {
  store = await startLocalSecretsManager({ [SECRET_ARN]: SECRET });
  Object.assign(process.env, {
    [ENV.taxpayerAccessSecretArn]: SECRET_ARN,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: store.url,
    AWS_REGION: 'ap-northeast-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // An operator's debugging switch: the composition keeps events (tokens) out of the log all the same.
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'CryptoTaxRecovery/test',
    // As Lambda sets it for a container started by an invocation (Powertools counts cold starts by it).
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
});
afterAll(async () => {
  process.env = saved;
  await store.close();
});

/** A fresh container: the entry module loaded anew (its own secret cache, its own cold start). */
function container(): Entry['handler'] {
  let entry: Entry | undefined;
  jest.isolateModules(() => {
    entry = jest.requireActual<Entry>('../../../functions/taxpayer-api/authorizer-handler');
  });
  return entry!.handler;
}

/** Everything the invocation writes (log lines and metrics, on either stream), as text and as JSON lines. */
async function captured<T>(
  run: () => Promise<T>,
): Promise<{ result: PromiseSettledResult<T>; text: string; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const write = (chunk: string | Uint8Array) => (chunks.push(String(chunk)), true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(write);
  let result: PromiseSettledResult<T>;
  try {
    result = await run().then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    );
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const text = chunks.join('');
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, text, lines };
}

const event = (authorizationToken: string) => ({ type: 'TOKEN' as const, authorizationToken, methodArn: METHOD_ARN });

it('lets a session signed with the secret through with the policy API Gateway expects, logged with the request id, with the cold-start metric', async () => {
  const { token, expiresAt } = await signSession(accessKeys(SECRET), SESSION, new Date());
  const handler = container();
  const context = lambdaContext('taxpayer-authorizer', 10_000);
  const reads = store.reads(SECRET_ARN);

  const { result, text, lines } = await captured(() => handler(event(`Bearer ${token}`), context));

  expect(result).toEqual({
    status: 'fulfilled',
    value: {
      principalId: 'taxpayer:n-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: { ...SESSION, expiresAt: expiresAt.toISOString() },
    },
  });
  expect(lines.find((l) => l.message === 'session allowed')).toMatchObject({
    level: 'INFO',
    service: 'taxpayer-api',
    cityId: 'cheongju',
    function_name: 'taxpayer-authorizer',
    function_request_id: context.awsRequestId,
  });
  expect(lines.find((l) => 'ColdStart' in l)).toMatchObject({ ColdStart: 1, function_name: 'taxpayer-authorizer' });
  // The secret was read once, through the handler's client.
  expect(store.reads(SECRET_ARN)).toBe(reads + 1);
  for (const secret of [token, SECRET, SESSION.code]) expect(text).not.toContain(secret);
});

it('refuses a forged, an expired or a missing session with the Unauthorized error API Gateway answers 401, logged without the token', async () => {
  const other = accessKeys(randomBytes(48).toString('base64'));
  const forged = (await signSession(other, SESSION, new Date())).token;
  const expired = (await signSession(accessKeys(SECRET), SESSION, new Date(Date.now() - 86_400_000))).token;
  const handler = container();

  for (const header of [`Bearer ${forged}`, `Bearer ${expired}`, '', `Basic ${expired}`]) {
    const context = lambdaContext('taxpayer-authorizer', 10_000);
    const { result, text, lines } = await captured(() => handler(event(header), context));
    expect(result.status).toBe('rejected');
    // Exactly this message: API Gateway answers 401 to it, and 500 to any other error.
    expect((result as PromiseRejectedResult).reason).toEqual(new Error(UNAUTHORIZED));
    expect(lines.find((l) => l.message === 'session refused')).toMatchObject({
      reason: header.startsWith('Bearer ') ? 'invalid or expired' : 'no bearer token',
      function_request_id: context.awsRequestId,
    });
    expect(text).not.toContain(forged);
    expect(text).not.toContain(expired);
  }
});
