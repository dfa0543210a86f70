import path from 'node:path';
import { startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { useProcessHarness } from '../helpers/process-harness';
import { postJson, type CancelResult } from '../helpers/http';
import { dataOf, readSse } from '../helpers/sse-client';
import { SLOW_TOOL, slowToolCounterKey } from '../helpers/slow-tool';

/** A tool activity heartbeats while it runs, so cancelling its turn reaches the tool and stops it. */
jest.setTimeout(180_000);

const SLOW_TOOL_MODULE = path.resolve(__dirname, '../helpers/slow-tool.ts');
const HOLD_MS = 8_000;

const harness = useProcessHarness();

describe('cancelling a turn during a tool call (real processes)', () => {
  it('when the turn is cancelled while a slow tool runs then the tool stops and never does its side effect', async () => {
    const label = 'cancelled-mid-tool';
    const model = await harness.fakeModel((req) => {
      const last = req.body.messages[req.body.messages.length - 1];
      if (last.role === 'tool') return { content: `Tool said: ${last.content}` };
      return { tool_calls: [{ name: SLOW_TOOL, arguments: JSON.stringify({ label, hold_ms: HOLD_MS }) }] };
    });
    const env = await harness.stack(model, { TOOL_MODULES: SLOW_TOOL_MODULE });
    harness.track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    harness.track(api);
    const sessionId = await harness.newSession(url);

    const { events } = await readSse(
      `${url}/api/chat/message/stream`,
      { body: { message: 'do the slow thing', session_id: sessionId } },
      {
        onEvent: async (e) => {
          if (e.event !== 'tool_call') return;
          const cancel = await postJson<CancelResult>(`${url}/api/chat/session/${sessionId}/cancel`, {});
          expect(cancel.status).toBe(202);
        },
      },
    );
    expect(dataOf(events[events.length - 1], 'cancelled').status).toBe('cancelled');

    // Past the moment the tool would have finished: it was stopped, its side effect never happened.
    await new Promise((r) => setTimeout(r, HOLD_MS + 4_000));
    expect(await harness.redis().get(slowToolCounterKey(env.prefix, label))).toBeNull();
  });
});
