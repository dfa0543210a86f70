import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'src', 'main.ts');

export interface RoleProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Ready when the SDK worker polls ("worker running" comes earlier): a worker counted before that serves nothing. */
export const WORKER_READY = /"state":"RUNNING"/;
export const API_READY = /"msg":"API listening"/;

/**
 * Starts `node --import tsx src/main.ts <role>` with exactly `env` (LOG_LEVEL info or lower, so the ready line
 * is printed as JSON); its output goes to `logFile`. Resolves once the output matches `ready`; rejects if it
 * exits first or is not ready within 120 s.
 */
export function spawnRole(
  role: 'api' | 'worker',
  env: Record<string, string>,
  logFile: string,
  ready: RegExp,
): Promise<RoleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, role], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = fs.createWriteStream(logFile);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<RoleProcess>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`${role} did not start within 120 s:\n${seen.slice(-2000)}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      file.write(chunk);
      if (seen.length < 100_000) seen += chunk.toString();
      if (ready.test(seen)) {
        clearTimeout(timer);
        seen = '';
        resolve({ child, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${role} exited before it was ready:\n${seen.slice(-2000)}`)));
  });
}
