import { ensurePinnedGoTool, type PinnedGoTool } from './pinned-go-tool';

/** The Temporal CLI build this project is tested with. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const TEMPORAL_CLI: PinnedGoTool = {
  label: 'Temporal CLI',
  version: TEMPORAL_CLI_VERSION,
  goPackage: `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`,
  cacheName: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  builtName: 'temporal',
  pathName: 'temporal',
  pathVariable: 'TEMPORAL_CLI_PATH',
  minimumGo: [1, 25],
  otherwise: 'point TEMPORAL_ADDRESS at a running server',
};

/** `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the cached pinned build, else built once (a few minutes). */
export async function ensureTemporalCli(explicitPath?: string, log?: (line: string) => void): Promise<string> {
  return ensurePinnedGoTool(TEMPORAL_CLI, explicitPath, log);
}
