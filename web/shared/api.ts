/**
 * The browser's client of the city's API: a bearer token from the signed-in session, an
 * Idempotency-Key on every change (kept for the change's retries, so a retry never applies twice),
 * problem+json answers thrown as ApiProblem with the API's own Korean-readable detail.
 */

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { detail?: string; pointer?: string; name?: string }[];
}

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  send<T>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ): Promise<T>;
}

export function apiClient(baseUrl: string, token: () => string | undefined, onUnauthorized?: () => void): ApiClient {
  async function call<T>(
    method: string,
    path: string,
    body: unknown,
    query: Record<string, string | undefined> | undefined,
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['idempotency-key'] = crypto.randomUUID();
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.ok) return parsed as T;
      const problem = (parsed ?? {}) as Problem & { retryable?: boolean };
      if (response.status === 401) onUnauthorized?.();
      if ((problem.retryable || response.status >= 500) && attempt < 3) {
        await new Promise((r) => setTimeout(r, 200 * attempt));
        continue;
      }
      throw new ApiProblem(response.status, problem);
    }
  }
  return {
    get: (path, query) => call('GET', path, undefined, query),
    send: (method, path, body, query) => call(method, path, body, query),
  };
}
