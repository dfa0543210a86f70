import fs from 'node:fs';
import path from 'node:path';
import { dropTestDatabase } from './helpers/postgres-test-database';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__TEST_STACK__;
  if (!stack) return;
  await stack.temporal.stop();
  await stack.toxiproxy.stop();
  await stack.stopRedis();
  if (stack.databaseUrl) await dropTestDatabase(stack.databaseUrl);
  // The log-tail reporter sets TEST_RUN_FAILED; TEST_KEEP_LOGS=1 keeps them on a green run too, with
  // the chat page's screenshots.
  if (process.env.TEST_RUN_FAILED || process.env.TEST_KEEP_LOGS) {
    for (const entry of fs.readdirSync(stack.tmpDir)) {
      const full = path.join(stack.tmpDir, entry);
      if (full !== stack.logDir && entry !== 'screenshots') fs.rmSync(full, { recursive: true, force: true });
    }
    process.stderr.write(`[test] service logs kept in ${stack.logDir}\n`);
    if (fs.existsSync(path.join(stack.tmpDir, 'screenshots')))
      process.stderr.write(`[test] page screenshots kept in ${path.join(stack.tmpDir, 'screenshots')}\n`);
  } else {
    fs.rmSync(stack.tmpDir, { recursive: true, force: true });
  }
}
