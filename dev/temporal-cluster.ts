import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { CHAT_SEARCH_ATTRIBUTES } from '../src/contract/search-attributes';
import { freeLowPort } from './free-port';
import { stopChild } from './stop-child';
import type { TemporalServerTools } from './temporal-server';

/**
 * A real Temporal server (`temporal-server start`, all four services in one process) on Postgres:
 * `<prefix>_temporal` for its state, `<prefix>_visibility` for SQL advanced visibility, schemas applied
 * with temporal-sql-tool (idempotent: an existing database is upgraded, never wiped), the namespace and
 * the Chat* search attributes registered with the pinned CLI.
 */
export interface TemporalClusterOptions {
  tools: TemporalServerTools;
  cliPath: string;
  /** Admin URL of the Postgres server, e.g. postgres://postgres@127.0.0.1:5432/postgres. */
  postgresUrl: string;
  databasePrefix: string;
  /** Frontend gRPC port; the other services take free ports. */
  port: number;
  namespace: string;
  /** Config files and the server's log go here. */
  dir: string;
  dynamicConfig?: Record<string, unknown>;
  log: (line: string) => void;
}

export interface TemporalCluster {
  address: string;
  process: ChildProcess;
  logFile: string;
  databases: string[];
  stop(): Promise<void>;
  /** Drops both databases and `more` on the same server (after stop). */
  dropDatabases(more?: string[]): void;
  /** Creates another database on the same Postgres server if missing (e.g. the chat archive). */
  createDatabase(name: string): void;
}

class TemporalClusterError extends Error {
  override name = 'TemporalClusterError';
}

