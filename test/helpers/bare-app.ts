import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import pino from 'pino';
import { createApiSecurity } from '../../src/api/security/api-security';
import { createApp } from '../../src/api/app';
import type { SessionService } from '../../src/api/sessions/session-service';
import { loadConfig } from '../../src/config';
import { parseJson } from './http';

/**
 * The real Koa app (all middleware, all routers) with no session backend, for tests of the
 * HTTP layer: only requests that never reach the session service (auth, validation, limits,
 * headers, 404s) may be sent. Logs are captured as JSON lines.
 */
export interface BareApp {
  url(pathname: string): string;
  logs: Array<Record<string, unknown>>;
  rawLogs(): string;
  close(): Promise<void>;
}

export async function startBareApp(env: Record<string, string>, redis: Redis): Promise<BareApp> {
  const config = loadConfig(env);
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logs.push(parseJson<Record<string, unknown>>(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = createApp({
    sessions: {} as SessionService,
    health: {} as never,
    logger,
    maxMessageChars: config.MESSAGE_MAX_CHARS,
    security: createApiSecurity(config, redis, logger),
    streaming: {} as never,
  });
  const handle = app.callback();
  // Koa's handler settles its own errors (the error middleware answers them), as in src/api-process.ts.
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    logs,
    rawLogs: () => raw,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
