import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { TURN_ENDING_EVENTS, type SessionEvent } from '../../src/contract/event-catalog';
import type { SessionSettings, SessionView } from '../../src/contract/session';
import {
  SESSION_WORKFLOW_TYPE,
  sessionWorkflowId,
  stateQuery,
  userMessageSignal,
  type ChatSessionWorkflow,
} from '../../src/contract/session-workflow';
import type { TurnOptions, UserMessage } from '../../src/contract/turn';
import { StubActivities } from './stub-activities';
import { waitFor } from './wait-for';

/** Deadline for every wait in the workflow unit tests: a healthy run needs a fraction of it. */
export const WAIT_MS = 10_000;

/** Settings for a test session: one stub model, no budget, no search attributes, a long idle timeout. */
export function testSettings(overrides: Partial<SessionSettings> = {}): SessionSettings {
  return {
    system_prompt: 'You are a test assistant.',
    history_window_messages: 50,
    history_token_budget: 4000,
    max_tool_steps: 4,
    idle_timeout: '1 hour',
    models: [{ name: 'stub-model', supports_tools: true }],
    offline_fallback_model: null,
    model_timeout_seconds: 30,
    model_max_attempts: 1,
    model_retry_initial_ms: 100,
    model_heartbeat_timeout_seconds: 10,
    continue_as_new_after_turns: 200,
    max_pending_messages: 10,
    max_session_tokens: 0,
    max_session_cost: 0,
    search_attributes: false,
    ...overrides,
  };
}

/** A user message with a fresh turn_id. */
export function userMessage(text: string, options: Partial<TurnOptions> = {}): UserMessage {
  return {
    turn_id: randomUUID(),
    text,
    options: { use_tools: true, temperature: 0.7, max_tokens: 100, ...options },
    received_at: new Date().toISOString(),
  };
}

export type SessionHandle = WorkflowHandleWithFirstExecutionRunId<ChatSessionWorkflow> & { sessionId: string };

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  stubs: StubActivities;
  startSession(settings?: Partial<SessionSettings>): Promise<SessionHandle>;
  /** Polls the `state` query until `accept` returns true (fails after WAIT_MS). */
  waitForState(handle: SessionHandle, accept: (view: SessionView) => boolean): Promise<SessionView>;
  /** Waits until `count` turns of the session published their final event (`done`, `error`, `cancelled`); returns those events. */
  waitForTurnsEnded(handle: SessionHandle, count: number): Promise<SessionEvent[]>;
  /** Waits until the session published (to the live stream only, e.g. a refusal) an event that matches; returns it. */
  waitForPublished(handle: SessionHandle, match: (event: SessionEvent) => boolean): Promise<SessionEvent>;
  /**
   * Signals `message` with its model call held (see StubActivities.hold) and resolves once that
   * call started: the turn is running until `release()`; a cancel ends it with `partial`.
   */
  startHeldTurn(handle: SessionHandle, message: UserMessage, partial?: string): Promise<{ release(): void }>;
  teardown(): Promise<void>;
}

/**
 * The session workflow on the run's Temporal dev server (started by Jest's global setup) with a
 * worker on its own task queue whose activities are `stubs`. The prebuilt workflow bundle is the
 * same code the service runs.
 */
export async function startWorkflowTestEnv(stubs = new StubActivities()): Promise<WorkflowTestEnv> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!address || !codePath)
    throw new Error('TEST_TEMPORAL_ADDRESS / TEST_WORKFLOW_BUNDLE are unset: run through jest (global setup).');
  // The SDK's logs (stub activities refusing references included) go to the test file's log, not the console:
  // the runtime's default options come from test/jest/temporal-logs.ts.
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address });
  const taskQueue = `workflow-unit-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath },
    activities: stubs.activities(),
    // A cancel reaches a held model call with its next heartbeat: send them often.
    maxHeartbeatThrottleInterval: '100 milliseconds',
    defaultHeartbeatThrottleInterval: '100 milliseconds',
  });
  const running = worker.run();
  const started: SessionHandle[] = [];

  return {
    env,
    stubs,
    async startSession(settings = {}) {
      const sessionId = randomUUID();
      const handle = await env.client.workflow.start<ChatSessionWorkflow>(SESSION_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: sessionWorkflowId(sessionId),
        args: [
          {
            session_id: sessionId,
            created_at: new Date().toISOString(),
            owner: 'tester',
            settings: testSettings(settings),
          },
        ],
      });
      const session = Object.assign(handle, { sessionId });
      started.push(session);
      return session;
    },
    waitForState(handle, accept) {
      return waitFor(
        async () => {
          const view = await handle.query(stateQuery);
          return accept(view) ? view : undefined;
        },
        { timeoutMs: WAIT_MS, intervalMs: 50 },
      );
    },
    waitForTurnsEnded(handle, count) {
      return waitFor(
        () => {
          const ended = stubs
            .mirrored(handle.sessionId)
            .filter((e) => (TURN_ENDING_EVENTS as readonly string[]).includes(e.type));
          return ended.length >= count ? ended : undefined;
        },
        { timeoutMs: WAIT_MS, intervalMs: 50 },
      );
    },
    waitForPublished(handle, match) {
      return waitFor(() => stubs.published(handle.sessionId).find(match), { timeoutMs: WAIT_MS, intervalMs: 50 });
    },
    async startHeldTurn(handle, message, partial) {
      const held = stubs.hold(message.turn_id, partial);
      await handle.signal(userMessageSignal, message);
      await within(held.started, 'model call');
      return held;
    },
    async teardown() {
      // Sessions a test left open would keep their idle timers: end them before the worker stops.
      await Promise.allSettled(started.map((h) => h.terminate('test finished')));
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/**
 * The environment for one test file: started before its tests (beforeAll), torn down after them
 * (afterAll). Call at the top of a describe block; use the result inside tests.
 */
export function useWorkflowTestEnv(stubs = new StubActivities()): Omit<WorkflowTestEnv, 'teardown'> {
  let started: WorkflowTestEnv | undefined;
  beforeAll(async () => {
    started = await startWorkflowTestEnv(stubs);
  });
  afterAll(async () => {
    await started?.teardown();
  });
  const current = (): WorkflowTestEnv => {
    if (!started) throw new Error('the workflow test environment is used outside a test (it starts in beforeAll)');
    return started;
  };
  return {
    get env() {
      return current().env;
    },
    stubs,
    startSession: (settings) => current().startSession(settings),
    waitForState: (handle, accept) => current().waitForState(handle, accept),
    waitForTurnsEnded: (handle, count) => current().waitForTurnsEnded(handle, count),
    waitForPublished: (handle, match) => current().waitForPublished(handle, match),
    startHeldTurn: (handle, message, partial) => current().startHeldTurn(handle, message, partial),
  };
}

/** Resolves with `promise`, or fails after `ms` naming `what`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
