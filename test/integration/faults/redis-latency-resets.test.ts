import { dataOf, type ReceivedEvent } from '../../helpers/sse-client';
import { openSse } from '../../helpers/live-sse-client';
import { expectArchivedOnce, expectSessionAnswers, useFaultStack } from '../../helpers/fault-stack';
import { waitUntil } from '../../helpers/wait-for';

/**
 * Redis slow (2 s latency each way) and then resetting its connections (TCP RST) while a turn
 * streams: the workflow's publishes and the API's stream reads both go through the faulty link.
 * A client that loses its stream resumes with Last-Event-ID until `done`: together its
 * connections show every token once, in order.
 */
jest.setTimeout(180_000);

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const faults = useFaultStack(() => ({ content: LONG_ANSWER, chunkDelayMs: 150 }));

/** Reads the turn's events from `url` (resuming after `lastId`) until the stream ends. */
async function readUntilEnd(url: string, init: Parameters<typeof openSse>[1]): Promise<ReceivedEvent[]> {
  const stream = await openSse(url, init);
  if (stream.status !== 200) return [];
  await stream.ended;
  return stream.events;
}

describe('fault: Redis latency and connection resets while a turn streams', () => {
  it('when Redis is slow and resets connections mid-stream then the client resumes with Last-Event-ID with no gap and no duplicate', async () => {
    const { stack, redisProxy, model } = faults;
    const sessionId = await faults.newSession();
    const stream = await openSse(stack.url('/api/chat/message/stream'), {
      method: 'POST',
      body: { message: 'stream through a bad Redis', session_id: sessionId },
    });
    expect(stream.status).toBe(200);
    const turnId = dataOf(await stream.waitFor((e) => e.event === 'metadata'), 'metadata').turn_id;
    await stream.waitFor((e) => e.event === 'message');

    const latency = await redisProxy.addToxic({ type: 'latency', attributes: { latency: 2000 } });
    const latencyUp = await redisProxy.addToxic(
      { type: 'latency', attributes: { latency: 2000 } },
      { stream: 'upstream' },
    );
    await waitUntil(
      () => model.requests[0]?.chunksSent ?? 0,
      (n) => n >= 15,
      { what: 'the model to be midway' },
    );
    const reset = await redisProxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } });
    await new Promise((r) => setTimeout(r, 1000));
    await redisProxy.removeToxic(reset);
    await waitUntil(() => model.requests[0]?.finished ?? false, Boolean, { what: 'the model to finish' });
    await redisProxy.removeToxic(latencyUp);
    await redisProxy.removeToxic(latency);

    // The first connection, then resumes from the last id received, until the turn's `done`.
    await stream.ended;
    const received = [...stream.events];
    for (let resumes = 0; !received.some((e) => e.event === 'done') && resumes < 10; resumes++) {
      const lastId = [...received].reverse().find((e) => e.id)?.id;
      expect(lastId).toBeDefined();
      received.push(
        ...(await readUntilEnd(stack.url(`/api/chat/session/${sessionId}/events?until=done`), {
          headers: { 'last-event-id': lastId as string },
        })),
      );
    }
    const ids = received.filter((e) => e.id).map((e) => e.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const ofTurn = received.filter(
      (e) => e.event !== 'metadata' && (e.data as { turn_id?: string }).turn_id === turnId,
    );
    expect(ofTurn.filter((e) => e.event === 'done')).toHaveLength(1);
    // No gap, no duplicate: the text after the last reset is the whole answer.
    const lastReset = ofTurn.map((e) => e.event).lastIndexOf('reset');
    const text = ofTurn
      .slice(lastReset + 1)
      .filter((e) => e.event === 'message')
      .map((e) => dataOf(e, 'message').content)
      .join('');
    expect(text).toBe(LONG_ANSWER);

    await expectArchivedOnce(stack, sessionId, [turnId, (await expectSessionAnswers(stack, sessionId)).turn_id]);
  });
});
