import { randomUUID } from 'node:crypto';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { byType, dataOf, readSse } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { waitUntil } from '../helpers/wait-for';

const t = useScriptedStack(slowOrEcho);

/** Model calls whose last user message is `text`. */
function callsFor(text: string): number {
  return t.model.requests.filter((r) => r.body.messages.filter((m) => m.role === 'user').at(-1)?.content === text)
    .length;
}

function send(body: Record<string, unknown>, key: string) {
  return postJson<TurnResult>(t.stack.url('/api/chat/message'), body, { 'Idempotency-Key': key });
}

describe('Idempotency-Key on messages and sessions', () => {
  it('when a first message is retried after its turn completed then the retry answers the same turn and session from one model call', async () => {
    const key = randomUUID();
    const first = await send({ message: 'idem completed' }, key);
    const retry = await send({ message: 'idem completed' }, key);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({
      session_id: first.body.session_id,
      turn_id: first.body.turn_id,
      response: first.body.response,
    });
    expect(callsFor('idem completed')).toBe(1);
    expect(await t.stack.infra.history.countTurns(first.body.turn_id)).toBe(1);
  });

  it('when a message is retried while its turn runs then both get the same answer from one model call', async () => {
    const key = randomUUID();
    const first = send({ message: 'slow idem running' }, key);
    await waitUntil(
      () => callsFor('slow idem running'),
      (n) => n === 1,
      { what: 'the model call' },
    );
    const [a, b] = await Promise.all([first, send({ message: 'slow idem running' }, key)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.turn_id).toBe(a.body.turn_id);
    expect(b.body.response).toBe(LONG_ANSWER);
    expect(a.body.response).toBe(LONG_ANSWER);
    expect(callsFor('slow idem running')).toBe(1);
  });

  it('when a message to an existing session is retried then one turn is archived', async () => {
    const session = await send({ message: 'idem opener' }, randomUUID());
    const key = randomUUID();
    const body = { session_id: session.body.session_id, message: 'idem follow-up' };
    const first = await send(body, key);
    const retry = await send(body, key);
    expect(retry.body.turn_id).toBe(first.body.turn_id);
    expect(callsFor('idem follow-up')).toBe(1);
    const history = await getJson<{ messages: unknown[] }>(t.stack.url(`/api/chat/history/${session.body.session_id}`));
    expect(history.body.messages).toHaveLength(4);
  });

  it('when the same key comes with another body then the request is refused with 422 idempotency_key_reused', async () => {
    const key = randomUUID();
    await send({ message: 'idem original' }, key);
    const reused = await postJson<ErrorBody>(
      t.stack.url('/api/chat/message'),
      { message: 'idem something else' },
      { 'Idempotency-Key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(callsFor('idem something else')).toBe(0);
  });

  it('when the remembered key is lost then a retry still names the same turn and does not call the model again', async () => {
    const key = randomUUID();
    const first = await send({ message: 'idem forgotten' }, key);
    const stored = await t.stack.infra.redis.keys(`${t.stack.config.REDIS_KEY_PREFIX}idempotency:*`);
    await t.stack.infra.redis.del(...stored);
    const retry = await send({ message: 'idem forgotten' }, key);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ turn_id: first.body.turn_id, response: first.body.response });
    expect(callsFor('idem forgotten')).toBe(1);
  });

  it('when a session start is retried with the same key then it answers the same session', async () => {
    const key = randomUUID();
    const start = () => postJson<SessionCreated>(t.stack.url('/api/chat/session'), {}, { 'Idempotency-Key': key });
    const first = await start();
    const retry = await start();
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toEqual(first.body);
  });

  it('when a streamed message is retried after it completed then the retry streams the same turn', async () => {
    const key = randomUUID();
    const first = await send({ message: 'idem streamed' }, key);
    const retry = await readSse(t.stack.url('/api/chat/message/stream'), {
      body: { message: 'idem streamed' },
      headers: { 'Idempotency-Key': key },
    });
    expect(retry.status).toBe(200);
    const [done] = byType(retry.events, 'done');
    expect(done && dataOf(done, 'done')).toMatchObject({ turn_id: first.body.turn_id, response: first.body.response });
    expect(callsFor('idem streamed')).toBe(1);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
  ])('when the Idempotency-Key is %s then the request is refused with 400', async (_what, key) => {
    const res = await postJson<ErrorBody>(
      t.stack.url('/api/chat/message'),
      { message: 'idem bad key' },
      {
        'Idempotency-Key': key,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(callsFor('idem bad key')).toBe(0);
  });
});
