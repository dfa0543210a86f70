import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSse } from '../helpers/live-sse-client';
import { waitFor, waitUntil, WaitTimeoutError } from '../helpers/wait-for';

/** The test helpers that wait give up at a deadline and say what they last saw. */
describe('waiting helpers', () => {
  it('when the condition comes true then waitUntil returns the value that satisfied it', async () => {
    let n = 0;
    await expect(
      waitUntil(
        () => Promise.resolve(++n),
        (value) => value === 3,
        { intervalMs: 1 },
      ),
    ).resolves.toBe(3);
  });

  it('when the condition never comes true then waitUntil gives up at its deadline naming what it waited for and the last value read', async () => {
    let n = 0;
    const waiting = waitUntil(
      () => Promise.resolve({ count: ++n }),
      () => false,
      { timeoutMs: 50, intervalMs: 5, what: 'the count to reach 100' },
    );
    await expect(waiting).rejects.toThrow(WaitTimeoutError);
    await expect(waiting).rejects.toThrow(
      new RegExp(`gave up waiting for the count to reach 100 after 50 ms[\\s\\S]*last value: \\{ count: ${n} \\}`),
    );
  });

  it('when the probe keeps throwing then waitFor gives up with the last error', async () => {
    let n = 0;
    const waiting = waitFor(() => Promise.reject(new Error(`not ready (try ${++n})`)), {
      timeoutMs: 30,
      intervalMs: 5,
    });
    await expect(waiting).rejects.toThrow(
      /last value: \(no probe finished\)[\s\S]*last error: Error: not ready \(try \d+\)/,
    );
  });

  it('when the probe fails at first and then succeeds then waitFor returns its value', async () => {
    let n = 0;
    await expect(
      waitFor(() => (++n < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve('ready')), { intervalMs: 1 }),
    ).resolves.toBe('ready');
  });

  describe('live SSE connection', () => {
    let server: http.Server;
    let url: string;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('id: 1-0\nevent: message\ndata: {"content":"one"}\n\n');
        if (req.url === '/ends') res.end('id: 2-0\nevent: done\ndata: {}\n\n');
        // '/open' stays open until the client goes.
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      server.closeAllConnections();
      server.close();
    });

    it('when the stream ends without a matching event then waitFor rejects listing the events received', async () => {
      const stream = await openSse(`${url}/ends`);
      await expect(stream.waitFor((e) => e.event === 'cancelled')).rejects.toThrow(
        /the stream ended without an event matching[\s\S]*received \(2\):[\s\S]*1-0 message[\s\S]*2-0 done/,
      );
    });

    it('when no matching event arrives before the deadline then waitFor rejects listing the events received', async () => {
      const stream = await openSse(`${url}/open`);
      try {
        await expect(stream.waitFor((e) => e.event === 'done', 100)).rejects.toThrow(
          /no match after 100 ms[\s\S]*received \(1\):[\s\S]*1-0 message/,
        );
      } finally {
        stream.close();
      }
    });

    it('when a matching event arrives then waitFor resolves with it', async () => {
      const stream = await openSse(`${url}/ends`);
      await expect(stream.waitFor((e) => e.event === 'done')).resolves.toMatchObject({ id: '2-0', event: 'done' });
    });
  });
});
