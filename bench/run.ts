import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEMPORAL_CLI_VERSION } from '../dev/temporal-cli';
import { TEMPORAL_SERVER_VERSION } from '../dev/temporal-server';
import { SIZES, type BenchMode } from './bench-sizes';
import { ROOT } from './child-process';
import { loadedMachineWarning, machineInfo } from './process-stats';
import { formatTable, tableRows } from './report';
import { historyReads } from './scenarios/history-reads';
import { idleSessions } from './scenarios/idle-sessions';
import { memoryRecall } from './scenarios/memory-recall';
import { longSession } from './scenarios/long-session';
import type { Scenario, ScenarioContext, ScenarioId } from './scenarios/scenario';
import type { ScenarioResults } from './scenarios/scenario-results';
import { streamFanout1000 } from './scenarios/stream-fanout-1000';
import { streamingFanout } from './scenarios/streaming-fanout';
import { throughput } from './scenarios/throughput';
import { timeToFirstToken } from './scenarios/time-to-first-token';
import { turnOverhead } from './scenarios/turn-overhead';
import { startBenchStack } from './stack';
import { TEMPORAL_DYNAMIC_CONFIG } from '../dev/temporal-dynamic-config';

/**
 * `npm run bench [-- --smoke|--full] [--only=a,b] [--out=file] [--label=text] [--no-eager] [--no-bundle]
 *  [--partitions=N] [--dynamic=KEY=JSON …] [--env=KEY=VALUE …] [--worker-heap-mb=256] [--worker-node-arg=--flag …]
 *  [--size=overheadTurns=20 …] [--cpu-prof-dir=dir]
 *  [--cluster [--workers=N] [--postgres=URL]]`: starts its own stack (with --cluster: the real Temporal server
 * on Postgres, the archive in Postgres, N worker processes), runs every scenario next to the direct baseline, prints a table and
 * writes bench/results/<date>.json.
 */
const SCENARIOS: Scenario[] = [
  turnOverhead,
  timeToFirstToken,
  throughput,
  idleSessions,
  historyReads,
  streamingFanout,
  streamFanout1000,
  memoryRecall,
  longSession,
];

const say = (line: string) => process.stderr.write(`${line}\n`);

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const mode: BenchMode = flag('smoke') ? 'smoke' : flag('full') ? 'full' : 'default';
  const only = value('only')?.split(',');
  // The tuned defaults (see bench/README.md); `--env=KEY=`, `--worker-heap-mb=0` or `--worker-node-arg=` undo them.
  // The fan-out scenarios open up to 1,000 streams from one IP: no per-caller stream cap.
  // Memory (README "Idle sessions: where the worker's memory goes"): 64 cached sessions, two glibc malloc arenas.
  const env: Record<string, string> = {
    WORKER_MAX_CACHED_WORKFLOWS: '64',
    MALLOC_ARENA_MAX: '2',
    SSE_MAX_STREAMS_PER_PRINCIPAL: '0',
  };
  for (const a of argv.filter((x) => x.startsWith('--env='))) {
    const [k, ...v] = a.slice(6).split('=');
    env[k] = v.join('=');
    if (env[k] === '') delete env[k];
  }
  const workerHeapMb = Number(value('worker-heap-mb') ?? 256);
  // V8 flags for the worker process only; any --worker-node-arg replaces these (an empty one: none).
  const givenNodeArgs = argv.filter((x) => x.startsWith('--worker-node-arg=')).map((x) => x.slice(18));
  const workerNodeArgs = givenNodeArgs.length > 0 ? givenNodeArgs.filter(Boolean) : ['--max-semi-space-size=1'];
  const sizes: Record<string, number> = {};
  for (const a of argv.filter((x) => x.startsWith('--size='))) {
    const [k, v] = a.slice(7).split('=');
    sizes[k] = Number(v);
  }
  // Extra dynamic config of the Temporal server: --dynamic=KEY=JSON (repeatable; overrides the defaults below).
  const dynamic: Record<string, unknown> = {};
  for (const a of argv.filter((x) => x.startsWith('--dynamic='))) {
    const [k, ...v] = a.slice(10).split('=');
    dynamic[k] = JSON.parse(v.join('=')) as unknown;
  }
  const partitions = value('partitions');
  const cpuProfDir = value('cpu-prof-dir');
  const cluster = flag('cluster')
    ? {
        workers: Number(value('workers') ?? 1),
        postgresUrl: value('postgres') ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      }
    : undefined;
  return {
    cluster,
    mode,
    only,
    out: value('out'),
    eager: !flag('no-eager'),
    bundle: !flag('no-bundle'),
    partitions: partitions ? Number(partitions) : undefined,
    dynamic,
    label: value('label') ?? '',
    env,
    sizes,
    cpuProfDir,
    workerHeapMb,
    workerNodeArgs,
  };
}

