// A tiny JSON client for the real HTTP server under test.
import type { ImportPreview, ImportResult, SessionResponse } from '@finexia/contracts/api.ts';
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${counter}@example.com`;
}

export const GOOD_PASSWORD = 'correct horse battery staple';

export async function register(
  baseUrl: string,
  email = uniqueEmail(),
  name = 'Test User',
): Promise<SessionResponse> {
  const res = await request<SessionResponse>(baseUrl, 'POST', '/api/v1/auth/register', {
    body: { email, password: GOOD_PASSWORD, name },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The columns of the statements the tests write: Date (YYYY-MM-DD), Description, Amount (dot decimals). */
export const STATEMENT_MAPPING = {
  date: 'Date',
  description: 'Description',
  amount: 'Amount',
  dateFormat: 'YYYY-MM-DD',
  decimalSeparator: '.',
} as const;

/**
 * A CSV statement imported as a person does it: preview, then commit with the mapping. Throws
 * with the API's answer when either step fails (a test that expects a failure calls the routes).
 */
export async function importCsv(
  baseUrl: string,
  token: string,
  walletId: string,
  csv: string,
  mapping: Record<string, string> = STATEMENT_MAPPING,
): Promise<ImportResult> {
  const preview = await request<ImportPreview>(baseUrl, 'POST', '/api/v1/transactions/import/preview', {
    token,
    body: { walletId, csv },
  });
  if (preview.status !== 201) throw new Error(`preview: ${preview.status} ${JSON.stringify(preview.body)}`);
  const commit = await request<ImportResult>(
    baseUrl,
    'POST',
    `/api/v1/transactions/import/${preview.body.importId}/commit`,
    { token, body: { mapping } },
  );
  if (commit.status !== 200) throw new Error(`commit: ${commit.status} ${JSON.stringify(commit.body)}`);
  return commit.body;
}
