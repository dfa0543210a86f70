import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePinnedGoTool, PinnedGoToolNotFoundError, type PinnedGoTool } from './pinned-go-tool';

/** The Temporal server release `npm run cluster` and `npm run test:cluster` run (built once from the Go module proxy). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const MODULE = 'go.temporal.io/server';
/** go.temporal.io/server v1.29.1's go.mod says `go 1.25.0`. */
const MINIMUM_GO: [number, number] = [1, 25];

const TEMPORAL_SERVER: PinnedGoTool = {
  label: 'Temporal server',
  version: TEMPORAL_SERVER_VERSION,
  goPackage: `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
  cacheName: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
  builtName: 'server',
  pathName: 'temporal-server',
  pathVariable: 'TEMPORAL_SERVER_PATH',
  minimumGo: MINIMUM_GO,
  otherwise: 'point TEMPORAL_ADDRESS at a running cluster',
};

/** Same cache folder as the server: one `go install` pair per release. */
const TEMPORAL_SQL_TOOL: PinnedGoTool = {
  ...TEMPORAL_SERVER,
  label: 'temporal-sql-tool',
  goPackage: `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
  builtName: 'sql',
  pathName: 'temporal-sql-tool',
  pathVariable: 'TEMPORAL_SQL_TOOL_PATH',
};

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the same release: `temporal/versioned` and `visibility/versioned`. */
  postgresSchemaDir: string;
}

/**
 * The release's Postgres schemas ship in its Go module, not in the binaries: `TEMPORAL_SCHEMA_DIR`, else
 * the module in Go's module cache (`go mod download`, a no-op after the build put it there).
 */
function postgresSchemaDir(): string {
  const explicit = process.env.TEMPORAL_SCHEMA_DIR;
  if (explicit) {
    if (!fs.existsSync(path.join(explicit, 'temporal', 'versioned')))
      throw new PinnedGoToolNotFoundError(`TEMPORAL_SCHEMA_DIR=${explicit} has no temporal/versioned folder.`);
    return explicit;
  }
  const result = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], {
    encoding: 'utf8',
  });
  if (result.error || result.status !== 0) {
    throw new PinnedGoToolNotFoundError(
      `The Temporal ${TEMPORAL_SERVER_VERSION} Postgres schemas come from its Go module: install Go >= ${MINIMUM_GO.join('.')} ` +
        `(https://go.dev/dl/), or set TEMPORAL_SCHEMA_DIR to a copy of schema/postgresql/v12 of that release. ` +
        `${result.error ? String(result.error) : result.stderr.trim()}`,
    );
  }
  const dir = path.join((JSON.parse(result.stdout) as { Dir: string }).Dir, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(path.join(dir, 'temporal', 'versioned')))
    throw new PinnedGoToolNotFoundError(`No Postgres schemas in ${dir}.`);
  return dir;
}

/** The server and temporal-sql-tool (explicit path, PATH, cache, else built: a few minutes once) and the schemas. */
export async function ensureTemporalServerTools(log?: (line: string) => void): Promise<TemporalServerTools> {
  const server = await ensurePinnedGoTool(TEMPORAL_SERVER, process.env.TEMPORAL_SERVER_PATH, log);
  const sqlTool = await ensurePinnedGoTool(TEMPORAL_SQL_TOOL, process.env.TEMPORAL_SQL_TOOL_PATH, log);
  return { server, sqlTool, postgresSchemaDir: postgresSchemaDir() };
}
