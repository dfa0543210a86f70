import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLowPort } from '../../dev/free-port';
import { ensureTemporalServerTools } from '../../dev/temporal-server';

/** `npm run cluster` / `test:cluster` on a machine without the pieces: each missing piece is named with its way out. */
describe('the pinned Temporal server tools', () => {
  const saved = { ...process.env };
  let empty: string;

  beforeEach(() => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-tools-'));
    for (const key of ['TEMPORAL_SERVER_PATH', 'TEMPORAL_SQL_TOOL_PATH', 'TEMPORAL_SCHEMA_DIR'])
      delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('when no server is built and Go is absent then the error names Go >= 1.25 and TEMPORAL_SERVER_PATH', () => {
    // In a process of its own: child_process looks commands up on the real PATH, not on Jest's copy of the env.
    const script = `require('./dev/temporal-server.ts').ensureTemporalServerTools().catch((e) => process.stdout.write(e.message));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: empty, HOME: empty, XDG_CACHE_HOME: empty }, // no go, no temporal-server, no cached build
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(
      /^No Temporal server found and Go is not installed\. Install Go >= 1\.25 .*v1\.29\.1.*TEMPORAL_SERVER_PATH/,
    );
  });

  it('when TEMPORAL_SCHEMA_DIR has no Postgres schemas then the error says which folder is missing', async () => {
    process.env.TEMPORAL_SERVER_PATH = process.execPath; // any executable: only found, never run here
    process.env.TEMPORAL_SQL_TOOL_PATH = process.execPath;
    process.env.TEMPORAL_SCHEMA_DIR = empty;
    await expect(ensureTemporalServerTools(() => undefined)).rejects.toThrow(
      `TEMPORAL_SCHEMA_DIR=${empty} has no temporal/versioned folder.`,
    );
  });

  it('when the cluster picks ports then they fit the smallint Temporal stores membership ports in', async () => {
    for (let i = 0; i < 20; i++) expect(await freeLowPort()).toBeLessThanOrEqual(32_767);
  });
});
