import type { SessionSnapshot } from '../../src/contract/session';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { processStackEnv, startApiProcess, type RoleProcess } from '../helpers/process-stack';
import { readSse, visibleText } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';

/** The API keeps nothing of its own: Redis holds a rebuildable copy, and any API process serves any session. */
describe('a stateless API over the workflow (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);

  it('when Redis loses the live snapshot then it is rebuilt and nothing is lost', async () => {
    const first = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'remember me' });
    const sessionId = first.body.session_id;
    const keys = await t.stack.infra.redis.keys(`${t.stack.config.REDIS_KEY_PREFIX}*`);
    expect(keys.length).toBeGreaterThan(0);
    await t.stack.infra.redis.del(...keys);

    const rebuilt = await getJson<SessionSnapshot>(t.stack.url(`/api/chat/session/${sessionId}`));
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toEqual(expect.objectContaining({ session_id: sessionId, turns: 1, status: 'active' }));
    expect(rebuilt.body.messages.map((m) => m.content)).toEqual(['remember me', 'Echo: remember me']);
    expect(await t.stack.infra.redis.exists(t.stack.infra.keys.snapshot(sessionId))).toBe(1);

    const second = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'and now?',
    });
    expect(second.status).toBe(200);
    // The model still saw the first exchange: memory lives in the workflow, not in Redis.
    const lastRequest = t.model.requests[t.model.requests.length - 1];
    expect(lastRequest.body.messages.map((m) => m.content)).toEqual(
      expect.arrayContaining(['remember me', 'Echo: remember me', 'and now?']),
    );
    const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
    expect(history.body.messages.map((m) => m.content)).toEqual([
      'remember me',
      'Echo: remember me',
      'and now?',
      'Echo: and now?',
    ]);
  });

  describe('any API process serves any session', () => {
    let apiA: { api: RoleProcess; url: string };
    let apiB: { api: RoleProcess; url: string };

    beforeAll(async () => {
      const c = t.stack.config;
      // Same task queue, Redis prefix and SQLite file as this stack's in-process worker.
      const { env } = processStackEnv(t.model.baseUrl, {
        TEMPORAL_TASK_QUEUE: c.TEMPORAL_TASK_QUEUE,
        REDIS_KEY_PREFIX: c.REDIS_KEY_PREFIX,
        DATA_DIR: c.DATA_DIR,
        LLM_PRICE_INPUT_PER_1M: '1',
        LLM_PRICE_OUTPUT_PER_1M: '2',
      });
      [apiA, apiB] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    }, 120_000);
    afterAll(async () => {
      for (const started of [apiA, apiB]) {
        started?.api.kill('SIGTERM');
        await started?.api.exited;
      }
    });

    it('when a message is sent on API A then API B streams the same events', async () => {
      const created = await postJson<SessionCreated>(`${apiA.url}/api/chat/session`, {});
      expect(created.status).toBe(201);
      const sessionId = created.body.session_id;
      const [onA, onB] = await Promise.all([
        readSse(`${apiA.url}/api/chat/message/stream`, {
          body: { session_id: sessionId, message: 'slow across processes' },
        }),
        readSse(`${apiB.url}/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`),
      ]);
      const streamed = onA.events.slice(1);
      expect(streamed[streamed.length - 1].event).toBe('done');
      expect(onB.events.map((e) => [e.id, e.event])).toEqual(streamed.map((e) => [e.id, e.event]));
      expect(visibleText(onB.events)).toBe(LONG_ANSWER);
      const history = await getJson<History>(`${apiB.url}/api/chat/history/${sessionId}`);
      expect(history.body.messages.map((m) => m.content)).toEqual(['slow across processes', LONG_ANSWER]);
    });
  });
});
