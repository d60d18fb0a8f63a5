import { expect } from 'vitest';
import { AppError } from '../../lib/src/errors';

/** Runs `fn` and returns the AppError it raised, failing the test if it raised nothing or something else. */
export function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, but nothing was thrown');
}

/** Expects BAD_USER_INPUT naming `field`, in `extensions.field` and at the start of the message. */
export function expectBadInput(fn: () => unknown, field: string): AppError {
  const error = caught(fn);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  expect(error.extensions.field).toBe(field);
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  return error;
}
