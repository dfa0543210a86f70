import path from 'node:path';
import type { ChatActivities } from '../../activities';
import type { TurnResult } from '../../src/contract/turn';
import { loadConfig } from '../../src/config';
import { createTemporalClient } from '../../src/temporal/client';
import { temporalConnectionOf } from '../../src/temporal/temporal-connection';
import { createChatWorker } from '../../src/temporal/worker';
import { calculatorScript } from '../helpers/fake-openai-server';
import { getJson, postJson, type Health } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { startTlsTerminator, type TlsTerminator } from '../helpers/tls-terminator';

/** The name the server certificate carries; the address dialled is 127.0.0.1, so clients must override. */
const SERVER_NAME = 'temporal.test';

/**
 * The API and the worker reach Temporal through an mTLS frontend: the run's dev server (which has
 * no TLS of its own) behind a TLS terminator that requires a client certificate from a CA made here.
 */
describe('Temporal behind mTLS (real Temporal behind a TLS terminator, Redis, SQLite; scripted model)', () => {
  const env: Record<string, string> = {};
  let certs: TestCertificates;
  let frontend: TlsTerminator;
  beforeAll(async () => {
    certs = createTestCertificates(path.join(process.env.TEST_TMP_DIR as string, 'temporal-mtls'), SERVER_NAME);
    frontend = await startTlsTerminator(certs, process.env.TEST_TEMPORAL_ADDRESS as string);
    Object.assign(env, {
      TEMPORAL_ADDRESS: frontend.address,
      TEMPORAL_TLS_CA: certs.ca,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    });
  });
  const t = useScriptedStack(calculatorScript, env);
  afterAll(async () => {
    await frontend?.close();
  });

  /** Settings as the process would load them: the frontend and its CA, without a client certificate. */
  const withoutClientCert = () =>
    temporalConnectionOf(
      loadConfig({
        TEMPORAL_ADDRESS: frontend.address,
        TEMPORAL_TLS_CA: certs.ca,
        TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
      }),
    );

  it('when the API and the worker connect with the client certificate then a tool turn completes through the frontend', async () => {
    const reply = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'Calculate 7 * 6' });
    expect(reply.status).toBe(200);
    expect(reply.body.tools_used).toEqual(['calculator']);
    // The API's client and the worker's native connection each completed an mTLS handshake.
    expect(frontend.authorizedConnections()).toBeGreaterThanOrEqual(2);
  });

  it('when /health is read then it shows the frontend address and mtls, and Temporal up', async () => {
    const health = await getJson<Health>(t.stack.url('/health'));
    expect(health.body.checks.temporal).toEqual({
      ok: true,
      address: frontend.address,
      namespace: 'default',
      tls: 'mtls',
      api_key: 'unset',
    });
  });

  it('when the API client connects without a client certificate then the error names the address and the refusal', async () => {
    const error = await createTemporalClient(withoutClientCert(), 'default').then(
      () => new Error('connected'),
      (err: unknown) => err as Error,
    );
    expect(error.message).toBe(
      `Cannot connect to Temporal at ${frontend.address} (TLS): TLS: tlsv13 alert certificate required`,
    );
  });

  it('when the worker connects without a client certificate then the error names the address and the refusal', async () => {
    const error = await createChatWorker({
      connection: withoutClientCert(),
      namespace: 'default',
      taskQueue: 'never-polled',
      activities: {} as ChatActivities,
    }).then(
      () => new Error('connected'),
      (err: unknown) => err as Error,
    );
    expect(error.message).toBe(
      `Cannot connect to Temporal at ${frontend.address} (TLS): TLS: tlsv13 alert certificate required`,
    );
  });

  it("when the server's CA is not configured (system CAs) then the error says its certificate is not trusted", async () => {
    const settings = temporalConnectionOf(
      loadConfig({ TEMPORAL_ADDRESS: frontend.address, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME }),
    );
    const error = await createTemporalClient(settings, 'default').then(
      () => new Error('connected'),
      (err: unknown) => err as Error,
    );
    expect(error.message).toBe(
      `Cannot connect to Temporal at ${frontend.address} (TLS): TLS: self-signed certificate in certificate chain`,
    );
  });
});
