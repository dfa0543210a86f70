// A Jest reporter beside the default one: for each failing test it prints the last lines of its
// test file's service log (Temporal runtime, worker, API) and of the child processes started
// for it, so a red run shows what the services said while a green run prints none of it.
const fs = require('node:fs');
const path = require('node:path');
const { logFileFor, markers } = require('./log-files');

// JSON lines (pino) shown as one readable line each, as `npm start` prints them in a terminal.
const prettify = (() => {
  try {
    const { prettyFactory } = require('pino-pretty');
    const format = prettyFactory({
      colorize: Boolean(process.stderr.isTTY),
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      messageFormat: '{if role}{role} {end}{if component}[{component}] {end}{msg}',
      ignore: 'pid,hostname,service,role,component,taskToken,namespace,runId,workflowRunId,workflowType',
    });
    return (line) => {
      if (!line.startsWith('{')) return line;
      try {
        return format(JSON.parse(line)).trimEnd();
      } catch {
        return line;
      }
    };
  } catch {
    return (line) => line;
  }
})();

const readLines = (file) => {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line, i, all) => line !== '' || i < all.length - 1);
  } catch {
    return undefined;
  }
};

const clip = (line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line);

class LogTailReporter {
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.lines = options.lines ?? 40;
  }

  onTestResult(_test, result) {
    const failed = result.testResults.filter((r) => r.status === 'failed');
    if (failed.length === 0 && !result.testExecError && !result.failureMessage) return;
    process.env.TEST_RUN_FAILED = '1'; // global teardown keeps the logs
    const logDir = process.env.TEST_LOG_DIR;
    if (!logDir) return;
    const file = logFileFor(logDir, this.rootDir, result.testFilePath);
    const lines = readLines(file);
    const out = [];
    if (!lines) {
      out.push(`  (no service log for this file: ${file})`);
    } else if (failed.length === 0) {
      out.push(...this.tail(`last ${this.lines} lines of ${file}`, lines, lines.length));
    } else {
      for (const test of failed) out.push(...this.forTest(test.fullName, file, lines));
    }
    process.stderr.write(`${out.join('\n')}\n\n`);
  }

  /** Node's warnings went to a file (see routeNodeWarnings in quiet-environment.ts): say so, in one line. */
  onRunComplete() {
    const logDir = process.env.TEST_LOG_DIR;
    const warnings = logDir && readLines(path.join(logDir, 'node-warnings.log'));
    if (!warnings) return;
    process.env.TEST_KEEP_LOGS ||= '1';
    process.stderr.write(
      `[test] Node printed ${warnings.length} warning(s) during the run: ${logDir}/node-warnings.log\n`,
    );
  }

  /** The lines before the test's end marker, and the children started since the previous test ended. */
  forTest(name, file, lines) {
    const ends = [];
    lines.forEach((line, i) => {
      if (markers.testDonePattern.test(line)) ends.push(i);
    });
    const end = ends.find((i) => lines[i] === markers.testDone(name, true));
    if (end === undefined) return this.tail(`"${name}": last ${this.lines} lines of ${file}`, lines, lines.length);
    const previous = Math.max(-1, ...ends.filter((i) => i < end));
    const out = this.tail(`"${name}": last ${this.lines} lines of ${file} up to its end`, lines, end + 1);
    for (let i = previous + 1; i < end; i++) {
      const child = markers.childStartPattern.exec(lines[i]);
      const childLines = child && readLines(child[1]);
      if (childLines)
        out.push(...this.tail(`"${name}": last ${this.lines} lines of ${child[1]}`, childLines, childLines.length));
    }
    return out;
  }

  tail(title, lines, end) {
    const from = Math.max(0, end - this.lines);
    return [
      `  ── log tail: ${title} ──`,
      ...lines.slice(from, end).map((l) => `  │ ${clip(prettify(l))}`),
      `  ── end of log tail (${end - from} of ${end} lines) ──`,
    ];
  }
}

module.exports = LogTailReporter;
