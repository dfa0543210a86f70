import OpenAI from 'openai';
import { anyOf } from '../helpers/matchers';
import { parseJson } from '../helpers/http';
import { gate, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';

/**
 * The scripted test model speaks the Chat Completions wire format on its own (not through the
 * product's encoder): the official SDK must read it, and it must refuse, like a strict provider,
 * what strict providers refuse.
 */
describe('scripted test model', () => {
  let model: FakeOpenAiServer;
  let sdk: OpenAI;

  beforeAll(async () => {
    model = await startFakeOpenAiServer([]);
    sdk = new OpenAI({ baseURL: model.baseUrl, apiKey: 'test-key', maxRetries: 0 });
  });
  afterAll(() => model.close());

  const raw = async (body: unknown) => {
    const response = await fetch(`${model.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  };
  const dataLines = (text: string) =>
    text
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => block.slice('data: '.length));

  it('when it streams text and two tool calls then the SDK assembles the text, both calls from split argument deltas, and the usage it reported', async () => {
    model.setScript([
      {
        content: 'Let me check. ',
        tool_calls: [
          { id: 'call_a', name: 'calculator', arguments: '{"expression":"6 * 7"}' },
          { id: 'call_b', name: 'weather', arguments: '{"city":"Seoul"}' },
        ],
      },
    ]);
    const stream = await sdk.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const calls: Record<number, { id?: string; name: string; arguments: string; deltas: number }> = {};
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (calls[d.index] ??= { name: '', arguments: '', deltas: 0 });
        call.id ??= d.id;
        call.name += d.function?.name ?? '';
        call.arguments += d.function?.arguments ?? '';
        call.deltas++;
      }
    }
    expect(text).toBe('Let me check. ');
    expect(finish).toBe('tool_calls');
    expect(
      Object.values(calls).map(({ id, name, arguments: args }) => ({ id, name, args: parseJson<unknown>(args) })),
    ).toEqual([
      { id: 'call_a', name: 'calculator', args: { expression: '6 * 7' } },
      { id: 'call_b', name: 'weather', args: { city: 'Seoul' } },
    ]);
    expect(calls[0].deltas).toBeGreaterThan(2); // arguments arrive in pieces, as providers send them
    expect(usage).toEqual(model.requests[0].usage);
    expect(model.requests[0].usage).toEqual({
      prompt_tokens: anyOf(Number),
      completion_tokens: anyOf(Number),
      total_tokens: anyOf(Number),
    });
  });

  it('when a stream asks for usage then every chunk has usage null except one last chunk with no choices, and [DONE] ends it', async () => {
    model.setScript([{ content: 'one two three' }]);
    const { status, contentType, text } = await raw({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    const lines = dataLines(text);
    expect(lines[lines.length - 1]).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((line) => parseJson<OpenAI.ChatCompletionChunk>(line));
    for (const chunk of chunks)
      expect(chunk).toMatchObject({ id: chunks[0].id, object: 'chat.completion.chunk', model: 'm' });
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).map((c) => c.choices[0].delta.content)).toEqual([
      'one ',
      'two ',
      'three',
    ]);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk).toMatchObject({ choices: [], usage: model.requests[0].usage });
    expect(chunks.slice(0, -1).map((c) => c.usage)).toEqual(Array(chunks.length - 1).fill(null));
    expect(chunks[chunks.length - 2].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
  });

  it('when a stream does not ask for usage then no chunk carries usage', async () => {
    model.setScript([{ content: 'one two' }]);
    const { text } = await raw({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = dataLines(text)
      .slice(0, -1)
      .map((line) => parseJson<OpenAI.ChatCompletionChunk>(line));
    expect(chunks.every((c) => !('usage' in c) && c.choices.length === 1)).toBe(true);
  });

  it('when it answers without streaming then the SDK reads the message, its tool call and the usage', async () => {
    model.setScript([
      { content: 'plain answer' },
      { tool_calls: [{ id: 'call_x', name: 'search', arguments: '{"query":"temporal"}' }] },
    ]);
    const plain = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain).toMatchObject({ object: 'chat.completion', model: 'm', usage: model.requests[0].usage });
    expect(plain.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'plain answer' },
    });
    const tool = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'find' }] });
    expect(tool.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_x', type: 'function', function: { name: 'search', arguments: '{"query":"temporal"}' } },
        ],
      },
    });
  });

  it('when a reply is held after its first chunk then it sends nothing more until released', async () => {
    const held = gate();
    model.setScript([{ content: 'one two three', hold: { afterChunks: 1, until: held.until } }]);
    const stream = await sdk.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const pieces: string[] = [];
    const states: Array<{ chunksSent: number; finished: boolean; released: boolean }> = [];
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content;
      if (!piece) continue;
      pieces.push(piece);
      states.push({
        chunksSent: model.requests[0].chunksSent,
        finished: model.requests[0].finished,
        released: held.released(),
      });
      held.release();
    }
    expect(pieces).toEqual(['one ', 'two ', 'three']);
    expect(states[0]).toEqual({ chunksSent: 1, finished: false, released: false });
    expect(model.requests[0].finished).toBe(true);
  });
});
