import { describe, expect, it } from 'vitest';
import { Errors } from 'moleculer';
import { ERROR_STATUS, type ErrorCode } from '@finexia/contracts/errors.ts';
import { AppError, invalidField, rowsInvalid, tooManyRequests, withAction } from '../../domain/errors.ts';
import { toHttpError } from './http-errors.ts';

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

  it('answers every code with the status of the one table, also after the transporter made it a plain object', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS) as [ErrorCode, number][]) {
      const err = new AppError(code, 'Words for the user.', { fields: [{ field: 'f', message: 'm' }] });
      for (const candidate of [
        err,
        { name: 'AppError', message: err.message, type: err.type, data: err.data },
      ]) {
        const mapped = toHttpError(candidate);
        expect(mapped.status).toBe(status);
        expect(mapped.body).toEqual({
          error: { code, message: 'Words for the user.', fields: [{ field: 'f', message: 'm' }] },
        });
      }
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

  it('does not trust a foreign error that looks like ours', () => {
    expect(toHttpError({ code: 404, type: 'some lower-case thing', message: 'x' }).status).toBe(500);
    expect(toHttpError({ name: 'AppError', type: 'NOT_A_CODE', message: 'x' }).status).toBe(500);
    expect(toHttpError('a string').status).toBe(500);
  });

  it("maps moleculer-web's and the broker's own errors", () => {
    expect(toHttpError({ name: 'NotFoundError', code: 404, type: 'NOT_FOUND' }).status).toBe(404);
    expect(toHttpError({ name: 'ServiceNotAvailableError', code: 404 }).status).toBe(503);
    expect(toHttpError({ name: 'PayloadTooLarge', code: 413 }).status).toBe(413);
    expect(toHttpError({ name: 'BadRequestError', code: 400 }).status).toBe(400);
  });

  it('an AppError is a refusal the broker never retries', () => {
    expect(invalidField('date', 'is not a real date', 'isoDate').retryable).toBe(false);
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
  it('passes row errors with their line', () => {
    const mapped = toHttpError(rowsInvalid('bad', [{ line: 3, field: 'date', message: 'x' }]));
    expect(mapped.status).toBe(422);
    expect(mapped.body.error.rows).toEqual([{ line: 3, field: 'date', message: 'x' }]);
  });
  it('passes the action that fixes the problem, and Retry-After on a 503 that knows when to come back', () => {
    const mapped = toHttpError(
      withAction('PROVIDER_UNAVAILABLE', 'later', 'retry-later', { retryAfterSeconds: 30 }),
    );
    expect(mapped.status).toBe(503);
    expect(mapped.headers['Retry-After']).toBe('30');
    expect(mapped.body.error.action).toBe('retry-later');
  });
});
