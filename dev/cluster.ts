import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { runRole } from '../src/process/run-role';
import { say } from '../src/process/say';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { ensureRedis } from './redis-launcher';
import { API_READY, spawnRole, WORKER_READY } from './role-process';
import { stopChild } from './stop-child';
import { TEMPORAL_DYNAMIC_CONFIG } from './temporal-dynamic-config';
import { ensureTemporalCli } from './temporal-cli';
import { startTemporalCluster } from './temporal-cluster';
import { ensureTemporalServerTools } from './temporal-server';

/**
 * `npm run cluster [-- --apis=2 --workers=3 --postgres=postgres://postgres@127.0.0.1:5432/postgres]`: the
 * service as it runs in production, on this machine. A real Temporal server (pinned release, built once) on
 * Postgres (`chat_cluster_temporal`, `chat_cluster_visibility`), the archive in Postgres too
 * (`chat_cluster_archive`, or DATABASE_URL), Redis, and separate API and worker processes of ours.
 * Databases persist between runs (sessions survive a restart); each process logs to DATA_DIR/cluster/.
 */
function flag(name: string, fallback: string): string {
  return (
    process.argv
      .slice(2)
      .find((a) => a.startsWith(`--${name}=`))
      ?.slice(name.length + 3) ?? fallback
  );
}

void runRole('cluster', 'the Temporal server, the API and worker processes', async ({ config, lifecycle }) => {
  const apis = Number(flag('apis', '2'));
  const workers = Number(flag('workers', '3'));
  const postgresUrl = flag('postgres', 'postgres://postgres@127.0.0.1:5432/postgres');
  const dir = path.join(config.DATA_DIR, 'cluster');
  fs.mkdirSync(dir, { recursive: true });

  const redis = await ensureRedis(config.REDIS_URL, config.REDIS_AUTOSTART, say);
  lifecycle.onStop(() => redis.stop());
  const [tools, cliPath] = await Promise.all([
    ensureTemporalServerTools(say),
    ensureTemporalCli(config.TEMPORAL_CLI_PATH, say),
  ]);
  say(`[cluster] Temporal server ${tools.server} on 127.0.0.1:${config.TEMPORAL_DEV_PORT}`);
  const cluster = await startTemporalCluster({
    tools,
    cliPath,
    postgresUrl,
    databasePrefix: 'chat_cluster',
    port: config.TEMPORAL_DEV_PORT,
    namespace: config.TEMPORAL_NAMESPACE,
    dir,
    dynamicConfig: TEMPORAL_DYNAMIC_CONFIG,
    log: say,
  });
  lifecycle.onStop(() => cluster.stop());

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const archive = new URL(postgresUrl);
    archive.pathname = '/chat_cluster_archive';
    databaseUrl = archive.toString();
    cluster.createDatabase('chat_cluster_archive');
  }

  say('[cluster] bundling the workflows once for every worker...');
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn: say, error: say, log() {} },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TEMPORAL_ADDRESS: cluster.address,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_AUTOSTART: 'false',
    WORKFLOW_BUNDLE_PATH: bundlePath,
    // The ready lines are JSON at info; every process logs to its own file.
    LOG_LEVEL: ['debug', 'trace'].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'info',
  };
  // One at a time: the first runs the archive migrations (processes racing on a fresh database hit Knex's lock).
  for (let i = 1; i <= workers; i++) {
    const logFile = path.join(dir, `worker-${i}.log`);
    say(`[cluster] starting worker ${i}/${workers} (log ${logFile})`);
    const worker = await spawnRole('worker', env, logFile, WORKER_READY);
    lifecycle.onStop(() => stopChild(worker.child));
  }
  const urls: string[] = [];
  for (let i = 0; i < apis; i++) {
    const port = config.PORT + i;
    const logFile = path.join(dir, `api-${i + 1}.log`);
    say(`[cluster] starting API ${i + 1}/${apis} on port ${port} (log ${logFile})`);
    const api = await spawnRole('api', { ...env, PORT: String(port) }, logFile, API_READY);
    lifecycle.onStop(() => stopChild(api.child));
    urls.push(`http://127.0.0.1:${port}`);
  }

  say('');
  for (const url of urls) say(`  Chat page / API: ${url}/   (docs ${url}/docs, health ${url}/health)`);
  say(
    `  Temporal:        ${cluster.address} (temporal-server ${path.basename(path.dirname(tools.server))}, log ${cluster.logFile})`,
  );
  say(`  Temporal state:  Postgres ${cluster.databases.join(', ')}`);
  say(`  Archive:         ${databaseUrl.replace(/\/\/[^@/]*@/, '//')}`);
  say(`  Redis:           ${redis.url}`);
  say(`  Processes:       ${apis} API, ${workers} workers; logs in ${dir}`);
  say('  Ctrl-C stops everything.\n');
});
