/**
 * S3 and SES v2 clients of the notice channels. Handlers create them once at module scope. With
 * S3_ENDPOINT (fauxqs, which emulates S3 beside SQS) or SES_ENDPOINT (aws-ses-v2-local) set, they
 * talk to the local servers with placeholder credentials, so no real credential is ever looked up.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';

const LOCAL = { region: 'ap-northeast-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.S3_ENDPOINT;
  // Path-style locally: bucket names as sub-domains of 127.0.0.1 do not resolve.
  return endpoint ? new S3Client({ ...LOCAL, endpoint, forcePathStyle: true }) : new S3Client({});
}

export function createSesClient(env: NodeJS.ProcessEnv = process.env): SESv2Client {
  const endpoint = env.SES_ENDPOINT;
  return endpoint ? new SESv2Client({ ...LOCAL, endpoint }) : new SESv2Client({});
}
