/**
 * A small client of the local API over HTTP, as the city's system or an officer would call it:
 * a bearer key from the local credentials file, an Idempotency-Key on every change (reused when a
 * change is retried, so a retry never applies twice), problem+json errors thrown as ApiError.
 */
import { randomUUID } from 'node:crypto';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; code?: string; errors?: unknown },
    readonly method: string,
    readonly path: string,
  ) {
    super(
      `${method} ${path}: ${status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}${problem.code ? ` (${problem.code})` : ''}`,
    );
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  key: string;
  /** Retries of a change answered 409 retryable / 5xx / connection failure, with the same key. */
  attempts?: number;
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** The Idempotency-Key for a change; a fresh one when absent. */
  idempotencyKey?: string;
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.send<T>('GET', path, { query }).then((a) => a.body);
  }

  post<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T> {
    return this.send<T>('POST', path, { body, idempotencyKey }).then((a) => a.body);
  }

  put<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T> {
    return this.send<T>('PUT', path, { body, idempotencyKey }).then((a) => a.body);
  }

  delete<T>(path: string, query?: RequestOptions['query'], idempotencyKey?: string): Promise<T> {
    return this.send<T>('DELETE', path, { query, idempotencyKey }).then((a) => a.body);
  }

  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL(path, this.options.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.key}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
      } catch (error) {
        if (attempt < attempts) {
          await pause(attempt);
          continue;
        }
        throw error;
      }
      const text = await response.text();
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.ok) return { status: response.status, body: body as T, headers: response.headers };
      const problem = (body ?? {}) as ApiError['problem'] & { retryable?: boolean };
      const retryable = response.status >= 500 || problem.retryable === true;
      if (retryable && attempt < attempts) {
        await pause(attempt);
        continue;
      }
      throw new ApiError(response.status, problem, method, url.pathname);
    }
  }
}

const pause = (attempt: number) =>
  new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.floor(Math.random() * 20)));