/** Runs one scenario and files its figures under its own id: key and figures come from the same scenario. */
async function runScenario<Id extends ScenarioId>(
  scenario: Scenario<Id>,
  ctx: ScenarioContext,
  results: Partial<ScenarioResults>,
): Promise<void> {
  results[scenario.id] = await scenario.run(ctx);
}

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    return (
      execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim() +
      (execSync('git status --porcelain', { cwd: ROOT }).toString().trim() ? '+dirty' : '')
    );
  } catch {
    return 'unknown';
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const sizes = { ...SIZES[args.mode], ...args.sizes };
  const scenarios = SCENARIOS.filter(
    (s) => !args.only || args.only.some((o) => s.id.startsWith(o) || s.title.startsWith(`${o}.`)),
  );
  // As `npm start`; `--no-eager` turns eager activity execution off.
  const temporalDynamicConfig: Record<string, unknown> = {
    ...TEMPORAL_DYNAMIC_CONFIG,
    ...(args.eager ? {} : { 'system.enableActivityEagerExecution': false }),
  };
  if (args.partitions) {
    temporalDynamicConfig['matching.numTaskqueueReadPartitions'] = args.partitions;
    temporalDynamicConfig['matching.numTaskqueueWritePartitions'] = args.partitions;
  }
  Object.assign(temporalDynamicConfig, args.dynamic);
  const startedAt = new Date();
  // Taken before the run: the code measured and the machine's load when it started.
  const commitAtStart = gitCommit();
  const machineAtStart = machineInfo();
  say(`[bench] mode ${args.mode}, scenarios ${scenarios.map((s) => s.id).join(', ')}`);
  const stack = await startBenchStack({
    env: args.env,
    temporalDynamicConfig,
    prebuiltBundle: args.bundle,
    cluster: args.cluster,
    nodeArgs: args.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${args.cpuProfDir}`] : [],
    workerNodeArgs: [
      ...(args.workerHeapMb > 0 ? [`--max-old-space-size=${args.workerHeapMb}`] : []),
      ...args.workerNodeArgs,
    ],
    log: say,
  });
  const results: Partial<ScenarioResults> = {};
  let failure: Error | undefined;
  try {
    for (const scenario of scenarios) {
      say(`[bench] ${scenario.title}`);
      const t0 = Date.now();
      await runScenario(scenario, { stack, sizes, log: say }, results);
      say(`[bench]   (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  } catch (err) {
    failure = err as Error;
  }
  const redisVersion = /redis_version:(\S+)/.exec(await stack.redis.info('server'))?.[1] ?? 'unknown';
  await stack.stop();
  if (failure) throw failure;

  const rows = tableRows(results);
  const loaded = loadedMachineWarning(machineAtStart);
  const report = {
    label: args.label,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    git_commit: commitAtStart,
    machine: {
      ...machineAtStart,
      load_average_at_end: os.loadavg().map((n) => Math.round(n * 100) / 100),
      loaded: loaded !== undefined,
      ...(loaded ? { loaded_warning: loaded } : {}),
    },
    versions: {
      node: process.versions.node,
      temporal_cli: TEMPORAL_CLI_VERSION,
      ...(args.cluster ? { temporal_server: TEMPORAL_SERVER_VERSION } : {}),
      temporal_sdk: packageVersion('@temporalio/worker'),
      openai_sdk: packageVersion('openai'),
      koa: packageVersion('koa'),
      ioredis: packageVersion('ioredis'),
      redis_server: redisVersion,
    },
    config: {
      mode: args.mode,
      sizes,
      temporal_dynamic_config: temporalDynamicConfig,
      temporal_db: args.cluster ? 'temporal-server on Postgres (SQL visibility)' : 'in-memory',
      archive: args.cluster ? 'Postgres' : 'SQLite',
      worker_processes: args.cluster?.workers ?? 1,
      prebuilt_workflow_bundle: args.bundle,
      worker_max_old_space_mb: args.workerHeapMb || 'node default',
      worker_node_args: args.workerNodeArgs,
      worker_api_env: args.env,
      log_level: 'warn',
      rate_limits: 'off',
    },
    results,
    table: rows,
  };
  const out =
    args.out ??
    path.join(
      ROOT,
      'bench',
      'results',
      `${startedAt.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '')}${args.mode === 'default' ? '' : `-${args.mode}`}${args.cluster ? `-cluster-w${args.cluster.workers}` : ''}.json`,
    );
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows)}\n\nFull figures: ${out}\n`);
  if (loaded) process.stdout.write(`\nWARNING: ${loaded}.\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    say(`[bench] failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
