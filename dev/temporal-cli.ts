import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Temporal CLI build this project is tested with. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

/** Per-user cache (not the repo), so every clone on the machine shares one build. */
function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'durable-chat-agent', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  return undefined;
}

/** `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the cached pinned build; undefined if none. */
function findTemporalCli(explicitPath?: string): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath))
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${explicitPath} is not an executable file.`);
    return explicitPath;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const cached = path.join(temporalCliCacheDir(), 'temporal');
  return isExecutable(cached) ? cached : undefined;
}

function goVersion(): string | undefined {
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * Builds the pinned CLI with `go install` into the cache directory, streaming Go's progress.
 * Takes a few minutes once; later runs find the cached binary.
 */
async function buildTemporalCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const version = goVersion();
  if (!version) {
    throw new TemporalCliNotFoundError(
      'No Temporal CLI found and Go is not installed. Install Go >= 1.25 (https://go.dev/dl/) so the pinned CLI can be built, ' +
        'or install the `temporal` CLI and put it on PATH, or set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server.',
    );
  }
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (match && (Number(match[1]) < 1 || (Number(match[1]) === 1 && Number(match[2]) < 25))) {
    throw new TemporalCliNotFoundError(
      `Go ${version} is too old to build the Temporal CLI ${TEMPORAL_CLI_VERSION}: install Go >= 1.25.`,
    );
  }
  const dir = temporalCliCacheDir();
  fs.mkdirSync(dir, { recursive: true });
  log(`[setup] Building Temporal CLI ${TEMPORAL_CLI_VERSION} with ${version} into ${dir} (a few minutes, once)...`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', GO_PACKAGE], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: process.env.GOFLAGS ?? '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const ticker = setInterval(
      () => log(`[setup] still building Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)...`),
      30_000,
    );
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new TemporalCliNotFoundError(`go install ${GO_PACKAGE} failed with exit code ${code}.`));
    });
  });
  log(`[setup] Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return path.join(dir, 'temporal');
}

export async function ensureTemporalCli(explicitPath?: string, log?: (line: string) => void): Promise<string> {
  return findTemporalCli(explicitPath) ?? (await buildTemporalCli(log));
}
