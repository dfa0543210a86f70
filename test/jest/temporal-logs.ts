/**
 * Jest setup file (runs in each test file's module registry): the Temporal runtime that a test
 * file creates on demand (a worker, a replay; unless the test installs its own first) logs, core
 * included, to the test file's log instead of stderr. Set when the SDK is first loaded, so test
 * files that never load it don't pay for its native bridge; the SDK itself is not changed.
 */
jest.mock('@temporalio/worker', () => {
  const sdk = jest.requireActual<typeof import('@temporalio/worker')>('@temporalio/worker');
  // Neither module loads the SDK (runtime-logging imports its types only): no cycle through this factory.
  const { temporalRuntimeLogging } = jest.requireActual<typeof import('../../src/temporal/runtime-logging')>(
    '../../src/temporal/runtime-logging',
  );
  const { testLogger } = jest.requireActual<typeof import('../helpers/test-log')>('../helpers/test-log');
  sdk.Runtime.defaultOptions = { ...sdk.Runtime.defaultOptions, ...temporalRuntimeLogging(testLogger()) };
  return sdk;
});
