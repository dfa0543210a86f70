import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** PEM file paths of a throwaway CA, a server certificate it signed and a client certificate it signed. */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const openssl = (cwd: string, args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A P-256 key in PKCS#8, the form every TLS stack here reads (Node's, and rustls in the worker's Core). */
const genkey = (dir: string, file: string) =>
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);

/** A key and a certificate for `subject`, signed by the CA in `dir` (v3, with `extensions`). */
function issue(dir: string, name: string, subject: string, extensions: string[]): void {
  genkey(dir, `${name}.key`);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

/**
 * Generates them with the `openssl` CLI into `dir`: the server certificate names only `serverName`
 * (so a client must verify against that name, not the address it dials), the client one is for mTLS.
 */
export function createTestCertificates(dir: string, serverName: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  genkey(dir, 'ca.key');
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    '/CN=chat-agent test CA',
    '-days',
    '2',
    '-out',
    'ca.pem',
  ]);
  issue(dir, 'server', `/CN=${serverName}`, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=DNS:${serverName}`,
  ]);
  issue(dir, 'client', '/CN=chat-agent test client', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  const file = (name: string) => path.join(dir, name);
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}
