import net from 'node:net';
import tls from 'node:tls';
import type { TemporalConnectionSettings } from './temporal-connection';

/** How long the TLS probe waits for the server's verdict (TLS 1.3 refuses a client certificate after the handshake). */
const PROBE_MS = 2000;

/**
 * What a TLS handshake with the settings' CA, client certificate and server name says: the reason
 * the SDK's gRPC client hides behind "Failed to connect before the deadline" (unknown CA, name
 * mismatch, client certificate required). Undefined when TLS is off or the handshake is accepted.
 */
function tlsVerdict(settings: TemporalConnectionSettings): Promise<string | undefined> {
  const { tls: config, address } = settings;
  if (!config) return Promise.resolve(undefined);
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const servername = config.serverNameOverride ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(address.slice(at + 1)),
      ...(servername ? { servername } : {}),
      ...(config.serverRootCACertificate ? { ca: Buffer.from(config.serverRootCACertificate) } : {}),
      ...(config.clientCertPair
        ? { cert: Buffer.from(config.clientCertPair.crt), key: Buffer.from(config.clientCertPair.key) }
        : {}),
      ALPNProtocols: ['h2'],
      // Verify the name we check against (the override), as the SDK does.
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername ?? host, cert),
    });
    const done = (verdict: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => done(undefined), PROBE_MS);
    let reached = false; // a refused or unresolved address is not a TLS problem
    socket.on('connect', () => (reached = true));
    // OpenSSL's alerts carry a readable `reason` beside a message full of library internals.
    socket.on('error', (err: Error & { reason?: string }) =>
      done(`${reached ? 'TLS: ' : ''}${err.reason ?? err.message}`),
    );
    // Read on: a TLS 1.3 server refuses a client certificate with an alert after the handshake.
    socket.on('secureConnect', () => socket.resume());
  });
}

/**
 * The error a process reports when it cannot reach Temporal: the address and TLS mode (never a
 * secret), and the TLS handshake's reason when there is one.
 */
export async function temporalConnectError(settings: TemporalConnectionSettings, err: unknown): Promise<Error> {
  const reason = (await tlsVerdict(settings).catch(() => undefined)) ?? (err as Error)?.message ?? String(err);
  const mode = !settings.tls ? 'no TLS' : settings.tls.clientCertPair ? 'mTLS' : 'TLS';
  return new Error(`Cannot connect to Temporal at ${settings.address} (${mode}): ${reason}`, { cause: err });
}
