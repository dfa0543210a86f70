import type { TurnResult } from '../../src/contract/turn';
import { postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { openSse, type SseConnection } from '../helpers/live-sse-client';
import { openRawStream } from '../helpers/raw-http';
import { byType, dataOf, parseSseBlock, readSse, visibleText, type ReceivedEvent } from '../helpers/sse-client';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitUntil } from '../helpers/wait-for';

/** About 3 MB in 1 KB chunks: more than the socket buffers between the API and a client that stops reading. */
const HUGE_ANSWER = Array.from({ length: 3000 }, (_, i) => `w${i}${'x'.repeat(1000)}`).join(' ');

/** The complete SSE events of a body read so far (a block still arriving is left out). */
function completeEvents(body: string): ReceivedEvent[] {
  const blocks = body.replace(/\r\n/g, '\n').split('\n\n');
  blocks.pop();
  return blocks.map(parseSseBlock).filter((e): e is ReceivedEvent => e !== undefined);
}

describe('SSE under pressure (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho, { SSE_MAX_STREAMS_PER_PRINCIPAL: '2', SSE_DRAIN_TIMEOUT_SECONDS: '0.5' });

  async function newSession(): Promise<string> {
    return (await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {})).body.session_id;
  }

  it('when a caller holds the most streams allowed then another answers 429 with Retry-After and starts no turn, until one closes', async () => {
    const sessionId = await newSession();
    const open: SseConnection[] = [];
    for (let i = 0; i < 2; i++) open.push(await openSse(t.stack.url(`/api/chat/session/${sessionId}/events`)));
    expect(open.map((s) => s.status)).toEqual([200, 200]);

    const refused = await fetch(t.stack.url('/api/chat/message/stream'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: 'one stream too many' }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('too_many_streams');
    expect(t.model.requests).toHaveLength(0);

    open[0].close();
    await open[0].ended;
    const again = await waitUntil(
      async () => {
        const stream = await openSse(t.stack.url(`/api/chat/session/${sessionId}/events`));
        if (stream.status !== 200) stream.close();
        return stream;
      },
      (stream) => stream.status === 200,
      { what: 'a freed stream slot' },
    );
    again.close();
    open[1].close();
  });

  it('when a client stops reading a long answer then the API drops it, and Last-Event-ID resumes the rest without gap or duplicate', async () => {
    t.model.setScript(() => ({ content: HUGE_ANSWER }));
    const port = Number(new URL(t.stack.api.url).port);
    const raw = openRawStream(port, 'POST', '/api/chat/message/stream', { message: 'a huge answer' });
    await waitUntil(
      async () => completeEvents(raw.body()),
      (events) => byType(events, 'message').length > 0,
      { what: 'the first chunk' },
    );
    raw.pause();
    // The model finishes at once; the API must not hold the whole answer for a client that reads nothing.
    const closedByServer = await Promise.race([
      raw.closed.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 15_000)),
    ]);
    raw.resume();
    await Promise.race([raw.closed, new Promise((r) => setTimeout(r, 3000))]);
    raw.destroy();
    const received = completeEvents(raw.body());
    expect(closedByServer).toBe(true);
    expect(byType(received, 'done')).toHaveLength(0);
    const last = received[received.length - 1];
    if (last.event === 'slow_consumer') expect(dataOf(last, 'slow_consumer').resume).toMatch(/Last-Event-ID/);

    const { session_id: sessionId, turn_id: turnId } = dataOf(received[0], 'metadata');
    const withIds = received.filter((e) => e.id);
    const rest = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done&turn_id=${turnId}`), {
      headers: { 'Last-Event-ID': withIds[withIds.length - 1].id as string },
    });
    expect(dataOf(rest.events[rest.events.length - 1], 'done').response).toBe(HUGE_ANSWER);
    const everything = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`));
    expect([...withIds, ...rest.events].map((e) => e.id)).toEqual(everything.events.map((e) => e.id));
    expect(visibleText([...withIds, ...rest.events])).toBe(HUGE_ANSWER);
  });

  describe('a Last-Event-ID the stream cannot serve', () => {
    async function sessionWithEvents(): Promise<{ sessionId: string; newest: string }> {
      const turn = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'short one' });
      const sessionId = turn.body.session_id;
      const newest = await t.stack.infra.events.lastId(sessionId);
      return { sessionId, newest };
    }

    it('when Last-Event-ID is ahead of the newest event then the answer is 400 invalid_last_event_id, not a stalled stream', async () => {
      const { sessionId, newest } = await sessionWithEvents();
      const ahead = `${Number(newest.split('-')[0]) + 60_000}-0`;
      const response = await readSse(
        t.stack.url(`/api/chat/session/${sessionId}/events?until=done`),
        {
          headers: { 'Last-Event-ID': ahead },
        },
        { timeoutMs: 5000 },
      );
      expect(response.status).toBe(400);
      expect(response.errorBody?.error.code).toBe('invalid_last_event_id');
    });

    it('when last_event_id in the query is ahead of the newest event then the answer is 400', async () => {
      const { sessionId, newest } = await sessionWithEvents();
      const [ms, seq] = newest.split('-');
      const response = await readSse(
        t.stack.url(`/api/chat/session/${sessionId}/events?until=done&last_event_id=${ms}-${Number(seq) + 1}`),
        {},
        { timeoutMs: 5000 },
      );
      expect(response.status).toBe(400);
      expect(response.errorBody?.error.code).toBe('invalid_last_event_id');
    });

    it('when Last-Event-ID is not a stream id then the answer is 400 invalid_last_event_id', async () => {
      const { sessionId } = await sessionWithEvents();
      const response = await readSse(
        t.stack.url(`/api/chat/session/${sessionId}/events`),
        {
          headers: { 'Last-Event-ID': 'yesterday' },
        },
        { timeoutMs: 5000 },
      );
      expect(response.status).toBe(400);
      expect(response.errorBody?.error.code).toBe('invalid_last_event_id');
    });
  });
});
