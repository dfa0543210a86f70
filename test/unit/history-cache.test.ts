import { HistoryCache } from '../../src/api/sessions/history-cache';

const body = (chars: number) => 'x'.repeat(chars);

describe('the history cache', () => {
  it('when an answer is cached then it is returned with its turn count', () => {
    const cache = new HistoryCache(100);
    cache.set('a', { turns: 2, body: body(10) });
    expect(cache.get('a')).toEqual(expect.objectContaining({ turns: 2, body: body(10) }));
  });

  it('when the bytes exceed the bound then the least recently read answer goes first', () => {
    const cache = new HistoryCache(100);
    cache.set('a', { turns: 1, body: body(40) });
    cache.set('b', { turns: 1, body: body(40) });
    cache.get('a');
    cache.set('c', { turns: 1, body: body(40) });
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((e) => e !== undefined)).toEqual([true, false, true]);
    expect(cache.size).toEqual({ entries: 2, bytes: 80 });
  });

  it('when a session is cached again then its newer answer replaces the older one', () => {
    const cache = new HistoryCache(100);
    cache.set('a', { turns: 1, body: body(40) });
    cache.set('a', { turns: 2, body: body(50) });
    expect(cache.get('a')?.turns).toBe(2);
    expect(cache.size).toEqual({ entries: 1, bytes: 50 });
  });

  it('when one answer is larger than the bound then it is not kept', () => {
    const cache = new HistoryCache(100);
    cache.set('a', { turns: 1, body: body(101) });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('when the bound is 0 then nothing is kept', () => {
    const cache = new HistoryCache(0);
    cache.set('a', { turns: 1, body: '' });
    cache.set('b', { turns: 1, body: body(1) });
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});
