/**
 * What the three REST APIs (the cities', the officers' console's, the taxpayer page's) wire the same
 * way: one function behind a proxy integration, API Gateway's own refusals as problem+json, and the
 * method requests checked before the function runs.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { IDEMPOTENCY_HEADER } from '../../functions/api/idempotency';

/** Errors API Gateway answers itself (a refused signature or token, a missing header) are problem+json too. */
export function problemJsonGatewayResponses(api: apigw.RestApi, corsOrigin?: string): void {
  for (const [name, type] of [
    ['Default4xx', apigw.ResponseType.DEFAULT_4XX],
    ['Default5xx', apigw.ResponseType.DEFAULT_5XX],
  ] as const) {
    api.addGatewayResponse(name, {
      type,
      responseHeaders: {
        'Content-Type': "'application/problem+json'",
        ...(corsOrigin ? { 'Access-Control-Allow-Origin': `'${corsOrigin}'` } : {}),
      },
      templates: {
        'application/json':
          '{"type":"about:blank","title":"$context.error.responseType","detail":$context.error.messageString,"requestId":"$context.requestId"}',
      },
    });
  }
}

/**
 * The function behind every route: one invoke permission for the whole API, not one per method
 * (the stack stays under CloudFormation's 500 resources; no test-invoke permissions either).
 */
export function proxyIntegration(fn: lambda.IFunction): apigw.LambdaIntegration {
  return new apigw.LambdaIntegration(fn, { proxy: true, scopePermissionToMethod: false });
}

/**
 * Checks the required path parameters and headers of every method request. Bodies are checked
 * against their schemas by the handler (one source of truth).
 */
export function requestValidator(scope: Construct, api: apigw.RestApi): apigw.RequestValidator {
  return new apigw.RequestValidator(scope, 'Validator', {
    restApi: api,
    validateRequestParameters: true,
    validateRequestBody: true,
  });
}

/** The route's path parameters are required, and so is the Idempotency-Key on a change (refused before the function runs). */
export function requiredParameters(path: string, change: boolean): Record<string, boolean> {
  const parameters: Record<string, boolean> = Object.fromEntries(
    [...path.matchAll(/\{([^}]+)\}/g)].map((m) => [`method.request.path.${m[1]}`, true]),
  );
  if (change) parameters[`method.request.header.${IDEMPOTENCY_HEADER}`] = true;
  return parameters;
}
