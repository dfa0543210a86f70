/**
 * Only the workflow unit tests (test/unit/workflow: the session workflow against stub activities
 * on the run's dev server), so they can run first and fail fast:
 *   npx jest -c test/workflow-unit.jest.config.js --runInBand
 */
const base = require('../jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '..',
  testMatch: ['<rootDir>/test/unit/workflow/**/*.test.ts'],
  testTimeout: 30_000,
};
