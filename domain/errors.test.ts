import { describe, expect, it } from 'vitest';
import { Errors } from 'moleculer';
import { AppError, toHttpError, tooManyRequests, unprocessable } from './errors.ts';

describe('toHttpError', () => {
  it('maps validator errors to 422 with a field list and without the submitted values', () => {
    const err = new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', [
      {
        type: 'string',
        field: 'password',
        message: "The 'password' field must be a string.",
        actual: 'secret!',
      },
    ]);
    const mapped = toHttpError(err);
    expect(mapped.status).toBe(422);
    expect(mapped.body.error.code).toBe('VALIDATION_FAILED');
    expect(mapped.body.error.fields).toEqual([
      { field: 'password', message: "'password' must be a string.", type: 'string' },
    ]);
    expect(JSON.stringify(mapped.body)).not.toContain('secret!');
  });

  it('maps body-parser failures', () => {
    expect(toHttpError({ type: 'entity.parse.failed', status: 400 }).status).toBe(400);
    expect(toHttpError({ type: 'entity.parse.failed' }).body.error.code).toBe('MALFORMED_JSON');
    expect(toHttpError({ type: 'entity.too.large', status: 413 }).body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps an AppError status, code and fields, also after crossing the transporter as a plain object', () => {
    const err = unprocessable('WEAK_PASSWORD', 'Too weak.', [
      { field: 'password', message: 'is too common' },
    ]);
    for (const candidate of [
      err,
      { name: 'AppError', message: err.message, code: err.code, type: err.type, data: err.data },
    ]) {
      const mapped = toHttpError(candidate);
      expect(mapped.status).toBe(422);
      expect(mapped.body).toEqual({
        error: {
          code: 'WEAK_PASSWORD',
          message: 'Too weak.',
          fields: [{ field: 'password', message: 'is too common' }],
        },
      });
    }
  });

  it('adds Retry-After to 429s', () => {
    const mapped = toHttpError(tooManyRequests(12.2));
    expect(mapped.status).toBe(429);
    expect(mapped.headers['Retry-After']).toBe('13');
  });

  it('hides internals of unexpected errors behind a generic 500', () => {
    const mapped = toHttpError(new Error('connect ECONNREFUSED 10.1.2.3:27017 password=abc'));
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(mapped.body)).not.toMatch(/ECONNREFUSED|password/);
  });

  it('does not trust a 4xx code with a non-code type (a foreign error)', () => {
    expect(toHttpError({ code: 404, type: 'some lower-case thing', message: 'x' }).status).toBe(500);
    expect(toHttpError('a string').status).toBe(500);
  });

  it('maps moleculer-web not-found and unavailable services', () => {
    expect(toHttpError({ name: 'NotFoundError', code: 404, type: 'NOT_FOUND' }).status).toBe(404);
    expect(toHttpError({ name: 'ServiceNotAvailableError', code: 404 }).status).toBe(503);
  });

  it('AppError is a Moleculer client error (not retried by the broker)', () => {
    const err = new AppError(409, 'CONFLICT', 'x');
    expect(err).toBeInstanceOf(Errors.MoleculerClientError);
    expect(err.retryable).toBe(false);
  });
});

describe('unknown fields', () => {
  it('lists each forbidden key as its own field', () => {
    const mapped = toHttpError({
      name: 'ValidationError',
      code: 422,
      type: 'VALIDATION_ERROR',
      data: [{ type: 'objectStrict', field: undefined, actual: 'role, isAdmin', message: 'x' }],
    });
    expect(mapped.body.error.fields?.map((f) => f.field)).toEqual(['role', 'isAdmin']);
  });
});

describe('row errors and actions', () => {
  it('passes row errors and the action that fixes the problem', () => {
    const mapped = toHttpError(
      new AppError(422, 'CSV_INVALID', 'bad', {
        rows: [{ row: 3, field: 'date', message: 'x' }],
        action: 'fix-file',
      }),
    );
    expect(mapped.body.error.rows).toEqual([{ row: 3, field: 'date', message: 'x' }]);
    expect(mapped.body.error.action).toBe('fix-file');
  });
  it('adds Retry-After to a 503 that knows when to come back', () => {
    const mapped = toHttpError(new AppError(503, 'PROVIDER_UNAVAILABLE', 'later', { retryAfterSeconds: 30 }));
    expect(mapped.status).toBe(503);
    expect(mapped.headers['Retry-After']).toBe('30');
  });
});
