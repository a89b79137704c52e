// What a page's server load asks of the API. A refusal becomes the page's error with the
// API's status and words; the API being unreachable is a 503.
import { error } from '@sveltejs/kit';
import { ApiError } from '#lib/api.ts';

export async function fromApi<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ApiError) error(err.status === 0 ? 503 : err.status, err.message, { code: err.code });
    throw err;
  }
}
