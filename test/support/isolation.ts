import { expect } from 'vitest';

/** Anything a GraphQL or report answer may be: a parsed body with or without its HTTP status. */
type Answer = unknown;

/**
 * The answer with `id` written as `<id>`, and with what differs between any two requests (request ids)
 * left out: two answers that are equal after this are the same answer about different objects.
 */
export function shapeOf(answer: Answer, id: string): unknown {
  const text = JSON.stringify(answer).split(id).join('<id>');
  return JSON.parse(text, (key, value: unknown) => (key === 'requestId' ? undefined : value));
}

/**
 * Another tenant's object must be answered exactly as a missing one: same status, same data, same errors
 * (code, field, message, path), with only the ids differing. `foreign` is the answer about the other
 * tenant's `foreignId`, `missing` the same request about `missingId` (a random uuid nothing has).
 */
export function expectSameAsMissing(foreign: Answer, foreignId: string, missing: Answer, missingId: string, label?: string): void {
  expect(shapeOf(foreign, foreignId), label).toEqual(shapeOf(missing, missingId));
}

/** The first error's `extensions.code` of a GraphQL answer, for the exact code beside the same-shape check. */
export function codeOf(answer: { errors?: { extensions?: { code?: unknown } }[] } | { body: { errors?: { extensions?: { code?: unknown } }[] } }): unknown {
  const errors = 'body' in answer ? answer.body.errors : answer.errors;
  return errors?.[0]?.extensions?.code;
}
