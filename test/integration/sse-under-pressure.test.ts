import type { TurnResult } from '../../src/contract/turn';
import { postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { openSse, type SseConnection } from '../helpers/live-sse-client';
import { openRawStream } from '../helpers/raw-http';
import { byType, dataOf, parseSseBlock, readSse, type ReceivedEvent } from '../helpers/sse-client';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitUntil } from '../helpers/wait-for';

/** About 800 KB in 1 KB chunks (under Temporal's payload limit); TURNS of them outgrow the socket buffers (~4 MB here). */
const LONG_ANSWER = Array.from({ length: 800 }, (_, i) => `w${i}${'x'.repeat(1000)}`).join(' ');
const TURNS = 4;

/** The complete SSE events of a body read so far (a block still arriving is left out). */
function completeEvents(body: string): ReceivedEvent[] {
  const blocks = body.replace(/\r\n/g, '\n').split('\n\n');
  blocks.pop();
  return blocks.map(parseSseBlock).filter((e): e is ReceivedEvent => e !== undefined);
}

/** Whether `closed` settles within `ms` (the timer is cleared either way). */
async function closesWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([closed.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('SSE under pressure (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho, {
    SSE_MAX_STREAMS_PER_PRINCIPAL: '2',
    SSE_DRAIN_TIMEOUT_SECONDS: '0.5',
    // Each model call carries one earlier answer at most, so long answers stay under Temporal's payload limit.
    HISTORY_WINDOW_MESSAGES: '2',
  });

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

  it('when a follower stops reading while long answers stream then the API drops it, and Last-Event-ID resumes the rest without gap or duplicate', async () => {
    t.model.setScript(() => ({ content: LONG_ANSWER }));
    const sessionId = await newSession();
    const port = Number(new URL(t.stack.api.url).port);
    const raw = openRawStream(port, 'GET', `/api/chat/session/${sessionId}/events`);
    await waitUntil(
      () => Promise.resolve(raw.status()),
      (status) => status === 200,
      { what: 'the stream to open' },
    );
    raw.pause();
    // More than the socket buffers hold (a turn's chunks and its done each carry the answer).
    const turnIds: string[] = [];
    for (let i = 0; i < TURNS; i++) {
      const turn = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: `long ${i}`,
      });
      expect(turn.status).toBe(200);
      turnIds.push(turn.body.turn_id);
    }
    // A paused socket cannot see the server close it: read again, then the close shows (a kept stream would stay open).
    raw.resume();
    const closedByServer = await closesWithin(raw.closed, 10_000);
    raw.destroy();
    expect(closedByServer).toBe(true);
    const received = completeEvents(raw.body());
    expect(byType(received, 'done').length).toBeLessThan(TURNS);
    const last = received[received.length - 1];
    if (last?.event === 'slow_consumer') expect(dataOf(last, 'slow_consumer').resume).toMatch(/Last-Event-ID/);

    // Resume from the last event received, one turn at a time, up to the last turn's done.
    const seen = received.filter((e) => e.id);
    while (!seen.some((e) => e.event === 'done' && dataOf(e, 'done').turn_id === turnIds[TURNS - 1])) {
      const rest = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done`), {
        headers: { 'Last-Event-ID': seen[seen.length - 1]?.id ?? '0-0' },
      });
      seen.push(...rest.events);
    }
    const stored = await t.stack.infra.redis.xrange(t.stack.infra.keys.events(sessionId), '-', '+');
    expect(seen.map((e) => e.id)).toEqual(stored.map(([id]) => id));
    for (const turnId of turnIds) {
      const chunks = byType(seen, 'message')
        .map((e) => dataOf(e, 'message'))
        .filter((m) => m.turn_id === turnId);
      expect(chunks.map((m) => m.content).join('')).toBe(LONG_ANSWER);
    }
  }, 120_000);

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
