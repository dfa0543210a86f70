import http from 'node:http';
import net from 'node:net';

/**
 * Low-level HTTP for the fuzz test: node:http for requests Node will still send (any method,
 * raw paths, latin1 headers), and a bare socket for bytes no HTTP client would produce.
 * Only ever connects to 127.0.0.1.
 */
export interface SentResult {
  /** HTTP status, or what happened instead: `closed` (no answer), `timeout`, or an error code. */
  outcome: number | string;
  contentType?: string;
  body: string;
}

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function destroyFuzzAgent(): void {
  agent.destroy();
}

export function sendHttp(port: number, c: HttpCase, timeoutMs: number): Promise<SentResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: SentResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: '127.0.0.1',
        port,
        method: c.method,
        path: c.path,
        headers: c.headers,
        agent,
        timeout: timeoutMs,
      });
    } catch (err) {
      // Node refused to build the request (e.g. an illegal header): nothing reached the server.
      settle({ outcome: `client-refused:${(err as NodeJS.ErrnoException).code ?? 'error'}`, body: '' });
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        settle({
          outcome: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', () =>
        settle({
          outcome: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('timeout', () => {
      settle({ outcome: 'timeout', body: '' });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      settle({
        outcome: err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'closed' : (err.code ?? 'error'),
        body: '',
      }),
    );
    if (c.body) req.end(c.body);
    else req.end();
  });
}

export function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<SentResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const contentType = /\r\ncontent-type: *([^\r\n]+)/i.exec(text)?.[1];
      const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      resolve({ outcome: status ? Number(status[1]) : timedOut ? 'timeout' : 'closed', contentType, body });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // One response is all we need; the server may keep the connection open.
      if (/^HTTP\/1\.[01] \d{3}[\s\S]*\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) {
        clearTimeout(timer);
        setTimeout(() => finish(false), 20);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      finish(false);
    });
    socket.write(bytes);
  });
}

/** A streamed response read over a bare socket, so a test can stop reading like a stalled client. */
export interface RawStream {
  /** Status line's code once the headers arrived. */
  status(): number | undefined;
  /** The body so far, de-chunked (a chunk still arriving is cut where it is). */
  body(): string;
  /** Stops reading from the socket: the kernel buffers fill and the server's writes back up. */
  pause(): void;
  resume(): void;
  /** Resolves when the connection closed (by the server, or `destroy`). */
  closed: Promise<void>;
  destroy(): void;
}

export function openRawStream(port: number, method: string, path: string, body?: unknown): RawStream {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const payload = body === undefined ? '' : JSON.stringify(body);
  socket.write(
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/event-stream\r\n` +
      (payload ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n` : '') +
      `\r\n${payload}`,
  );
  const raw = () => Buffer.concat(chunks).toString('latin1');
  return {
    status: () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw());
      return match ? Number(match[1]) : undefined;
    },
    body: () => {
      const all = Buffer.concat(chunks);
      const headerEnd = all.indexOf('\r\n\r\n');
      if (headerEnd < 0) return '';
      const chunked = /\r\ntransfer-encoding: *chunked/i.test(all.subarray(0, headerEnd).toString('latin1'));
      let rest = all.subarray(headerEnd + 4);
      if (!chunked) return rest.toString('utf8');
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) break;
        const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
        if (!size) break;
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        if (rest.length < lineEnd + 2 + size + 2) break;
        rest = rest.subarray(lineEnd + 2 + size + 2);
      }
      return Buffer.concat(parts).toString('utf8');
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    closed,
    destroy: () => socket.destroy(),
  };
}
