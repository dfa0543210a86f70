import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/**
 * A 401/403 says one provider refused one API key: the models on that provider with that key
 * are not tried again, but a model on another provider with its own key still answers.
 */
describe('model chain across providers (real Temporal, Redis, SQLite; two scripted providers)', () => {
  let refusing: FakeOpenAiServer;
  let accepting: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    refusing = await startFakeOpenAiServer(() => ({ status: 401, error: 'Invalid API key' }));
    accepting = await startFakeOpenAiServer(() => ({ content: 'Answer from provider B.' }));
    const models = [
      { model: 'a-1', base_url: refusing.baseUrl, api_key_env: 'PROVIDER_A_KEY' },
      { model: 'a-2', base_url: refusing.baseUrl, api_key_env: 'PROVIDER_A_KEY' },
      { model: 'b-1', base_url: accepting.baseUrl, api_key_env: 'PROVIDER_B_KEY' },
    ];
    stack = await startTestStack({
      llmBaseUrl: refusing.baseUrl,
      env: {
        LLM_MODELS: JSON.stringify(models),
        PROVIDER_A_KEY: 'key-a',
        PROVIDER_B_KEY: 'key-b',
        LLM_RETRY_INITIAL_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await refusing?.close();
    await accepting?.close();
  });

  it('when one provider answers 401 then its other models are skipped and the model on another provider answers', async () => {
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'hi', use_tools: false });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ response: 'Answer from provider B.', model_used: 'b-1' });
    expect(reply.body.models_tried).toEqual([
      expect.objectContaining({ model: 'a-1', outcome: 'failed', error_type: 'ModelAuthError' }),
      expect.objectContaining({ model: 'b-1', outcome: 'answered' }),
    ]);
    // a-2 shares a-1's endpoint and key: asking it would only be refused again.
    expect(refusing.requests.map((r) => r.body.model)).toEqual(['a-1']);
    expect(accepting.requests).toHaveLength(1);
    // The workflow saw an opaque provider label, never the key.
    expect(JSON.stringify(reply.body)).not.toMatch(/key-a|key-b/);
  });
});
