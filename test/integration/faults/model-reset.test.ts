import type { TurnResult } from '../../../src/contract/turn';
import { turnIdOf } from '../../../src/contract/event-catalog';
import { dataOf } from '../../helpers/sse-client';
import { expectArchivedOnce, expectSessionAnswers, useFaultStack } from '../../helpers/fault-stack';
import { postJson } from '../../helpers/http';
import { waitUntil } from '../../helpers/wait-for';

/**
 * The model's TCP connection reset (RST) in the middle of a streamed answer: the model call is
 * retried, clients are told to drop the partial text (`reset`), the final text has no duplicated
 * prefix, and the tokens of the cut attempt (the provider bills them) are counted, not hidden.
 */
jest.setTimeout(120_000);

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const faults = useFaultStack(() => ({ content: LONG_ANSWER, chunkDelayMs: 100 }));

describe('fault: the model connection reset mid-stream', () => {
  it('when the model connection is reset mid-stream then the call is retried with a reset event, the text has no duplicated prefix and the cut attempt is billed', async () => {
    const { stack, modelProxy, model } = faults;
    const sessionId = await faults.newSession();
    const reply = postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'a long story please',
      session_id: sessionId,
    });
    await waitUntil(
      () => model.requests[0]?.chunksSent ?? 0,
      (n) => n >= 5,
      { what: 'the model to be streaming' },
    );
    const reset = await modelProxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } });
    await new Promise((r) => setTimeout(r, 300));
    await modelProxy.removeToxic(reset);

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.response).toBe(LONG_ANSWER);
    const cut = model.requests.filter((r) => !r.finished && r.chunksSent > 0);
    expect(cut.length).toBeGreaterThanOrEqual(1);

    const events = (await stack.infra.events.readAfter(sessionId, '0-0')).filter((e) => turnIdOf(e) === body.turn_id);
    const lastReset = events.map((e) => e.type).lastIndexOf('reset');
    expect(lastReset).toBeGreaterThan(0);
    expect(
      events
        .slice(lastReset + 1)
        .filter((e) => e.type === 'message')
        .map((e) => dataOf(e, 'message').content)
        .join(''),
    ).toBe(LONG_ANSWER);

    // Honest billing: the finished call at the provider's count, plus the cut attempt, whose usage
    // the provider never sent, as an estimate flagged as one (not dropped, not passed off as exact).
    const finished = model.requests.filter((r) => r.finished && r.usage);
    const finishedTotal = finished.reduce((n, r) => n + (r.usage?.total_tokens ?? 0), 0);
    const cutCalls = body.model_calls.filter((c) => c.outcome === 'failed');
    expect(cutCalls).toHaveLength(cut.length);
    for (const call of cutCalls) {
      expect(call.usage_estimated).toBe(true);
      expect(call.prompt_tokens).toBeGreaterThan(0);
    }
    const cutTotal = cutCalls.reduce((n, c) => n + c.prompt_tokens + c.completion_tokens, 0);
    expect(body.tokens_used).toBe(finishedTotal + cutTotal);
    const [row] = (await stack.infra.history.listTurns(sessionId)).filter((r) => r.turn_id === body.turn_id);
    expect(row.tokens_used).toBe(body.tokens_used);

    await expectArchivedOnce(stack, sessionId, [body.turn_id, (await expectSessionAnswers(stack, sessionId)).turn_id]);
  });
});
