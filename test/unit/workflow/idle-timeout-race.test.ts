import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import {
  SESSION_WORKFLOW_TYPE,
  sessionWorkflowId,
  userMessageSignal,
  type ChatSessionWorkflow,
} from '../../../src/contract/session-workflow';
import { testSettings, useWorkflowTestEnv, userMessage, within, WAIT_MS } from '../../helpers/workflow-test-env';
import { waitFor } from '../../helpers/wait-for';

/** A message that lands with the idle timer's firing (one activation) still runs. */
describe('chatSessionWorkflow idle timeout racing a message (stub activities)', () => {
  const t = useWorkflowTestEnv();

  /** A worker of its own on `taskQueue`, without a workflow cache (no sticky queue: the next task goes to any worker). */
  const startWorker = async (taskQueue: string) => {
    const worker = await Worker.create({
      connection: t.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string },
      activities: t.stubs.activities(),
      maxCachedWorkflows: 0,
    });
    return { running: worker.run(), stop: () => worker.shutdown() };
  };

  it('when the idle timer fires in the activation that brings a message then the message runs instead of being dropped', async () => {
    const taskQueue = `idle-race-${randomUUID()}`;
    const sessionId = randomUUID();
    const session = await t.env.client.workflow.start<ChatSessionWorkflow>(SESSION_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: sessionWorkflowId(sessionId),
      args: [
        {
          session_id: sessionId,
          created_at: new Date().toISOString(),
          owner: 'tester',
          settings: testSettings({ idle_timeout: '1 second' }),
        },
      ],
    });
    const hasEvent = (attribute: 'workflowTaskCompletedEventAttributes' | 'timerFiredEventAttributes') => () =>
      session.fetchHistory().then((h) => (h.events?.some((e) => e[attribute]) ? true : undefined));
    // The first workflow task starts the idle timer; then no worker runs until timer and message are both in the history.
    const first = await startWorker(taskQueue);
    await waitFor(hasEvent('workflowTaskCompletedEventAttributes'), { timeoutMs: WAIT_MS, intervalMs: 50 });
    first.stop();
    await first.running;
    await waitFor(hasEvent('timerFiredEventAttributes'), { timeoutMs: WAIT_MS, intervalMs: 50 });
    await session.signal(userMessageSignal, userMessage('just in time'));

    const second = await startWorker(taskQueue);
    try {
      const view = await within(session.result(), 'idle end');
      expect(view.turns).toBe(1);
      expect(t.stubs.archived(sessionId).map((a) => [a.user_message, a.result.status])).toEqual([
        ['just in time', 'completed'],
      ]);
    } finally {
      second.stop();
      await second.running;
    }
  });
});
