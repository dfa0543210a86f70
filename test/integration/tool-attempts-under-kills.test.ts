import path from 'node:path';
import { expectNoUnhandled, killHard, startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { SLOW_TOOL, slowToolCounterKey } from '../helpers/slow-tool';
import { useProcessHarness } from '../helpers/process-harness';
import { postJson } from '../helpers/http';
import type { TurnResult } from '../../src/contract/turn';
import { turnIdOf } from '../../src/contract/event-catalog';
import { waitUntil } from '../helpers/wait-for';

/**
 * A dead worker does not use up a tool call's attempts: the slow tool allows one attempt
 * (`maximumAttempts: 1`), its worker is SIGKILLed while the tool runs, and the call still runs
 * to its end on the next worker (Temporal retries without limit; the activity counts only the
 * tool's own failures). Found by the chaos run, where the calculator (two attempts) lost both
 * to worker kills and a server restart and failed its turn.
 */
jest.setTimeout(120_000);

const SLOW_TOOL_MODULE = path.resolve(__dirname, '../helpers/slow-tool.ts');

const harness = useProcessHarness();
const { stack, fakeModel, track, sessionEvents, archiveRows, newSession } = harness;

describe('tool attempts under worker kills (real processes)', () => {
  it('when the worker dies during a one-attempt tool call then the call runs again on the next worker and the turn completes', async () => {
    const label = 'killed-once';
    const model = await fakeModel((req) => {
      const last = req.body.messages[req.body.messages.length - 1];
      if (last.role === 'tool') return { content: `Tool said: ${last.content}` };
      return { tool_calls: [{ name: SLOW_TOOL, arguments: JSON.stringify({ label, hold_ms: 4_000 }) }] };
    });
    const env = await stack(model, { TOOL_MODULES: SLOW_TOOL_MODULE });
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, { message: 'work slowly', session_id: sessionId });
    await waitUntil(
      async () => (await sessionEvents(env.prefix, sessionId)).map((e) => e.type),
      (types) => types.includes('tool_call'),
      { timeoutMs: 60_000, intervalMs: 100, what: 'the tool call to be announced' },
    );
    // The tool is holding (4 s) when its worker dies.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await killHard(worker1);
    const worker2 = track(await startWorkerProcess(env.env));

    const { status, body } = await reply;
    expect({ status, response: body.response }).toEqual({
      status: 200,
      response: `Tool said: ${JSON.stringify({ label, finished: true })}`,
    });
    expect(await harness.redis().get(slowToolCounterKey(env.prefix, label))).toBe('1');
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    const events = (await sessionEvents(env.prefix, sessionId)).filter((e) => turnIdOf(e) === body.turn_id);
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results).toHaveLength(1);
    expect(results[0].data).toMatchObject({ name: SLOW_TOOL, ok: true, attempt: 2 });
    expectNoUnhandled(worker2, api);
  });
});
