import { loadConfig } from './config';
import { createLogger } from './logger';
import { archiveBackendOf, createKnex, runMigrations } from './store/knex';

/** The `migrate` process: applies the archive migrations and exits (the other roles also apply them on start). */
export async function runMigrateProcess(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { role: 'migrate' });
  const knex = createKnex(config.archiveLocation);
  const applied = await runMigrations(knex);
  await knex.destroy();
  // The file, never the Postgres URL (it may carry the password).
  const backend = archiveBackendOf(config.archiveLocation);
  logger.info(
    { applied, backend, ...(backend === 'sqlite' ? { file: config.sqliteFilename } : {}) },
    'migrations applied',
  );
}
