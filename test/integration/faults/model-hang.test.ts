import type { TurnResult } from '../../../src/contract/turn';
import { expectArchivedOnce, expectSessionAnswers, useFaultStack } from '../../helpers/fault-stack';
import { postJson } from '../../helpers/http';
import { waitUntil } from '../../helpers/wait-for';

/**
 * The model hangs: the proxy passes the request on but lets no byte of the answer back, past
 * LLM_TIMEOUT_SECONDS (3 s here). The attempt times out and is retried; once the model answers
 * again the turn completes. LLM_MAX_ATTEMPTS leaves room for two hung attempts (4.5 s of hang
 * against 3 s per attempt), so a failed turn is a defect, not bad luck.
 */
jest.setTimeout(120_000);

const faults = useFaultStack(
  (request) => ({ content: `You said: ${request.body.messages[request.body.messages.length - 1].content}` }),
  { LLM_TIMEOUT_SECONDS: '3', LLM_MAX_ATTEMPTS: '5' },
);

describe('fault: the model hangs past LLM_TIMEOUT_SECONDS', () => {
  it('when the model hangs past LLM_TIMEOUT_SECONDS then the attempt times out, the turn is retried to an answer and the session still answers', async () => {
    const { stack, modelProxy, model } = faults;
    const sessionId = await faults.newSession();
    const hang = await modelProxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } });
    const reply = postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'answer despite the hang',
      session_id: sessionId,
    });
    await waitUntil(
      () => model.requests.length,
      (n) => n >= 1,
      { what: 'the model to receive the request' },
    );
    // Past the per-attempt timeout, then the model is reachable again for the retry.
    await new Promise((r) => setTimeout(r, 4500));
    await modelProxy.removeToxic(hang);

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.response).toBe('You said: answer despite the hang');
    expect(model.requests.length).toBeGreaterThanOrEqual(2);
    const rows = await stack.infra.history.listTurns(sessionId);
    expect(rows).toHaveLength(1);
    await expectArchivedOnce(stack, sessionId, [
      rows[0].turn_id,
      (await expectSessionAnswers(stack, sessionId)).turn_id,
    ]);
  });
});
