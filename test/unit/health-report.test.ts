import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import pino from 'pino';
import { Writable } from 'node:stream';
import { healthReport } from '../../src/api/operations/health-report';
import { loadConfig } from '../../src/config';

const SECRET_HOST = 'models.internal.example:8443';
const RAW_ERROR = 'connect ECONNREFUSED 10.1.2.3:6379';

function failing(): Promise<never> {
  return Promise.reject(new Error(RAW_ERROR));
}

function deps(lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    temporal: { workflowService: { getSystemInfo: failing } } as unknown as Connection,
    redis: { ping: failing } as unknown as Redis,
    knex: { raw: failing } as unknown as Knex,
    llm: loadConfig({ LLM_BASE_URL: `https://${SECRET_HOST}/v1`, LLM_API_KEY: 'k', LLM_MODEL: 'm' }).llm,
    logger: pino({ level: 'info' }, sink),
  };
}

describe('public /health report', () => {
  it('when dependencies fail then the report says only down per part, without their errors or the model URL', async () => {
    const report = await healthReport(deps([]));
    expect(report.checks).toMatchObject({ temporal: { ok: false }, redis: { ok: false }, sqlite: { ok: false } });
    expect(JSON.stringify(report)).not.toContain('ECONNREFUSED');
    expect(JSON.stringify(report)).not.toContain(SECRET_HOST);
  });

  it('when a dependency fails then its error goes to the log', async () => {
    const lines: string[] = [];
    await healthReport(deps(lines));
    expect(lines.join('')).toContain(RAW_ERROR);
  });
});
