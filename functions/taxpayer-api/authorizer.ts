/**
 * The taxpayer routes' own authorizer (an API Gateway Lambda TOKEN authorizer on the Authorization
 * header): a session signed by this deployment and not expired lets the request through with the
 * session's city, case, notice and code as its context; anything else is refused with 401 by API
 * Gateway before the API function runs. Locally, the local HTTP server calls the same function.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { verifySession, type AccessKeys } from '#adapters/self-service/access-keys';

/** What API Gateway answers as 401 when an authorizer throws it. */
export const UNAUTHORIZED = 'Unauthorized';

export function createTaxpayerAuthorizer(deps: {
  keys: () => Promise<AccessKeys>;
  /** The verdict only: never the token, nor anything of the session but its city. */
  logger: Pick<Logger, 'info'>;
  now?: () => Date;
}): (
  event: Pick<APIGatewayTokenAuthorizerEvent, 'authorizationToken' | 'methodArn'>,
) => Promise<APIGatewayAuthorizerResult> {
  return async (event) => {
    const token = /^Bearer (\S+)$/.exec(event.authorizationToken ?? '')?.[1];
    const session = token
      ? await verifySession(await deps.keys(), token, (deps.now ?? (() => new Date()))())
      : undefined;
    if (!session) {
      deps.logger.info('session refused', { reason: token ? 'invalid or expired' : 'no bearer token' });
      throw new Error(UNAUTHORIZED);
    }
    deps.logger.info('session allowed', { cityId: session.cityId });
    return {
      principalId: `taxpayer:${session.noticeId}`,
      // This request only (the authorizer's answer is not cached): a session opens one case's routes.
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: {
        cityId: session.cityId,
        caseId: session.caseId,
        noticeId: session.noticeId,
        code: session.code,
        expiresAt: session.expiresAt.toISOString(),
      },
    };
  };
}
