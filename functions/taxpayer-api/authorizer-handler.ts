/**
 * Lambda entry of the taxpayer routes' authorizer (an API Gateway TOKEN authorizer): it reads only
 * the access secret (TAXPAYER_ACCESS_SECRET_ARN), nothing of the table.
 */
import * as z from 'zod/mini';
import { ENV, parseEnv, required } from '#adapters/env';
import { accessKeysFromSecret } from '#adapters/self-service/secret';
import { createTaxpayerAuthorizer } from './authorizer';

const env = parseEnv(z.object({ [ENV.taxpayerAccessSecretArn]: required() }), process.env);

export const handler = createTaxpayerAuthorizer({ keys: accessKeysFromSecret(env[ENV.taxpayerAccessSecretArn]) });
