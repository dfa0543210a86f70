import type { TurnResult } from '../../../src/contract/turn';
import { gate, type RecordedRequest } from '../../helpers/fake-openai-server';
import { expectArchivedOnce, expectSessionAnswers, useFaultStack } from '../../helpers/fault-stack';
import { getJson, postJson, type ErrorBody, type JsonResponse } from '../../helpers/http';
import { waitUntil } from '../../helpers/wait-for';

/**
 * Redis down (the proxy refuses connections) for longer than the store activities' OLD retry
 * budget, during a turn. The old policy (200 ms initial, x2, 20 attempts, 10 s cap) gave up after
 * 20 attempts and failed the workflow: the session was dead for good. Here the backoff cap is
 * 500 ms (STORE_RETRY_MAX_INTERVAL_MS), so 20 attempts take ~9 s and the 40 s outage is ~80
 * attempts: past any attempt limit of the old shape. FAULT_REDIS_OUTAGE_SECONDS=160 with
 * FAULT_STORE_RETRY_MAX_INTERVAL_MS=10000 replays the old budget at full length (~143 s).
 */
const OUTAGE_MS = Number(process.env.FAULT_REDIS_OUTAGE_SECONDS ?? 40) * 1000;
const STORE_RETRY_MAX_INTERVAL_MS = process.env.FAULT_STORE_RETRY_MAX_INTERVAL_MS ?? '500';
jest.setTimeout(OUTAGE_MS + 180_000);

const held = gate();
const faults = useFaultStack(
  (request: RecordedRequest) => {
    const last = request.body.messages[request.body.messages.length - 1];
    if (last.content === 'before the outage')
      return { content: 'Answered through the outage.', hold: { afterChunks: 1, until: held.until } };
    return { content: `You said: ${last.content}` };
  },
  // A short model timeout makes the callModel attempt (timeout + 30 s) time out during the outage:
  // the next attempt must publish the answer the first one kept, not call the model again.
  { STORE_RETRY_MAX_INTERVAL_MS, LLM_TIMEOUT_SECONDS: '3' },
);

/** A request during the outage: its status and Retry-After, or how it failed to answer within 10 s. */
async function probe(send: () => Promise<JsonResponse<unknown>>): Promise<string> {
  try {
    const response = await Promise.race([
      send(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)),
    ]);
    const retryAfter = response.headers.get('retry-after');
    return `${response.status}${retryAfter ? ' retry-after' : ''}${response.status >= 500 ? ` ${(response.body as ErrorBody | undefined)?.error?.code}` : ''}`;
  } catch (err) {
    return `no answer: ${(err as Error).message}`;
  }
}

describe('fault: Redis down during a turn for longer than the old retry budget', () => {
  it('when Redis is down mid-turn past the old retry budget then requests get 503 with Retry-After, the turn completes once when Redis returns and the session still answers', async () => {
    const { stack, redisProxy, model } = faults;
    const sessionId = await faults.newSession();
    const first = postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'before the outage',
      session_id: sessionId,
    });
    await waitUntil(
      () => model.requests[0]?.chunksSent ?? 0,
      (n) => n >= 1,
      { what: 'the model to start answering' },
    );

    await redisProxy.setEnabled(false);
    const outageEnds = Date.now() + OUTAGE_MS;
    held.release(); // the model's answer now has to be published and mirrored while Redis is down
    const seen: string[] = [];
    for (let n = 0; Date.now() < outageEnds; n++) {
      seen.push(
        await probe(() =>
          postJson(stack.url('/api/chat/message'), { message: `during the outage ${n}`, session_id: sessionId }),
        ),
      );
      seen.push(await probe(() => getJson(stack.url(`/api/chat/session/${sessionId}`))));
      await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, outageEnds - Date.now()))));
    }
    await redisProxy.setEnabled(true);

    const rows = await waitUntil(
      () => stack.infra.history.listTurns(sessionId),
      (list) => list.some((row) => row.user_message === 'before the outage'),
      { timeoutMs: 90_000, intervalMs: 500, what: 'the turn started before the outage to be archived' },
    );
    const firstRow = rows.find((row) => row.user_message === 'before the outage');
    expect(firstRow?.assistant_message).toBe('Answered through the outage.');
    expect(firstRow?.extra_metadata.status).toBe('completed');
    // The request that was waiting got its answer, or a 503 it may retry; never a 500.
    const firstReply = await first;
    expect([200, 503]).toContain(firstReply.status);
    if (firstReply.status === 200) expect(firstReply.body.response).toBe('Answered through the outage.');

    const after = await expectSessionAnswers(stack, sessionId);
    await expectArchivedOnce(stack, sessionId, [firstRow?.turn_id ?? 'missing', after.turn_id]);
    expect(model.requests.filter((r) => r.body.messages.at(-1)?.content === 'before the outage')).toHaveLength(1);
    // Never a 500 (or a hang): a dependency outage is a 503 the client can retry after.
    expect(seen.filter((s) => s !== '503 retry-after dependency_unavailable')).toEqual([]);
  });
});