/** Every database connection of the server and the tool, from one URL. */
function postgresParts(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

function sqlTool(tools: TemporalServerTools, postgresUrl: string, database: string, args: string[]): void {
  const pg = postgresParts(postgresUrl);
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database];
  if (pg.password) base.push('--pw', pg.password);
  const result = spawnSync(tools.sqlTool, [...base, ...args], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new TemporalClusterError(
      `temporal-sql-tool ${args.join(' ')} on ${database} failed (${String(result.error ?? result.status)}):\n` +
        `${(result.stderr || result.stdout).slice(-3000)}`,
    );
}

/** Creates (if missing) and upgrades both databases to the release's schema versions. */
function applySchemas(options: TemporalClusterOptions): string[] {
  const { tools, postgresUrl, databasePrefix } = options;
  const databases: Array<[string, string]> = [
    [`${databasePrefix}_temporal`, 'temporal'],
    [`${databasePrefix}_visibility`, 'visibility'],
  ];
  for (const [database, schema] of databases) {
    sqlTool(tools, postgresUrl, database, ['create-database']);
    sqlTool(tools, postgresUrl, database, ['setup-schema', '-v', '0.0']);
    sqlTool(tools, postgresUrl, database, [
      'update-schema',
      '-d',
      path.join(tools.postgresSchemaDir, schema, 'versioned'),
    ]);
  }
  return databases.map(([database]) => database);
}

/** The server's static config (JSON is YAML), after the release's config/development-postgres12.yaml. */
async function writeConfig(options: TemporalClusterOptions, databases: string[]): Promise<string> {
  const pg = postgresParts(options.postgresUrl);
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = async (grpcPort: number) => ({
    rpc: { grpcPort, membershipPort: await freeLowPort(), bindOnLocalHost: true },
  });
  const configDir = path.join(options.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  const dynamicConfig = Object.fromEntries(
    Object.entries(options.dynamicConfig ?? {}).map(([key, value]) => [key, [{ value, constraints: {} }]]),
  );
  fs.writeFileSync(dynamicConfigFile, JSON.stringify(dynamicConfig, null, 2));
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed when the database is created: the same number on every start.
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(databases[0], 20),
        'postgres-visibility': datastore(databases[1], 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: {
        rpc: { ...(await service(options.port)).rpc, httpPort: await freeLowPort() },
      },
      matching: await service(await freeLowPort()),
      history: await service(await freeLowPort()),
      worker: await service(await freeLowPort()),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${options.port}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  fs.writeFileSync(path.join(configDir, 'development.yaml'), JSON.stringify(config, null, 2));
  return configDir;
}

const SAMPLE_VALUES = {
  Keyword: [SearchAttributeType.KEYWORD, 'probe'],
  Int: [SearchAttributeType.INT, 0],
  Datetime: [SearchAttributeType.DATETIME, new Date(0)],
  Bool: [SearchAttributeType.BOOL, false],
} as const;

/** One value per Chat* attribute: a workflow start carrying them proves the namespace and attributes are usable. */
function probeAttributes(): SearchAttributePair[] {
  return Object.entries(CHAT_SEARCH_ATTRIBUTES).map(([name, type]) => {
    const [kind, value] = SAMPLE_VALUES[type];
    return { key: defineSearchAttributeKey(name, kind), value } as SearchAttributePair;
  });
}

function cli(options: TemporalClusterOptions, address: string, args: string[]): void {
  const result = spawnSync(options.cliPath, [...args, '--address', address, '--namespace', options.namespace], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new TemporalClusterError(`temporal ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
}

/** `attempt` until it resolves, once a second for up to 60 s (what the server's caches take to refresh). */
async function retryFor60s<T>(options: TemporalClusterOptions, what: string, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw new TemporalClusterError(`${what} not usable within 60 s: ${String(err)}`);
      if (n % 10 === 0) options.log(`[cluster] waiting for the ${what} (${String(err).slice(0, 200)})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * Registers the namespace and the attributes the session workflow sets (once: both persist in the database), then
 * waits until a workflow start with every attribute is accepted: namespaces and attributes reach the server's
 * caches on their refresh, not at once.
 */
async function registerNamespace(options: TemporalClusterOptions, address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { namespace } = options;
    const exists = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      options.log(`[cluster] registering namespace ${namespace}`);
      cli(options, address, ['operator', 'namespace', 'create', '--retention', '72h']);
    }
    const { customAttributes } = await retryFor60s(options, 'namespace', () =>
      connection.operatorService.listSearchAttributes({ namespace }),
    );
    const missing = Object.entries(CHAT_SEARCH_ATTRIBUTES).filter(([name]) => !(name in (customAttributes ?? {})));
    if (missing.length > 0) {
      options.log(`[cluster] registering search attributes ${missing.map(([name]) => name).join(', ')}`);
      cli(options, address, [
        'operator',
        'search-attribute',
        'create',
        ...missing.flatMap(([name, type]) => ['--name', name, '--type', type]),
      ]);
    }
    const client = new Client({ connection, namespace });
    await retryFor60s(options, 'search attributes', async () => {
      const handle = await client.workflow.start('ClusterProbe', {
        taskQueue: 'cluster-probe',
        workflowId: `cluster-probe-${Date.now()}`,
        typedSearchAttributes: probeAttributes(),
      });
      await handle.terminate('cluster readiness probe');
    });
  } finally {
    await connection.close();
  }
}

/** Applies the schemas, starts the server, registers the namespace; resolves once a workflow can start. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  options.log(`[cluster] schemas in ${options.databasePrefix}_temporal, ${options.databasePrefix}_visibility`);
  const databases = applySchemas(options);
  const configDir = await writeConfig(options, databases);
  const logFile = path.join(options.dir, 'temporal-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    options.tools.server,
    [
      '--root',
      options.dir,
      '--config',
      path.relative(options.dir, configDir),
      '--env',
      'development',
      '--allow-no-auth',
      'start',
    ],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  const address = `127.0.0.1:${options.port}`;
  const tail = () => fs.readFileSync(logFile, 'utf8').slice(-3000);
  const stop = () => stopChild(child, 15_000);
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (exited !== undefined)
        throw new TemporalClusterError(`temporal-server exited with code ${exited} before it was ready:\n${tail()}`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.getSystemInfo({});
        } finally {
          await connection.close();
        }
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new TemporalClusterError(`temporal-server not ready on ${address} in 90 s: ${String(err)}\n${tail()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await registerNamespace(options, address);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    process: child,
    logFile,
    databases,
    stop,
    createDatabase: (name) => sqlTool(options.tools, options.postgresUrl, name, ['create-database']),
    dropDatabases(more = []) {
      for (const database of [...databases, ...more])
        sqlTool(options.tools, options.postgresUrl, database, ['drop-database', '-f']);
    },
  };
}
