/**
 * Lambda entry of the taxpayer routes' authorizer (an API Gateway TOKEN authorizer): it reads only
 * the access secret (TAXPAYER_ACCESS_SECRET_ARN), nothing of the table. Composed as every handler
 * (functions/lambda.ts); none of its middlewares touches the answer: the policy document, or the
 * thrown 'Unauthorized' that API Gateway turns into a 401.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { ENV, parseEnv, required } from '#adapters/env';
import { accessKeysFromSecret } from '#adapters/self-service/secret';
import { lambdaHandler, powertools } from '../lambda';
import { createTaxpayerAuthorizer } from './authorizer';

const env = parseEnv(z.object({ [ENV.taxpayerAccessSecretArn]: required() }), process.env);
const tools = powertools('taxpayer-api');
const { logger, tracer } = tools;

export const handler = lambdaHandler(
  createTaxpayerAuthorizer({
    keys: accessKeysFromSecret(
      env[ENV.taxpayerAccessSecretArn],
      tracer.captureAWSv3Client(new SecretsManagerClient({})),
    ),
    logger,
  }),
  tools,
);
