import { WriteAbortedError, writeUntilDone } from '../../src/store/write-until-done';

describe('writeUntilDone', () => {
  it('when the first write fails then the retry write runs until it succeeds', async () => {
    const calls: string[] = [];
    let retries = 0;
    await writeUntilDone(
      () => {
        calls.push('write');
        return Promise.reject(new Error('store down'));
      },
      () => {
        calls.push('retry');
        return ++retries < 2 ? Promise.reject(new Error('still down')) : Promise.resolve();
      },
      new AbortController().signal,
    );
    expect(calls).toEqual(['write', 'retry', 'retry']);
  });

  it('when the signal aborts while the store is down then it stops with WriteAbortedError', async () => {
    const controller = new AbortController();
    const done = writeUntilDone(
      () => Promise.reject(new Error('store down')),
      () => Promise.reject(new Error('store down')),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    await expect(done).rejects.toBeInstanceOf(WriteAbortedError);
  });
});
