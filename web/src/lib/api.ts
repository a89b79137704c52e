// The one typed client for the Finexia API, used by pages in the browser and by the
// server hooks. Errors arrive as ApiError with the API's code, fields and action.
import type { ErrorBody } from '@finexia/contracts/errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: NonNullable<ErrorBody['error']['fields']> = [],
    readonly rows: NonNullable<ErrorBody['error']['rows']> = [],
    readonly action: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one form field, if the API named it. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.field === name || f.field.startsWith(`${name}.`))?.message;
  }
}

export interface ApiOptions {
  /** where the API is (the page's own origin in the browser) */
  baseUrl?: string;
  /** the access token to send; called before every request */
  token?: () => string | null | Promise<string | null>;
  /** asked once when the API says the token expired; returns a fresh one or null */
  renew?: () => Promise<string | null>;
  fetch?: typeof fetch;
  /** sent with every request (the dashboard's server forwards its client's address) */
  headers?: Record<string, string>;
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export class Api {
  constructor(private readonly options: ApiOptions = {}) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const text = await (await this.send(method, path, body, query, 'application/json')).text();
    return (text ? JSON.parse(text) : null) as T;
  }

  /** A file the API makes (an export): its bytes, and the name the API gave it. */
  async download(path: string): Promise<{ blob: Blob; filename: string | null }> {
    const res = await this.send('GET', path, undefined, undefined, '*/*');
    const disposition = res.headers.get('content-disposition') ?? '';
    return { blob: await res.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null };
  }

  /** The response of a request that succeeded (a fresh token asked once on 401), or an ApiError. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    query: Query | undefined,
    accept: string,
    retried = false,
  ): Promise<Response> {
    const url = new URL(
      `/api/v1${path}`,
      this.options.baseUrl ?? globalThis.location?.origin ?? 'http://localhost',
    );
    for (const [k, v] of Object.entries(query ?? {})) {
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
      else if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    }
    const token = await this.options.token?.();
    const headers: Record<string, string> = { ...this.options.headers, accept };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Finexia cannot be reached. Check your connection and try again.');
    }
    if (res.status === 401 && !retried && this.options.renew) {
      const fresh = await this.options.renew();
      if (fresh) return this.send(method, path, body, query, accept, true);
    }
    if (res.ok) return res;
    const text = await res.text();
    let e: ErrorBody['error'] | undefined;
    try {
      e = text ? (JSON.parse(text) as ErrorBody).error : undefined;
    } catch {
      e = undefined;
    }
    throw new ApiError(
      res.status,
      e?.code ?? 'HTTP_' + res.status,
      e?.message ?? `The request failed (${res.status}).`,
      e?.fields,
      e?.rows,
      e?.action,
    );
  }
}
