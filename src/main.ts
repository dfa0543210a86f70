import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { openInfrastructure } from './infrastructure';
import { createLogger } from './logger';
import { startApi, startWorker, type RunningRole } from './roles';
import { ensureRedis } from './store/redis-launcher';
import { createKnex, runMigrations } from './store/knex';
import { startDevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime';
import { ensureTemporalCli } from './temporal/temporal-cli';

/**
 * Process entry: `dev` (everything in one process tree: embedded Temporal, Redis if needed,
 * offline model if no key, worker and API), `api`, `worker` (distributed roles), `migrate`.
 */
type Mode = 'dev' | 'api' | 'worker' | 'migrate';

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(mode: Mode): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { role: mode });

  if (mode === 'migrate') {
    const knex = createKnex(config.sqliteFilename);
    const applied = await runMigrations(knex);
    await knex.destroy();
    logger.info({ applied, file: config.sqliteFilename }, 'migrations applied');
    return;
  }

  installTemporalRuntime(logger);
  const cleanups: Array<() => Promise<void>> = [];
  const cleanupAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err) => logger.error({ err }, 'error while stopping'));
    }
  };
  let stopping = false;
  const shutdown = (signal: string, exitCode = 0) => {
    if (stopping) {
      say(`[shutdown] ${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    say(`[shutdown] ${signal}: stopping API, worker, stores${mode === 'dev' ? ' and embedded servers' : ''}...`);
    cleanupAll().then(() => {
      say('[shutdown] done: API closed, worker drained, Redis and SQLite closed');
      process.exit(exitCode);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    const redis = await ensureRedis(config.REDIS_URL, mode === 'dev' && config.REDIS_AUTOSTART, say);
    cleanups.push(() => redis.stop());

    let temporalAddress = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
    let uiUrl: string | undefined;
    if (mode === 'dev' && !config.TEMPORAL_ADDRESS) {
      const cliPath = await ensureTemporalCli(config.TEMPORAL_CLI_PATH, say);
      say(`[temporal] starting dev server (${cliPath}) on ${temporalAddress}, state in ${path.join(config.DATA_DIR, 'temporal.db')}`);
      const server = await startDevServer({
        cliPath,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFilename: path.join(config.DATA_DIR, 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
        // Activities scheduled by a workflow task go straight back to this worker (no matching
        // round trip); the bench measured it as the largest single cut in turn overhead.
        dynamicConfig: { 'system.enableActivityEagerExecution': true },
        log: say,
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    const infra = await openInfrastructure(config, mode);
    cleanups.push(() => infra.close());

    const roles: RunningRole[] = [];
    if (mode === 'dev' || mode === 'worker') roles.push(await startWorker(config, infra, logger, temporalAddress, config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined, { onFatal: () => shutdown('worker failure', 1) }));
    let apiUrl: string | undefined;
    if (mode === 'dev' || mode === 'api') {
      const api = await startApi(config, infra, logger, temporalAddress);
      roles.push(api);
      apiUrl = api.url;
    }
    // Stop the API before the worker: no new turns while the worker drains.
    for (const role of roles) cleanups.push(() => role.stop());

    say('');
    if (apiUrl) say(`  API:            ${apiUrl}   (try: curl -X POST ${apiUrl}/api/chat/session)`);
    if (apiUrl) say(`  Health:         ${apiUrl}/health`);
    if (apiUrl) say(`  API docs:       ${apiUrl}/docs   Metrics: ${apiUrl}/metrics`);
    if (apiUrl && !config.API_KEYS && !config.API_KEYS_FILE) say('  Auth:           OPEN: no API_KEYS configured, anyone who can reach the API can use it');
    if (uiUrl) say(`  Temporal UI:    ${uiUrl}`);
    say(`  Temporal:       ${temporalAddress}`);
    say(`  Redis:          ${config.REDIS_URL}`);
    say(`  SQLite archive: ${config.sqliteFilename}`);
    say(
      config.llm.mode === 'offline'
        ? '  Model:          OFFLINE MODEL (built-in, rule-based) — set OPENROUTER_API_KEY or LLM_BASE_URL for a real LLM'
        : `  Models:         ${config.llm.models.map((m) => m.name).join(' → ')}${config.llm.offlineFallback ? ' → offline fallback' : ''}`,
    );
    say('  Ctrl-C stops everything.\n');
  } catch (err) {
    say(`\n[error] ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    await cleanupAll();
    process.exit(1);
  }
}

const mode = (process.argv[2] ?? 'dev') as Mode;
if (!['dev', 'api', 'worker', 'migrate'].includes(mode)) {
  say(`Unknown mode "${mode}". Use one of: dev, api, worker, migrate.`);
  process.exit(2);
}
main(mode).catch((err) => {
  say(`[error] ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
