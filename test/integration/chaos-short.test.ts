import { spawn } from 'node:child_process';
import path from 'node:path';
import { noteInTestLog } from '../helpers/test-log';

/**
 * The short chaos run (`npm run chaos -- --kills 10 --temporal-restarts 1`): a real stack of its
 * own (file-database dev server, one API, two workers, the streaming scripted model), workers
 * SIGKILLed and the dev server restarted under load from several sessions. The script checks the
 * archive and exits non-zero on any violation; its figures are printed as JSON on stdout.
 */
jest.setTimeout(15 * 60_000);

const SCRIPT = path.resolve(__dirname, '../../scripts/chaos.ts');

interface ChaosFigures {
  kills: number;
  temporal_restarts: number;
  turns_sent: number;
  archived: number;
  duplicates: number;
  lost: number;
  wrong: number;
  failed_requests: number;
}

function runChaos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, REDIS_URL: process.env.TEST_REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      noteInTestLog(chunk.toString().trimEnd());
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('chaos run (short)', () => {
  it('when workers are SIGKILLed and the dev server restarts under load then every message is archived once, right, and answered', async () => {
    const { code, stdout, stderr } = await runChaos(['--kills', '10', '--temporal-restarts', '1', '--sessions', '3']);
    const figures = JSON.parse(stdout.slice(stdout.indexOf('{')) || '{}') as Partial<ChaosFigures>;
    expect({ code, figures, log: code === 0 ? '' : stderr.slice(-3000) }).toMatchObject({
      code: 0,
      figures: { kills: 10, temporal_restarts: 1, duplicates: 0, lost: 0, wrong: 0, failed_requests: 0 },
    });
    expect(figures.turns_sent).toBeGreaterThan(0);
    expect(figures.archived).toBe(figures.turns_sent);
  });
});
