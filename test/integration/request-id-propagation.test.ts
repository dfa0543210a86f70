import { Writable } from 'node:stream';
import pino from 'pino';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { calculatorScript, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import type { TurnResult } from '../../src/contract/turn';
import { parseJson, postJson } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';

type LogLine = Record<string, unknown>;

/**
 * One request id ties an API request to the workflow and activity work it caused: the API
 * puts it in the userMessage signal, the workflow passes it to its activities, and both log it.
 * The Temporal runtime logs through the same pino logger as the API, as `npm start` does.
 */
describe('request id in API, workflow and activity logs (real Temporal, Redis, SQLite; scripted model)', () => {
  const lines: LogLine[] = [];
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(parseJson<LogLine>(line));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    // This test file's own module registry: the runtime is installed before any worker exists.
    installTemporalRuntime(logger);
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, logger });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  /**
   * Workflow logs reach the runtime logger through a sink after the activation: wait for the
   * turn's last workflow line (found by turn id, so a missing request id fails the assertions
   * below rather than the wait), then take the lines that carry the request id.
   */
  async function linesFor(requestId: string, turnId: string): Promise<LogLine[]> {
    while (!lines.some((l) => l.msg === 'Turn finished' && l.turn_id === turnId))
      await new Promise((r) => setTimeout(r, 50));
    return lines.filter((l) => l.request_id === requestId);
  }

  it('when a tool turn is sent with X-Request-Id then API, workflow, model and tool activity lines carry it', async () => {
    const requestId = `obs-${Date.now()}-tool-turn`;
    const reply = await postJson<TurnResult>(
      stack.url('/api/chat/message'),
      { message: 'Calculate 2 + 3' },
      { 'x-request-id': requestId },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.tools_used).toEqual(['calculator']);
    const { session_id: sessionId, turn_id: turnId } = reply.body;

    const mine = await linesFor(requestId, turnId);
    const byMessage = (msg: string) => mine.filter((l) => l.msg === msg);

    expect(byMessage('request')).toEqual([
      expect.objectContaining({ method: 'POST', route: '/api/chat/message', status: 200 }),
    ]);
    expect(byMessage('Turn started')).toEqual([
      expect.objectContaining({ sdkComponent: 'workflow', session_id: sessionId, turn_id: turnId }),
    ]);
    expect(byMessage('Turn finished')).toEqual([
      expect.objectContaining({ sdkComponent: 'workflow', turn_id: turnId, status: 'completed' }),
    ]);
    // Two model calls (tool request, then the answer) and one calculator call, each from its activity.
    expect(byMessage('model call finished')).toEqual([
      expect.objectContaining({
        sdkComponent: 'activity',
        activityType: 'callModel',
        turn_id: turnId,
        step: 1,
        tool_calls: 1,
      }),
      expect.objectContaining({
        sdkComponent: 'activity',
        activityType: 'callModel',
        turn_id: turnId,
        step: 2,
        tool_calls: 0,
      }),
    ]);
    expect(byMessage('tool call finished')).toEqual([
      expect.objectContaining({
        sdkComponent: 'activity',
        activityType: 'calculator',
        tool: 'calculator',
        outcome: 'ok',
      }),
    ]);
    // No line of another request's work carries this id.
    expect(
      lines.filter((l) => l.turn_id === turnId && l.request_id !== undefined && l.request_id !== requestId),
    ).toEqual([]);
  });

  it('when the client sends no request id then the generated one (echoed in X-Request-Id) reaches the workflow', async () => {
    const response = await fetch(stack.url('/api/chat/message'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello', use_tools: false }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id') as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = parseJson<TurnResult>(await response.text());
    const mine = await linesFor(requestId, body.turn_id);
    expect(mine.filter((l) => l.msg === 'Turn started')).toEqual([expect.objectContaining({ turn_id: body.turn_id })]);
    expect(mine.filter((l) => l.msg === 'model call finished')).toHaveLength(1);
  });
});
