/**
 * RFC 9457 problem details: every refusal is `application/problem+json` and says what was wrong,
 * naming the field (a JSON pointer into the body, or the query, path or header name).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface FieldError {
  in: 'body' | 'query' | 'path' | 'header';
  pointer?: string;
  name?: string;
  detail: string;
}

const TYPE_BASE = 'urn:crypto-tax-recovery:problem:';

export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: { code?: string; retryable?: boolean; caseId?: string; errors?: FieldError[] } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toResult(instance: string | undefined): APIGatewayProxyResult {
    const body = {
      type: TYPE_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
    return {
      statusCode: this.status,
      headers: { 'content-type': 'application/problem+json', ...this.headers },
      body: JSON.stringify(body),
    };
  }
}

export function invalid(errors: FieldError[]): Problem {
  const first = errors[0];
  const where = first ? `${first.in} ${first.pointer ?? first.name ?? ''}`.trim() : 'request';
  return new Problem(
    400,
    'invalid-request',
    'The request is not valid',
    first ? `${where}: ${first.detail}` : 'the request is not valid',
    { errors },
  );
}
