import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { logFileFor, markers } from './log-files';

/** Jest's full name of a test: its describe titles and its own, as reporters show it. */
function fullName(test: Circus.TestEntry): string {
  const titles: string[] = [];
  for (let block: Circus.TestEntry | Circus.DescribeBlock | undefined = test; block?.parent; block = block.parent)
    titles.unshift(block.name);
  return titles.join(' ');
}

const WARNINGS = Symbol.for('chat-agent.test.node-warnings');
type WarningRoute = { logDir: string; testLog: string | undefined };

/**
 * Node prints process warnings (deprecations, experimental features, listener leaks) to stderr
 * with a listener of its own; in this process they go to the log of the test file running and to
 * node-warnings.log instead (the reporter names that file at the end of the run). Once per process.
 */
function routeNodeWarnings(logDir: string): WarningRoute {
  const holder = process as unknown as { [WARNINGS]?: WarningRoute };
  const existing = holder[WARNINGS];
  if (existing) return Object.assign(existing, { logDir });
  const route: WarningRoute = { logDir, testLog: undefined };
  holder[WARNINGS] = route;
  for (const listener of process.listeners('warning')) process.removeListener('warning', listener);
  process.on('warning', (warning) => {
    const code = (warning as Error & { code?: string }).code;
    const line = `[node warning] ${warning.name}${code ? ` ${code}` : ''}: ${warning.message}`;
    if (route.testLog) fs.appendFileSync(route.testLog, `${line}\n`);
    fs.appendFileSync(
      path.join(route.logDir, 'node-warnings.log'),
      `${line}${route.testLog ? ` (during ${path.basename(route.testLog)})` : ''}\n`,
    );
  });
  return route;
}

/**
 * Node's environment plus a log file per test file (under the run's log directory from global
 * setup): the file's path is handed to the tests as TEST_LOG_FILE (test/helpers/test-log.ts), and
 * every test's start and end are marked in it so the log-tail reporter can show the lines that
 * led up to a failure. Node's own warnings are routed there too (routeNodeWarnings).
 */
export default class QuietEnvironment extends NodeEnvironment {
  private readonly logFile: string | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const logDir = process.env.TEST_LOG_DIR;
    if (!logDir) return;
    this.logFile = logFileFor(logDir, config.globalConfig.rootDir, context.testPath);
    fs.mkdirSync(logDir, { recursive: true });
    fs.appendFileSync(this.logFile, `[jest] ===== ${context.testPath} (${new Date().toISOString()})\n`);
    this.global.process.env.TEST_LOG_FILE = this.logFile;
    routeNodeWarnings(logDir).testLog = this.logFile;
  }

  handleTestEvent(event: Circus.Event): void {
    if (!this.logFile) return;
    if (event.name === 'test_start') this.mark(markers.testStart(fullName(event.test)));
    else if (event.name === 'test_done')
      this.mark(markers.testDone(fullName(event.test), event.test.errors.length > 0));
    else if (event.name === 'hook_failure')
      this.mark(
        `[jest] ===== ${event.hook.type} hook failed: ${String((event.error as Error)?.message ?? event.error).split('\n')[0]}`,
      );
  }

  private mark(line: string): void {
    fs.appendFileSync(this.logFile as string, `${line}\n`);
  }
}
