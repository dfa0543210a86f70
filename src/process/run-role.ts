import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { installTemporalRuntime } from '../temporal/runtime';
import { ProcessLifecycle } from './process-lifecycle';
import { say } from './say';

export interface RoleContext {
  config: Config;
  logger: Logger;
  lifecycle: ProcessLifecycle;
}

/**
 * Runs one long-lived process role: config parsed once, the logger, the Temporal runtime, an
 * orderly stop on signals. A start that fails (bad config included) says why in one line, stops
 * what had started and exits 1.
 */
export async function runRole(
  role: string,
  stopsWhat: string,
  start: (context: RoleContext) => Promise<void>,
): Promise<void> {
  let lifecycle: ProcessLifecycle | undefined;
  try {
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL, { role });
    installTemporalRuntime(logger);
    lifecycle = new ProcessLifecycle(logger, stopsWhat);
    await start({ config, logger, lifecycle });
  } catch (err) {
    say(`\n[error] ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    await lifecycle?.stopAll();
    process.exit(1);
  }
}
