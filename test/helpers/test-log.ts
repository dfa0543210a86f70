import fs from 'node:fs';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../../src/logger';

/**
 * Where this test file's service logs go: the file the test environment (test/jest/
 * quiet-environment.ts) names under the run's log directory. Pino loggers of the test stack,
 * the Temporal runtime and child processes write there instead of the terminal; a failing
 * test gets the tail printed by test/jest/log-tail-reporter.js.
 */
export function testLogFile(): string | undefined {
  return process.env.TEST_LOG_FILE;
}

/** Appends synchronously, so lines and the environment's test markers stay in order. */
export function testLogDestination(): DestinationStream {
  const file = testLogFile();
  // Outside the test environment (no file named) nothing is hidden: stderr, as before.
  if (!file) return { write: (line: string) => void process.stderr.write(line) };
  return { write: (line: string) => fs.appendFileSync(file, line) };
}

/** A logger writing to this test file's log, at TEST_LOG_LEVEL (default info). */
export function testLogger(base: Record<string, unknown> = {}): Logger {
  return createLogger(testLogLevel(), base, testLogDestination());
}

export function testLogLevel(): string {
  return process.env.TEST_LOG_LEVEL ?? 'info';
}

/** A one-line note in this test file's log (e.g. which file a child process writes to). */
export function noteInTestLog(line: string): void {
  const file = testLogFile();
  if (file) fs.appendFileSync(file, `[jest] ${line}\n`);
}

/** A sibling of this test file's log for one child process's output (undefined outside the environment). */
export function childLogFile(name: string): string | undefined {
  const file = testLogFile();
  if (!file) return undefined;
  return path.join(path.dirname(file), `${path.basename(file, '.log')}.${name}.log`);
}
