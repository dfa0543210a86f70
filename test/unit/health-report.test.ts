import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import pino from 'pino';
import { Writable } from 'node:stream';
import { healthReport } from '../../src/api/operations/health-report';
import { loadConfig } from '../../src/config';
import type { McpStatusStore } from '../../src/store/mcp-status-store';

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
    expect(report.checks).toMatchObject({
      temporal: { ok: false },
      redis: { ok: false },
      archive: { ok: false, backend: 'sqlite' },
      sqlite: { ok: false },
    });
    expect(JSON.stringify(report)).not.toContain('ECONNREFUSED');
    expect(JSON.stringify(report)).not.toContain(SECRET_HOST);
  });

  it('when a dependency fails then its error goes to the log', async () => {
    const lines: string[] = [];
    await healthReport(deps(lines));
    expect(lines.join('')).toContain(RAW_ERROR);
  });

  it('when workers report MCP servers then /health lists each with its best state and stays ok when one is down', async () => {
    const reports = [
      {
        worker: 'w1',
        reported_at: '',
        servers: [{ server: 'fs', transport: 'stdio', state: 'down', tools: 3, list_changed: 0 }],
      },
      {
        worker: 'w2',
        reported_at: '',
        servers: [
          { server: 'fs', transport: 'stdio', state: 'connected', tools: 3, list_changed: 0 },
          { server: 'remote', transport: 'http', state: 'down', tools: 0, list_changed: 0 },
        ],
      },
    ];
    const ok = () => Promise.resolve('ok');
    const report = await healthReport({
      ...deps([]),
      temporal: { workflowService: { getSystemInfo: ok } } as unknown as Connection,
      redis: { ping: ok } as unknown as Redis,
      knex: { raw: ok } as unknown as Knex,
      mcp: { all: () => Promise.resolve(reports) } as unknown as McpStatusStore,
    });
    expect(report.status).toBe('ok');
    expect(report.checks.mcp).toEqual({
      ok: false,
      servers: [
        { server: 'fs', state: 'connected', tools: 3, workers: 2 },
        { server: 'remote', state: 'down', tools: 0, workers: 1 },
      ],
    });
  });
});
