import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import pino from 'pino';
import { healthReport } from '../../src/api/operations/health-report';
import { ConfigError, loadConfig } from '../../src/config';
import { printStartBanner } from '../../src/process/start-banner';
import { temporalConnectionOf, temporalConnectionSummary } from '../../src/temporal/temporal-connection';

const API_KEY = 'tmprl-secret-api-key-0123456789';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n';
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nCLIENT-CERT-MATERIAL\n-----END CERTIFICATE-----\n';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nCA-MATERIAL\n-----END CERTIFICATE-----\n';

function pemFiles(): { ca: string; cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-tls-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  return { ca: write('ca.pem', CA_PEM), cert: write('client.pem', CERT_PEM), key: write('client.key', KEY_PEM) };
}

const cloud = {
  TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
  TEMPORAL_NAMESPACE: 'ns.acct',
  TEMPORAL_TLS_CERT: CERT_PEM,
  TEMPORAL_TLS_KEY: KEY_PEM,
  TEMPORAL_API_KEY: API_KEY,
};

describe('Temporal connection settings', () => {
  it('when nothing is set then the connection is plaintext without a key', () => {
    expect(temporalConnectionOf(loadConfig({}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('when the TLS files are set then the client and the worker get their bytes and the server name', () => {
    const files = pemFiles();
    const settings = temporalConnectionOf(
      loadConfig({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_TLS_CA: files.ca,
        TEMPORAL_TLS_CERT: files.cert,
        TEMPORAL_TLS_KEY: files.key,
        TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
      }),
    );
    expect(settings.address).toBe('temporal.internal:7233');
    expect(settings.tls?.serverNameOverride).toBe('frontend.temporal');
    expect(settings.tls?.serverRootCACertificate?.toString()).toBe(CA_PEM);
    expect(settings.tls?.clientCertPair?.crt.toString()).toBe(CERT_PEM);
    expect(settings.tls?.clientCertPair?.key.toString()).toBe(KEY_PEM);
    expect(settings.apiKey).toBeUndefined();
  });

  it('when the PEM is inline with escaped newlines then it is used as the PEM itself', () => {
    const settings = temporalConnectionOf(loadConfig({ TEMPORAL_TLS_CA: CA_PEM.replace(/\n/g, '\\n') }));
    expect(settings.tls?.serverRootCACertificate?.toString()).toBe(CA_PEM);
  });

  it('when only an API key is set then TLS with the system CAs is on and the key is passed', () => {
    expect(temporalConnectionOf(loadConfig({ TEMPORAL_API_KEY: API_KEY }))).toEqual({
      address: '127.0.0.1:7233',
      tls: {},
      apiKey: API_KEY,
    });
  });

  it('when TEMPORAL_TLS is true then TLS with the system CAs is on', () => {
    expect(temporalConnectionOf(loadConfig({ TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it('when a certificate is set without its key (or the key without it) then the configuration is refused', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: CERT_PEM })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS_KEY: KEY_PEM })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  });

  it('when a PEM file cannot be read then the error names the key and the path', () => {
    const config = loadConfig({ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' });
    expect(() => temporalConnectionOf(config)).toThrow(/TEMPORAL_TLS_CA: cannot read \/nonexistent\/ca\.pem/);
  });

  it('when mTLS and a key are set then the summary says where and how, without them', () => {
    expect(temporalConnectionSummary(loadConfig(cloud))).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      namespace: 'ns.acct',
      tls: 'mtls',
      api_key: 'set',
    });
  });
});

describe('where Temporal is, shown without secrets', () => {
  const secrets = [API_KEY, 'SECRET-KEY-MATERIAL', 'CLIENT-CERT-MATERIAL', 'BEGIN'];

  it('when the start banner is printed then it shows the address, namespace and TLS mode, never the key or PEM', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      printStartBanner({ config: loadConfig(cloud), temporalAddress: cloud.TEMPORAL_ADDRESS });
    } finally {
      write.mockRestore();
    }
    const banner = lines.join('');
    expect(banner).toContain('ns.acct.tmprl.cloud:7233   namespace: ns.acct   tls: mtls   api_key: set');
    for (const secret of secrets) expect(banner).not.toContain(secret);
  });

  it('when /health is reported then the Temporal entry shows the same, never the key or PEM', async () => {
    const ok = () => Promise.resolve('ok');
    const config = loadConfig(cloud);
    const report = await healthReport({
      temporal: { workflowService: { getSystemInfo: ok } } as unknown as Connection,
      temporalTarget: temporalConnectionSummary(config),
      redis: { ping: ok } as unknown as Redis,
      knex: { raw: ok } as unknown as Knex,
      llm: config.llm,
      logger: pino({ level: 'silent' }),
    });
    expect(report.checks.temporal).toEqual({
      ok: true,
      address: 'ns.acct.tmprl.cloud:7233',
      namespace: 'ns.acct',
      tls: 'mtls',
      api_key: 'set',
    });
    for (const secret of secrets) expect(JSON.stringify(report)).not.toContain(secret);
  });
});
