import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import type { TestCertificates } from './test-certificates';

/** A TLS-terminating TCP proxy in front of a plaintext gRPC server: what an mTLS frontend looks like to a client. */
export interface TlsTerminator {
  /** `127.0.0.1:port` for TEMPORAL_ADDRESS. */
  address: string;
  /** Connections that completed the handshake with a client certificate the CA signed. */
  authorizedConnections(): number;
  close(): Promise<void>;
}

/**
 * Listens with the server certificate, requires a client certificate signed by the test CA
 * (mTLS: a client without one fails the handshake), offers ALPN h2 as gRPC servers do, and
 * pipes the decrypted bytes to `backend` (h2c prior knowledge is the same HTTP/2 byte stream).
 */
export async function startTlsTerminator(certs: TestCertificates, backend: string): Promise<TlsTerminator> {
  const [host, port] = [
    backend.slice(0, backend.lastIndexOf(':')),
    Number(backend.slice(backend.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<net.Socket>();
  let authorized = 0;
  const server = tls.createServer(
    {
      cert: fs.readFileSync(certs.serverCert),
      key: fs.readFileSync(certs.serverKey),
      ca: fs.readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      authorized += client.authorized ? 1 : 0;
      const upstream = net.connect(port, host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined); // either side closing ends both (below)
      }
      client.pipe(upstream).on('close', () => client.destroy());
      upstream.pipe(client).on('close', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    },
  );
  server.on('tlsClientError', () => undefined); // refused handshakes are the point of some tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${listening}`,
    authorizedConnections: () => authorized,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
