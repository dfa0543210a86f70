import { ConfigError } from './config';
import { say } from './process/say';

/**
 * `node --import tsx src/main.ts api|worker|migrate`: the container entry (Dockerfile) and `npm run
 * api|worker|migrate`. Each role has its own composition root; only the chosen one is loaded.
 */
const ROLES: Record<string, () => Promise<void>> = {
  api: async () => (await import('./api-process')).runApiProcess(),
  worker: async () => (await import('./worker-process')).runWorkerProcess(),
  migrate: async () => (await import('./migrate')).runMigrateProcess(),
};

const role = process.argv[2] ?? '';
const run = ROLES[role];
if (!run) {
  say(
    `Unknown role "${role}". Use one of: ${Object.keys(ROLES).join(', ')} (npm start runs everything in one process).`,
  );
  process.exit(2);
}
run().catch((err) => {
  say(`[error] ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}`);
  process.exit(1);
});
