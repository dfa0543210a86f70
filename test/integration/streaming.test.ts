import type { TurnResult } from '../../src/contract/turn';
import { gate } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { anyOf } from '../helpers/matchers';
import { byType, dataOf, readSse, visibleText } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';

describe('streaming turns over Redis Streams (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);

  it('when the model holds its stream open after the first chunk then the client already has that chunk, and metadata, the rest and done follow', async () => {
    const held = gate();
    t.model.setScript(() => ({ content: LONG_ANSWER, hold: { afterChunks: 1, until: held.until } }));
    // A deadline, not a measurement: a stack that buffered chunks would otherwise wait forever.
    const deadline = setTimeout(() => held.release(), 30_000);
    let firstChunk: { whileHeld: boolean; modelChunksSent: number; modelFinished: boolean } | undefined;
    const { status, contentType, events } = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { message: 'held please' } },
      {
        onEvent: (e) => {
          if (e.event !== 'message' || firstChunk) return;
          firstChunk = {
            whileHeld: !held.released(),
            modelChunksSent: t.model.requests[0].chunksSent,
            modelFinished: t.model.requests[0].finished,
          };
          held.release();
        },
      },
    ).finally(() => clearTimeout(deadline));
    // The first chunk reached the client while the model was still held open after one chunk.
    expect(firstChunk).toEqual({ whileHeld: true, modelChunksSent: 1, modelFinished: false });
    expect(t.model.requests[0].finished).toBe(true);

    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(events[0].event).toBe('metadata');
    expect(events[0].data).toEqual(
      expect.objectContaining({ session_id: anyOf(String), turn_id: anyOf(String), model: 'fake-model' }),
    );
    const done = events[events.length - 1];
    expect(done.event).toBe('done');
    expect(done.data).toEqual(
      expect.objectContaining({
        response: LONG_ANSWER,
        tools_used: [],
        tokens_used: anyOf(Number),
        cost: anyOf(Number),
      }),
    );

    const messages = byType(events, 'message');
    expect(messages.length).toBe(LONG_ANSWER.split(' ').length);
    expect(messages.map((e) => dataOf(e, 'message').content).join('')).toBe(LONG_ANSWER);

    // Every stream event carries its Redis entry id and where in the turn it belongs.
    const turnId = dataOf(events[0], 'metadata').turn_id;
    for (const e of events.slice(1)) {
      expect(e.id).toMatch(/^\d+-\d+$/);
      expect(e.data).toEqual(expect.objectContaining({ turn_id: turnId }));
    }
    for (const e of messages)
      expect(e.data).toEqual(expect.objectContaining({ step: 1, attempt: 1, model: 'fake-model' }));
    const ids = events.slice(1).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a client drops mid-turn and reconnects with Last-Event-ID then it gets exactly the rest of the turn', async () => {
    const first = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { message: 'slow and resumable' } },
      {
        stopWhen: (_e, all) => byType(all, 'message').length === 3,
      },
    );
    const sessionId = dataOf(first.events[0], 'metadata').session_id;
    const lastSeen = first.events[first.events.length - 1];
    expect(lastSeen.event).toBe('message');

    const rest = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done`), {
      headers: { 'Last-Event-ID': lastSeen.id as string },
    });
    expect(rest.status).toBe(200);
    expect(rest.events[rest.events.length - 1].event).toBe('done');

    // The whole stream, read from its start after the turn, is exactly what the two reads saw.
    const everything = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`));
    const seenIds = [...first.events.slice(1), ...rest.events].map((e) => e.id);
    expect(seenIds).toEqual(everything.events.map((e) => e.id));
    expect(visibleText([...first.events, ...rest.events])).toBe(LONG_ANSWER);
  });

  it('when the events after Last-Event-ID are gone then the stream says it expired instead of hanging', async () => {
    const turn = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'short one' });
    expect(turn.status).toBe(200);
    const sessionId = turn.body.session_id;
    const key = t.stack.infra.keys.events(sessionId);
    expect(await t.stack.infra.redis.exists(key)).toBe(1);
    const entries = await t.stack.infra.redis.xrange(key, '-', '+');
    await t.stack.infra.redis.xtrim(key, 'MAXLEN', 0);
    const trimmed = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events`), {
      headers: { 'Last-Event-ID': entries[0][0] },
    });
    expect(trimmed.events.map((e) => e.event)).toEqual(['stream_expired']);

    await t.stack.infra.redis.del(key);
    const expired = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events`), {
      headers: { 'Last-Event-ID': entries[0][0] },
    });
    expect(expired.events.map((e) => e.event)).toEqual(['stream_expired']);
    expect(dataOf(expired.events[0], 'stream_expired').message).toMatch(/history/);
  });

  it('when a model attempt breaks off and is retried then the stream sends reset and no duplicated prefix', async () => {
    t.model.setScript((_req, index) =>
      index === 0 ? { content: LONG_ANSWER, dropAfterChunks: 4, chunkDelayMs: 20 } : { content: LONG_ANSWER },
    );
    const { events } = await readSse(t.stack.url('/api/chat/message/stream'), { body: { message: 'flaky model' } });
    const types = events.map((e) => e.event);
    expect(types).toContain('reset');
    const reset = events[types.indexOf('reset')];
    expect(reset.data).toEqual(expect.objectContaining({ attempt: 2, step: 1 }));
    const before = events.slice(0, types.indexOf('reset'));
    const discarded = byType(before, 'message')
      .map((e) => dataOf(e, 'message').content)
      .join('');
    expect(discarded.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(discarded)).toBe(true);
    for (const e of byType(events.slice(types.indexOf('reset')), 'message'))
      expect(dataOf(e, 'message').attempt).toBe(2);
    expect(visibleText(events)).toBe(LONG_ANSWER);
    expect(dataOf(events[events.length - 1], 'done').response).toBe(LONG_ANSWER);
  });
});
