import { describe, expect, it } from 'vitest';
import { wantsEventStream } from '../src/subscriptions';

describe('wantsEventStream', () => {
  it('is the Hive gateway subscribing, curl, a browser EventSource and urql subscribing', () => {
    expect(wantsEventStream('text/event-stream')).toBe(true);
    expect(wantsEventStream('text/event-stream, multipart/mixed')).toBe(true);
    expect(wantsEventStream('Text/Event-Stream; charset=utf-8')).toBe(true);
  });

  it('is not a client that also takes JSON (urql querying lists every type it reads), nor one without the type', () => {
    expect(wantsEventStream('application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed')).toBe(false);
    expect(wantsEventStream('application/json, text/event-stream')).toBe(false);
    expect(wantsEventStream('application/graphql-response+json, application/json, multipart/mixed')).toBe(false);
    expect(wantsEventStream('*/*')).toBe(false);
    expect(wantsEventStream(undefined)).toBe(false);
  });
});
