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
