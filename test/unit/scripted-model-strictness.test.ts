import OpenAI from 'openai';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { containing } from '../helpers/matchers';

/** The scripted test model refuses, like a strict provider, a conversation whose tool calls and results do not pair up. */
describe('scripted test model, strict about tool exchanges', () => {
  let model: FakeOpenAiServer;
  let sdk: OpenAI;

  beforeAll(async () => {
    model = await startFakeOpenAiServer([]);
    sdk = new OpenAI({ baseURL: model.baseUrl, apiKey: 'test-key', maxRetries: 0 });
  });
  afterAll(() => model.close());

  it('when an assistant tool call has no tool result before the next message then it answers 400 like a strict provider', async () => {
    model.setScript(() => ({ content: 'should not be reached' }));
    const orphaned = sdk.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'add' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{}' } }],
        },
        { role: 'user', content: 'and?' },
      ],
    });
    await expect(orphaned).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: containing('call_1'),
    });
    expect(model.requests[0].rejected).toMatch(/must be followed by tool messages/);
  });

  it('when a tool message answers no preceding tool call then it answers 400 like a strict provider', async () => {
    model.setScript(() => ({ content: 'should not be reached' }));
    const stray = sdk.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'add' },
        { role: 'tool', tool_call_id: 'call_nobody', content: '{"result":1}' },
      ],
    });
    await expect(stray).rejects.toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(model.requests[0].rejected).toMatch(/role 'tool' must be a response/);
  });

  it('when every tool call is answered then the request is accepted', async () => {
    model.setScript(() => ({ content: 'done' }));
    const answered = await sdk.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'add' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_2', content: '{}' },
        { role: 'tool', tool_call_id: 'call_1', content: '{}' },
      ],
    });
    expect(answered.choices[0].message.content).toBe('done');
    expect(model.requests[0].rejected).toBeUndefined();
  });
});
