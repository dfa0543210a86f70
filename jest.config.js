/** @type {import('jest').Config} */
module.exports = {
  // Node's environment plus one service log file per test file (see test/jest/quiet-environment.ts).
  testEnvironment: '<rootDir>/test/jest/quiet-environment.ts',
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm test` type-checks once with tsc.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The Temporal runtime a test creates on demand and console.* log to that file too.
  setupFiles: ['<rootDir>/test/jest/temporal-logs.ts', '<rootDir>/test/jest/console-logs.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  // Each worker (a child process running one file at a time) is replaced once its heap passes this
  // after a file: the heap grows ~100 MB per end-to-end file (in one process it reached ~5 GB and the
  // last files ran ~30 % slower), and two workers each holding ~700 MB at the end of the run were
  // not gone within Jest's 500 ms, which warned that one was force-exited.
  workerIdleMemoryLimit: '400MB',
  // Workflow unit tests first, end-to-end last (see the sequencer).
  testSequencer: '<rootDir>/test/jest/run-order-sequencer.js',
  // One line per test file and the summary (counts and failing tests' names and errors); the
  // services' logs go to files and a failing test's tail is printed by the reporter below.
  verbose: false,
  reporters: ['default', '<rootDir>/test/jest/log-tail-reporter.js'],
};
