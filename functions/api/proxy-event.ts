/**
 * An API Gateway REST proxy event as API Gateway builds it after IAM authentication. The local
 * HTTP server, the benchmark and the tests turn their requests into these, so the handler sees
 * the same shape everywhere.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  query?: Record<string, string> | null;
  body?: string | null;
  /** The authenticated principal (requestContext.identity.userArn); null for an unsigned request. */
  userArn: string | null;
  /** A signed-in officer's verified ID-token claims (the Cognito authorizer's requestContext.authorizer.claims). */
  claims?: Record<string, string>;
  requestId?: string;
}

export function proxyEvent(r: ProxyRequest): APIGatewayProxyEvent {
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(r.userArn ?? '')?.[1] ?? null;
  return {
    httpMethod: r.method,
    path: r.path,
    resource: r.path,
    headers: r.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: r.query && Object.keys(r.query).length > 0 ? r.query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: r.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: account ?? '000000000000',
      apiId: 'local',
      authorizer: r.claims ? { claims: r.claims } : null,
      protocol: 'HTTP/1.1',
      httpMethod: r.method,
      path: r.path,
      stage: 'local',
      requestId: r.requestId ?? 'local',
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: r.path,
      identity: {
        accessKey: null,
        accountId: account,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'local',
        userArn: r.userArn,
      },
    },
  };
}
