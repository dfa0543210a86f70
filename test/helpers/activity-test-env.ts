import { MockActivityEnvironment } from '@temporalio/testing';
import type { Info } from '@temporalio/activity';
import { PinoTemporalLogger } from '../../src/temporal/runtime-logging';
import { testLogger } from './test-log';

/**
 * A `MockActivityEnvironment` whose activity logs (retry warnings with stacks included) go to this
 * test file's log, not the terminal: the SDK's default logger would break the quiet green run.
 */
export function activityTestEnv(info?: Partial<Info>): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new PinoTemporalLogger(testLogger(), 'WARN') });
}
