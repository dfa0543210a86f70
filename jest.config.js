/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm test` type-checks once with tsc.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  verbose: true,
};
