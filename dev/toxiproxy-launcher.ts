import { spawn } from 'node:child_process';
import { ensurePinnedGoTool, type PinnedGoTool } from './pinned-go-tool';
import { stopChild } from './stop-child';

/** The Toxiproxy build the fault tests and the chaos run use. */
const TOXIPROXY_VERSION = 'v2.5.0';

const TOXIPROXY: PinnedGoTool = {
  label: 'Toxiproxy',
  version: TOXIPROXY_VERSION,
  goPackage: `github.com/Shopify/toxiproxy/v2/cmd/server@${TOXIPROXY_VERSION}`,
  cacheName: `toxiproxy-${TOXIPROXY_VERSION}`,
  builtName: 'server',
  pathName: 'toxiproxy-server',
  pathVariable: 'TOXIPROXY_PATH',
  minimumGo: [1, 22],
};

class ToxiproxyStartError extends Error {
  override name = 'ToxiproxyStartError';
}

/** `TOXIPROXY_PATH`, then `toxiproxy-server` on PATH, then the cached pinned build, else built once. */
export async function ensureToxiproxy(explicitPath?: string, log?: (line: string) => void): Promise<string> {
  return ensurePinnedGoTool(TOXIPROXY, explicitPath, log);
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
  throw new ToxiproxyStartError(`toxiproxy-server did not answer on ${apiUrl}:\n${output.trim()}`);
}
