import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeScript } from './fake-openai-server';
import { startTestStack, type TestStack } from './test-stack';

/** A test file's scripted model and the stack that calls it; valid inside its tests (after beforeAll). */
export interface ScriptedStack {
  readonly model: FakeOpenAiServer;
  readonly stack: TestStack;
}

/**
 * Registers the file's hooks: one scripted model and one test stack for the whole file, stopped
 * after it, and the model's script reset to `script` before each test. `env` sets config keys of the stack.
 */
export function useScriptedStack(script: FakeScript, env?: Record<string, string>): ScriptedStack {
  let model: FakeOpenAiServer | undefined;
  let stack: TestStack | undefined;
  beforeAll(async () => {
    model = await startFakeOpenAiServer(script);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });
  beforeEach(() => model?.setScript(script));
  return {
    get model() {
      if (!model) throw new Error('the scripted model is not started (use it inside a test)');
      return model;
    },
    get stack() {
      if (!stack) throw new Error('the test stack is not started (use it inside a test)');
      return stack;
    },
  };
}
