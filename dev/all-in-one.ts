import path from 'node:path';
import { startApi } from '../src/api-process';
import { openInfrastructure } from '../src/process/infrastructure';
import { runRole } from '../src/process/run-role';
import { say } from '../src/process/say';
import { printStartBanner } from '../src/process/start-banner';
import { temporalAddressOf } from '../src/temporal/temporal-address';
import { startWorker, workflowBundleOf } from '../src/worker-process';
import { startDevServer } from './dev-server';
import { TEMPORAL_DYNAMIC_CONFIG } from './temporal-dynamic-config';
import { ensureRedis } from './redis-launcher';
import { ensureTemporalCli } from './temporal-cli';

/**
 * `npm start`: the whole service in one process tree on embedded defaults — a Temporal dev server
 * (state in DATA_DIR/temporal.db, Web UI) unless TEMPORAL_ADDRESS is set, a redis-server when none
 * answers, the worker (with the offline model when no LLM is configured) and the API.
 */
void runRole('dev', 'API, worker, stores and embedded servers', async ({ config, logger, lifecycle }) => {
  const redis = await ensureRedis(config.REDIS_URL, config.REDIS_AUTOSTART, say);
  lifecycle.onStop(() => redis.stop());

  let temporalAddress = temporalAddressOf(config);
  let uiUrl: string | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cliPath = await ensureTemporalCli(config.TEMPORAL_CLI_PATH, say);
    const dbFilename = path.join(config.DATA_DIR, 'temporal.db');
    say(`[temporal] starting dev server (${cliPath}) on ${temporalAddress}, state in ${dbFilename}`);
    const server = await startDevServer({
      cliPath,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFilename,
      namespace: config.TEMPORAL_NAMESPACE,
      dynamicConfig: TEMPORAL_DYNAMIC_CONFIG,
      log: say,
    });
    lifecycle.onStop(() => server.stop());
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
  }

  const infra = await openInfrastructure(config, 'dev');
  lifecycle.onStop(() => infra.close());
  const worker = await startWorker(config, infra, logger, temporalAddress, workflowBundleOf(config), {
    onFatal: () => lifecycle.shutdown('worker failure', 1),
  });
  lifecycle.onStop(() => worker.stop());
  const api = await startApi(config, infra, logger, temporalAddress);
  lifecycle.onStop(() => api.stop());
  printStartBanner({ config, temporalAddress, apiUrl: api.url, uiUrl });
});
