import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export interface StartedChild {
  child: ChildProcess;
  pid: number;
  /** The first capture group of the ready pattern (e.g. a URL). */
  ready: string;
  output(): string;
}

/**
 * The child's side of `startNodeChild`, for a server's entry file: prints `READY <url>` once `url`
 * resolves. A server that cannot start prints its error and exits with status 1 (as an unhandled
 * rejection would), so the parent sees the exit, never a READY.
 */
export function announceReady(url: Promise<string>): void {
  url.then(
    (u) => process.stdout.write(`READY ${u}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * Starts `node --import tsx <script> …args` in its own process (so its CPU and RSS can be read)
 * and waits until its output (stdout or stderr) matches `readyPattern`.
 */
export function startNodeChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  readyPattern: RegExp,
  nodeArgs: string[] = [],
  timeoutMs = 180_000,
): Promise<StartedChild> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const done = (ready: string) => {
      clearTimeout(timer);
      resolve({ child, pid: child.pid as number, ready, output: () => log });
    };
    let resolved = false;
    const watch = (chunk: Buffer) => {
      collect(chunk);
      const match = readyPattern.exec(log);
      if (match && !resolved) {
        resolved = true;
        done(match[1] ?? '');
      }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${log}`));
    });
  });
}
