import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopChild } from './stop-child';

/** The Toxiproxy build the fault tests and the chaos run use. */
const TOXIPROXY_VERSION = 'v2.5.0';
const GO_PACKAGE = `github.com/Shopify/toxiproxy/v2/cmd/server@${TOXIPROXY_VERSION}`;

class ToxiproxyNotFoundError extends Error {
  override name = 'ToxiproxyNotFoundError';
}

/** Per-user cache (not the repo), beside the Temporal CLI's, so every clone on the machine shares one build. */
function toxiproxyCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'durable-chat-agent', `toxiproxy-${TOXIPROXY_VERSION}`);
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

/** `TOXIPROXY_PATH`, then `toxiproxy-server` on PATH, then the cached pinned build (`go install` names it `server`). */
function findToxiproxy(explicitPath?: string): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath))
      throw new ToxiproxyNotFoundError(`TOXIPROXY_PATH=${explicitPath} is not an executable file.`);
    return explicitPath;
  }
  const fromPath = onPath('toxiproxy-server');
  if (fromPath) return fromPath;
  const cached = path.join(toxiproxyCacheDir(), 'server');
  return isExecutable(cached) ? cached : undefined;
}

/** Builds the pinned server with `go install` into the cache directory, streaming Go's progress (about a minute, once). */
async function buildToxiproxy(log: (line: string) => void): Promise<string> {
  const version = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (version.status !== 0) {
    throw new ToxiproxyNotFoundError(
      'No Toxiproxy found and Go is not installed. Install Go >= 1.22 (https://go.dev/dl/) so the pinned ' +
        `Toxiproxy ${TOXIPROXY_VERSION} can be built, or put \`toxiproxy-server\` on PATH, or set TOXIPROXY_PATH.`,
    );
  }
  const dir = toxiproxyCacheDir();
  fs.mkdirSync(dir, { recursive: true });
  log(`[setup] Building Toxiproxy ${TOXIPROXY_VERSION} with ${version.stdout.trim()} into ${dir} (once)...`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', GO_PACKAGE], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: process.env.GOFLAGS ?? '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const ticker = setInterval(
      () => log(`[setup] still building Toxiproxy (${Math.round((Date.now() - started) / 1000)} s)...`),
      30_000,
    );
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new ToxiproxyNotFoundError(`go install ${GO_PACKAGE} failed with exit code ${code}.`));
    });
  });
  log(`[setup] Toxiproxy built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return path.join(dir, 'server');
}

export async function ensureToxiproxy(
  explicitPath?: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<string> {
  return findToxiproxy(explicitPath) ?? (await buildToxiproxy(log));
}

export interface ToxiproxyServer {
  /** The HTTP API, e.g. `http://127.0.0.1:8474`. */
  apiUrl: string;
  stop(): Promise<void>;
}

/** Starts `toxiproxy-server` on 127.0.0.1:`port` and resolves once its API answers. */
export async function startToxiproxy(binary: string, port: number, readyTimeoutMs = 15_000): Promise<ToxiproxyServer> {
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const apiUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${apiUrl}/version`)).ok) return { apiUrl, stop: () => stopChild(child, 3000) };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child, 1000);
  throw new ToxiproxyNotFoundError(`toxiproxy-server did not answer on ${apiUrl}:\n${output.trim()}`);
}
