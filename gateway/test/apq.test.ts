import { describe, expect, it } from 'vitest';
import { PersistedQueryStore } from '../src/apq';

describe('persisted-query store', () => {
  it('keeps at most its count of documents, dropping the least recently used', () => {
    const store = new PersistedQueryStore(2, 1_000);
    store.set('a', '{ a }');
    store.set('b', '{ b }');
    expect(store.get('a')).toBe('{ a }'); // a is now more recent than b
    store.set('c', '{ c }');
    expect(store.count).toBe(2);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('{ a }');
    expect(store.get('c')).toBe('{ c }');
  });

  it('keeps at most its size in characters, and never a document larger than that', () => {
    const store = new PersistedQueryStore(100, 10);
    store.set('a', 'aaaa');
    store.set('b', 'bbbb');
    store.set('c', 'cccc'); // 12 characters: a goes
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual([undefined, 'bbbb', 'cccc']);
    store.set('big', 'x'.repeat(11));
    expect(store.get('big')).toBeUndefined();
    expect(store.count).toBe(2);
  });

  it('always knows its pinned documents (the portal\'s manifest), whatever else comes and goes', () => {
    const store = new PersistedQueryStore(1, 10, new Map([['portal', '{ me { id } }']]));
    store.set('a', 'aaaa');
    store.set('b', 'bbbb'); // a goes: the store holds one document of its own
    store.set('portal', 'a different text'); // a pinned id is never replaced
    expect([store.get('a'), store.get('b'), store.get('portal')]).toEqual([undefined, 'bbbb', '{ me { id } }']);
  });
});
