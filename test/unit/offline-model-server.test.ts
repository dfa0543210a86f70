import { createOpenAiClient } from '../../src/llm/openai-client';
import { OFFLINE_LABEL } from '../../src/llm/offline-rules';
import { startOfflineModelServer, type OfflineModelServer } from '../../src/llm/offline-model-server';
import { loadConfig } from '../../src/config';
import { createToolRegistry } from '../../src/tools/registry';
import { anyOf } from '../helpers/matchers';

const toolSpecs = () => createToolRegistry(loadConfig({})).specs();

describe('offline model server through the openai SDK', () => {
  let server: OfflineModelServer;
  beforeAll(async () => {
    server = await startOfflineModelServer();
  });
  afterAll(() => server.close());

  const client = () => createOpenAiClient(server.baseUrl, 'offline', 5000);

  it('when asked to calculate with tools offered then it returns a calculator tool call (non-streaming)', async () => {
    const completion = await client().chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'Calculate 10 * 20' }],
      tools: toolSpecs(),
    });
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('calculator');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ expression: '10 * 20' });
  });

  it('when streaming a plain reply then chunks add up to a labelled answer with usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.delta?.content) chunks++;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.startsWith(OFFLINE_LABEL)).toBe(true);
    expect(chunks).toBeGreaterThan(3);
    expect(usage).toMatchObject({ prompt_tokens: anyOf(Number), completion_tokens: anyOf(Number) });
  });

  it('when streaming a tool call then the SDK assembles it from the deltas', async () => {
    const stream = await client().chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'what is 3 + 4?' }],
      tools: toolSpecs(),
      stream: true,
    });
    const names: string[] = [];
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta?.tool_calls ?? [])
        if (call.function?.name) names.push(call.function.name);
    }
    expect(names).toEqual(['calculator']);
  });
});
