import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A tool this project pins and, when the machine lacks it, builds from the Go module proxy. */
export interface PinnedGoTool {
  /** How progress and errors name it, e.g. `Temporal CLI`. */
  label: string;
  version: string;
  /** `go install` argument, with its `@version`. */
  goPackage: string;
  /** The folder under the per-user cache, e.g. `temporal-cli-v1.5.1`. */
  cacheName: string;
  /** The file `go install` writes (named after the package's last path element). */
  builtName: string;
  /** The binary's usual name on PATH. */
  pathName: string;
  /** The environment variable that points at an explicit binary. */
  pathVariable: string;
  /** Oldest Go that builds it: [major, minor]. */
  minimumGo: [number, number];
  /** Another way out, added to the "install Go" message. */
  otherwise?: string;
}

export class PinnedGoToolNotFoundError extends Error {
  override name = 'PinnedGoToolNotFoundError';
}

/** Per-user cache (not the repo), so every clone on the machine shares one build. */
function cacheDir(tool: PinnedGoTool, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'durable-chat-agent', tool.cacheName);
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

/** The explicit path, then the binary on PATH, then the cached pinned build; undefined if none. */
function findTool(tool: PinnedGoTool, explicitPath?: string): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath))
      throw new PinnedGoToolNotFoundError(`${tool.pathVariable}=${explicitPath} is not an executable file.`);
    return explicitPath;
  }
  const fromPath = onPath(tool.pathName);
  if (fromPath) return fromPath;
  const cached = path.join(cacheDir(tool), tool.builtName);
  return isExecutable(cached) ? cached : undefined;
}

/** Builds the pinned version with `go install` into the cache directory, streaming Go's progress. */
async function buildTool(tool: PinnedGoTool, log: (line: string) => void): Promise<string> {
  const [minMajor, minMinor] = tool.minimumGo;
  const needGo = `Go >= ${minMajor}.${minMinor}`;
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  const version = result.status === 0 ? result.stdout.trim() : undefined;
  if (!version) {
    throw new PinnedGoToolNotFoundError(
      `No ${tool.label} found and Go is not installed. Install ${needGo} (https://go.dev/dl/) so the pinned ` +
        `${tool.label} ${tool.version} can be built, or put \`${tool.pathName}\` on PATH, or set ${tool.pathVariable}${tool.otherwise ? `, or ${tool.otherwise}` : ''}.`,
    );
  }
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (match && (Number(match[1]) < minMajor || (Number(match[1]) === minMajor && Number(match[2]) < minMinor))) {
    throw new PinnedGoToolNotFoundError(
      `Go ${version} is too old to build ${tool.label} ${tool.version}: install ${needGo}.`,
    );
  }
  const dir = cacheDir(tool);
  fs.mkdirSync(dir, { recursive: true });
  log(`[setup] Building ${tool.label} ${tool.version} with ${version} into ${dir} (a few minutes, once)...`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', tool.goPackage], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: process.env.GOFLAGS ?? '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const ticker = setInterval(
      () => log(`[setup] still building ${tool.label} (${Math.round((Date.now() - started) / 1000)} s)...`),
      30_000,
    );
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new PinnedGoToolNotFoundError(`go install ${tool.goPackage} failed with exit code ${code}.`));
    });
  });
  log(`[setup] ${tool.label} built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return path.join(dir, tool.builtName);
}

/** The binary to run: found (explicit path, PATH, cache) or built once. */
export async function ensurePinnedGoTool(
  tool: PinnedGoTool,
  explicitPath?: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<string> {
  return findTool(tool, explicitPath) ?? (await buildTool(tool, log));
}
