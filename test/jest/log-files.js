// Shared by the test environment (test side) and the log-tail reporter (Jest's side): plain
// CommonJS so Jest can load the reporter without a TypeScript transform.
const path = require('node:path');

/** One log file per test file, named after its path: test/integration/x.test.ts → test__integration__x.test.ts.log */
function logFileFor(logDir, rootDir, testPath) {
  return path.join(logDir, `${path.relative(rootDir, testPath).split(path.sep).join('__')}.log`);
}

/** Marker lines the environment writes around each test, and the one a child process's start leaves. */
const markers = {
  testStart: (name) => `[jest] ===== test start: ${name}`,
  testDone: (name, failed) => `[jest] ===== test ${failed ? 'FAILED' : 'passed'}: ${name}`,
  testDonePattern: /^\[jest\] ===== test (?:FAILED|passed): (.*)$/,
  childStartPattern: /^\[jest\] child \S+ started, output in (.+)$/,
};

module.exports = { logFileFor, markers };
