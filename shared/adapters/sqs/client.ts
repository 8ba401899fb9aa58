/**
 * SQS clients. Handlers create one at module scope. With SQS_ENDPOINT set (the local SQS server,
 * local/sqs/), placeholder credentials are used so that no real credential is ever looked up or
 * sent to a local server.
 */
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { ENV } from '#adapters/env';

export const LOCAL_SQS_REGION = 'ap-northeast-2';

export function createSqsClient(env: NodeJS.ProcessEnv = process.env, extra: SQSClientConfig = {}): SQSClient {
  const endpoint = env[ENV.sqsEndpoint];
  if (!endpoint) return new SQSClient(extra);
  return new SQSClient({
    endpoint,
    region: env.AWS_REGION ?? LOCAL_SQS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...extra,
  });
}
