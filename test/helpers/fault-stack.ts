import { randomUUID } from 'node:crypto';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeScript } from './fake-openai-server';
import { postJson, type SessionCreated } from './http';
import { startTestStack, type TestStack } from './test-stack';
import { createProxy, type Proxy } from './toxiproxy-client';

/**
 * The fault tests' stack: a scripted model and a test stack (worker and API in this process)
 * that reach Redis and the model only through Toxiproxy, so a test can cut, slow or reset
 * either connection at the TCP level. Valid inside its tests (after beforeAll); the proxies are
 * healed after each test.
 */
export interface FaultStack {
  readonly model: FakeOpenAiServer;
  readonly stack: TestStack;
  readonly redisProxy: Proxy;
  readonly modelProxy: Proxy;
  /** Creates a session and returns its id. */
  newSession(): Promise<string>;
}

function hostPort(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}

export function useFaultStack(script: FakeScript, env: Record<string, string> = {}): FaultStack {
  let parts: { model: FakeOpenAiServer; stack: TestStack; redisProxy: Proxy; modelProxy: Proxy } | undefined;
  // Whatever started is stopped, even when a later step of beforeAll failed.
  const started: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    const model = await startFakeOpenAiServer(script);
    started.push(() => model.close());
    const redisProxy = await createProxy(`redis-${id}`, hostPort(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1'));
    started.push(() => redisProxy.delete());
    const modelProxy = await createProxy(`model-${id}`, hostPort(model.baseUrl));
    started.push(() => modelProxy.delete());
    const stack = await startTestStack({
      llmBaseUrl: `http://${modelProxy.listen}/v1`,
      env: { REDIS_URL: `redis://${redisProxy.listen}`, ...env },
    });
    started.push(async () => {
      await redisProxy.reset();
      await modelProxy.reset();
      await stack.stop();
    });
    parts = { model, stack, redisProxy, modelProxy };
  });
  afterEach(async () => {
    await parts?.redisProxy.reset();
    await parts?.modelProxy.reset();
  });
  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  });
  beforeEach(() => parts?.model.setScript(script));
  const get = () => {
    if (!parts) throw new Error('the fault stack is not started (use it inside a test)');
    return parts;
  };
  return {
    get model() {
      return get().model;
    },
    get stack() {
      return get().stack;
    },
    get redisProxy() {
      return get().redisProxy;
    },
    get modelProxy() {
      return get().modelProxy;
    },
    async newSession() {
      const created = await postJson<SessionCreated>(get().stack.url('/api/chat/session'), {});
      expect(created.status).toBe(201);
      return created.body.session_id;
    },
  };
}

/**
 * Every turn in `turnIds` has exactly one row in the session's SQLite chat_history, and no turn
 * and no user message (each test sends distinct texts) has two.
 */
export async function expectArchivedOnce(stack: TestStack, sessionId: string, turnIds: string[]): Promise<void> {
  const rows = await stack.infra.history.listTurns(sessionId);
  const count = (values: string[], value: string) => values.filter((v) => v === value).length;
  const turns = rows.map((row) => row.turn_id);
  expect(turnIds.map((id) => [id, count(turns, id)])).toEqual(turnIds.map((id) => [id, 1]));
  expect(turns.filter((id) => count(turns, id) > 1)).toEqual([]);
  const texts = rows.map((row) => row.user_message);
  expect(texts.filter((text) => count(texts, text) > 1)).toEqual([]);
}

/** The session answers a new message (it was not poisoned or ended by the fault). */
export async function expectSessionAnswers(stack: TestStack, sessionId: string): Promise<TurnResult> {
  const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), {
    message: 'are you still there?',
    session_id: sessionId,
  });
  expect(reply.status).toBe(200);
  expect(reply.body.status).toBe('completed');
  return reply.body;
}
