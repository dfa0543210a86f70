/**
 * Runs the fast, dependency-free tests first: workflow unit tests (stub activities), then the
 * other unit tests, replay, integration and end-to-end. A broken rule fails in seconds.
 */
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['/test/unit/workflow/', '/test/unit/', '/test/replay/', '/test/integration/', '/test/e2e/'];
const rank = (path) => {
  const index = ORDER.findIndex((folder) => path.includes(folder));
  return index === -1 ? ORDER.length : index;
};

class RunOrderSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = RunOrderSequencer;
