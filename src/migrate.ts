import { loadConfig } from './config';
import { createLogger } from './logger';
import { createKnex, runMigrations } from './store/knex';

/** The `migrate` process: applies the archive migrations and exits (the other roles also apply them on start). */
export async function runMigrateProcess(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { role: 'migrate' });
  const knex = createKnex(config.sqliteFilename);
  const applied = await runMigrations(knex);
  await knex.destroy();
  logger.info({ applied, file: config.sqliteFilename }, 'migrations applied');
}
