import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import type { TurnResult } from '../../src/contract/turn';
import { parseJson, postJson } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { containing } from '../helpers/matchers';
import { sampleValue, scrape } from '../helpers/prometheus-text';
import { activityRuns, scheduledActivities } from '../helpers/workflow-history';

type ToolMessage = { role: string; content: string | null; tool_call_id?: string };
const toolMessages = (request: RecordedRequest) =>
  request.body.messages.filter((m) => m.role === 'tool') as ToolMessage[];

/** First request: the given tool calls; afterwards: echo the tool results back as the answer. */
function callsThenEcho(calls: FakeReply['tool_calls']) {
  return (request: RecordedRequest): FakeReply => {
    const results = toolMessages(request);
    if (results.length === 0) return { tool_calls: calls };
    return { content: `results: ${results.map((m) => m.content).join(' | ')}` };
  };
}

describe('tool loop (real Temporal, Redis, SQLite; scripted model)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer([]);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { WEATHER_PROVIDER: 'offline', SEARCH_PROVIDER: 'offline', MAX_TOOL_STEPS: '3' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('when the model asks for two tools in one step then both run as their own activities and both results reach it', async () => {
    model.setScript(
      callsThenEcho([
        { id: 'call-calc', name: 'calculator', arguments: '{"expression":"2 + 3"}' },
        { id: 'call-weather', name: 'weather', arguments: '{"city":"Seoul"}' },
      ]),
    );
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'Add 2 and 3, and the weather in Seoul?',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.tools_used.sort()).toEqual(['calculator', 'weather']);
    const second = model.requests[1];
    const results = toolMessages(second);
    expect(results.map((m) => m.tool_call_id)).toEqual(['call-calc', 'call-weather']);
    expect(JSON.parse(results[0].content ?? '{}')).toMatchObject({ result: 5 });
    expect(JSON.parse(results[1].content ?? '{}')).toMatchObject({
      city: 'Seoul',
      note: containing('Offline'),
    });
    // The assistant message with both calls precedes the results (no orphans).
    const assistant = second.body.messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls).toHaveLength(2);

    const scheduled = await scheduledActivities(stack.client, reply.body.session_id);
    expect(scheduled).toEqual(
      expect.arrayContaining([
        { type: 'calculator', summary: 'calculator {"expression":"2 + 3"}' },
        { type: 'weather', summary: 'weather {"city":"Seoul"}' },
      ]),
    );
  });

  it('when the model asks for an unknown tool and gives invalid arguments then it sees tool errors and the turn completes', async () => {
    model.setScript(
      callsThenEcho([
        { id: 'call-x', name: 'teleport', arguments: '{"to":"Mars"}' },
        { id: 'call-bad', name: 'calculator', arguments: '{"expr": 1}' },
        { id: 'call-broken', name: 'search', arguments: '{"query": ' },
      ]),
    );
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'do odd things' });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('completed');
    const results = toolMessages(model.requests[1]).map((m) => parseJson<{ error?: string }>(m.content ?? '{}').error);
    expect(results[0]).toMatch(/Unknown tool "teleport"/);
    expect(results[1]).toMatch(/Invalid arguments: expression/);
    expect(results[2]).toMatch(/not valid JSON/);
    expect(reply.body.tools_used).toEqual(['calculator', 'search']);
  });

  it('when the model keeps calling tools then the step limit ends the turn with an honest message', async () => {
    model.setScript(() => ({ tool_calls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] }));
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'loop forever' });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toMatch(/stopped after 3 model calls without reaching a final answer/);
    expect(reply.body.steps).toBe(3);
    expect(model.requests).toHaveLength(3);
    expect(reply.body.model_calls).toHaveLength(3);
  });

  it('when the same weather is asked twice with different spelling then the first call runs the tool and the second comes from the Redis cache', async () => {
    // Each turn: a weather call, then (once its result is the last message) an answer.
    model.setScript((request) => {
      const last = request.body.messages[request.body.messages.length - 1];
      if (last.role === 'tool') return { content: 'ok' };
      return {
        tool_calls: [
          { name: 'weather', arguments: JSON.stringify({ city: last.content === 'first' ? 'Busan' : '  busan ' }) },
        ],
      };
    });
    const cacheKeys = () => stack.infra.redis.keys(`${stack.config.REDIS_KEY_PREFIX}toolcache:weather:*`);
    const weatherCalls = async () => {
      const samples = await scrape(stack.url('/metrics'));
      return {
        ok: sampleValue(samples, 'chat_tool_calls_total', { tool: 'weather', outcome: 'ok' }),
        cached: sampleValue(samples, 'chat_tool_calls_total', { tool: 'weather', outcome: 'cached' }),
      };
    };
    const keysBefore = await cacheKeys();

    const beforeFirst = await weatherCalls();
    const first = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'first' });
    expect(first.status).toBe(200);
    const afterFirst = await weatherCalls();
    const second = await postJson<TurnResult>(stack.url('/api/chat/message'), {
      session_id: first.body.session_id,
      message: 'second',
    });
    expect(second.status).toBe(200);
    const afterSecond = await weatherCalls();

    // The first call is a miss (the tool ran), the second a hit.
    expect({ ok: afterFirst.ok - beforeFirst.ok, cached: afterFirst.cached - beforeFirst.cached }).toEqual({
      ok: 1,
      cached: 0,
    });
    expect({ ok: afterSecond.ok - afterFirst.ok, cached: afterSecond.cached - afterFirst.cached }).toEqual({
      ok: 0,
      cached: 1,
    });
    const weather = (await activityRuns(stack.client, first.body.session_id)).filter((a) => a.type === 'weather');
    expect(weather.map((a) => (a.result as { cached?: boolean }).cached)).toEqual([undefined, true]);
    // …and so do the `tool_result` events a client sees (the page's "cached" badge).
    const events = await stack.infra.events.readAfter(first.body.session_id, '0-0');
    const results = events.flatMap((e) => (e.type === 'tool_result' ? [e.data.cached] : []));
    expect(results).toEqual([undefined, true]);
    // The model got the cached result: the first call's content again.
    expect(model.requests).toHaveLength(4);
    expect(toolMessages(model.requests[3]).map((m) => m.content)).toEqual([
      toolMessages(model.requests[1])[0].content,
      toolMessages(model.requests[1])[0].content,
    ]);

    const keys = (await cacheKeys()).filter((k) => !keysBefore.includes(k));
    expect(keys).toHaveLength(1);
    expect(await stack.infra.redis.ttl(keys[0])).toBeGreaterThan(0);
  });

  it('when the provider sends no usage then tokens are estimated and marked so', async () => {
    model.setScript([
      {
        rawBody:
          'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"fake-model","choices":[{"index":0,"delta":{"content":"no usage here"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      },
    ]);
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'hi', use_tools: false });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('no usage here');
    expect(reply.body.model_calls[0]).toMatchObject({ usage_estimated: true });
    expect(reply.body.tokens_used).toBeGreaterThan(0);
  });
});
