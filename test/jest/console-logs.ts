import fs from 'node:fs';
import { format } from 'node:util';

/**
 * Jest setup file: what a test or a library prints with console.* goes to the test file's log
 * (test/helpers/test-log.ts) instead of the terminal; a failing test shows it in its log tail.
 * Failures themselves (assertions, thrown errors) are reported by Jest as always.
 */
const file = process.env.TEST_LOG_FILE;
if (file) {
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const) {
    console[method] = (...args: unknown[]) => fs.appendFileSync(file, `[console.${method}] ${format(...args)}\n`);
  }
}
