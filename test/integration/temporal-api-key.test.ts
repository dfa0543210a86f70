import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ChatActivities } from '../../activities';
import { loadConfig } from '../../src/config';
import { createTemporalClient } from '../../src/temporal/client';
import { temporalConnectionOf } from '../../src/temporal/temporal-connection';
import { createChatWorker } from '../../src/temporal/worker';
import { createTestCertificates } from '../helpers/test-certificates';

const SERVER_NAME = 'temporal.test';
const API_KEY = 'test-api-key-0123456789';

/**
 * Temporal Cloud's API-key check stood in for by a gRPC-over-TLS endpoint that records the
 * `authorization` header of every call and refuses it (UNAUTHENTICATED): the dev server ignores keys.
 */
describe('TEMPORAL_API_KEY on the wire (a recording gRPC endpoint over TLS)', () => {
  const authorization: string[] = [];
  let server: http2.Http2SecureServer;
  let address: string;
  let ca: string;
  const sessions = new Set<http2.ServerHttp2Session>();

  beforeAll(async () => {
    const certs = createTestCertificates(
      path.join(process.env.TEST_TMP_DIR as string, 'temporal-api-key'),
      SERVER_NAME,
    );
    ca = certs.ca;
    server = http2.createSecureServer({
      cert: fs.readFileSync(certs.serverCert),
      key: fs.readFileSync(certs.serverKey),
    });
    server.on('session', (session) => sessions.add(session));
    server.on('stream', (stream, headers) => {
      authorization.push(String(headers.authorization));
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'recorded' },
        { endStream: true },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    authorization.length = 0;
  });
  afterAll(async () => {
    // The refused clients keep their HTTP/2 sessions open: close them, or the server never closes.
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  const settings = () =>
    temporalConnectionOf(
      loadConfig({
        TEMPORAL_ADDRESS: address,
        TEMPORAL_TLS_CA: ca,
        TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
        TEMPORAL_API_KEY: API_KEY,
      }),
    );

  it('when the API client connects with TEMPORAL_API_KEY then its calls carry authorization: Bearer <key>', async () => {
    await expect(createTemporalClient(settings(), 'ns.acct')).rejects.toThrow(
      `Cannot connect to Temporal at ${address}`,
    );
    expect(authorization).not.toHaveLength(0);
    expect(new Set(authorization)).toEqual(new Set([`Bearer ${API_KEY}`]));
  });

  it("when the worker's native connection connects with TEMPORAL_API_KEY then its calls carry authorization: Bearer <key>", async () => {
    const worker = createChatWorker({
      connection: settings(),
      namespace: 'ns.acct',
      taskQueue: 'never-polled',
      activities: {} as ChatActivities,
    });
    await expect(worker).rejects.toThrow(`Cannot connect to Temporal at ${address}`);
    expect(authorization).not.toHaveLength(0);
    expect(new Set(authorization)).toEqual(new Set([`Bearer ${API_KEY}`]));
  });
});
