import { estimateTokens, type CompletionReply } from '../src/llm/chat-completion-encoder';
import { startFakeModelServer, type FakeModelRequest } from '../dev/fake-model-server';
import { announceReady } from './child-process';
import { DEFAULT_FAKE_MODEL, type FakeModelConfig } from './fake-model-config';

/**
 * The bench's model: fixed latency, a token rate and a number of tool-call rounds, so both our
 * stack and the direct baseline wait on exactly the same model. Runs as its own process
 * (`node --import tsx bench/fake-model-server.ts`), printing its URL; `POST /__config` changes it.
 */
const ANSWER_WORDS = 'the quick brown fox jumps over the lazy dog while a model streams its answer word by word'.split(
  ' ',
);

/** Tool rounds already done in this turn: tool results after the last user message. */
function toolRoundsDone(messages: FakeModelRequest['messages'] = []): number {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i].role !== 'user'; i--)
    if (messages[i].role === 'assistant') rounds++;
  return rounds;
}

/**
 * A tool message that is not the calculator's answer to `6 * 7` (e.g. a promise serialised as `{}`): the bench would be
 * timing a broken tool path, so the request is refused (400) and the run fails instead of reporting figures.
 */
function wrongToolResult(messages: FakeModelRequest['messages'] = []): string | undefined {
  for (const message of messages) {
    if (message.role !== 'tool') continue;
    try {
      if ((JSON.parse(message.content ?? '') as { result?: unknown }).result === 42) continue;
    } catch {
      // not JSON: wrong
    }
    return message.content ?? '';
  }
  return undefined;
}

function replyFor(config: FakeModelConfig, request: FakeModelRequest): CompletionReply {
  const prompt = (request.messages ?? []).map((m) => m.content ?? '').join(' ');
  const model = request.model ?? 'bench-model';
  // Only a request that offers tools gets a tool call (a summary request offers none, and a model cannot
  // call a tool it was not given): otherwise every summary failed and its turn waited out the retries.
  if ((request.tools?.length ?? 0) > 0 && toolRoundsDone(request.messages) < config.toolCalls) {
    return {
      model,
      tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '6 * 7' }) }],
      prompt_tokens: estimateTokens(prompt),
      completion_tokens: 12,
    };
  }
  const words = Array.from({ length: config.answerTokens }, (_, i) => ANSWER_WORDS[i % ANSWER_WORDS.length]);
  return {
    model,
    content: words.join(' '),
    prompt_tokens: estimateTokens(prompt),
    completion_tokens: config.answerTokens,
  };
}

let config: FakeModelConfig = { ...DEFAULT_FAKE_MODEL };
const server = startFakeModelServer({
  port: Number(process.env.PORT ?? 0),
  answer: (request) => {
    const wrong = wrongToolResult(request.messages);
    if (wrong !== undefined)
      return { status: 400, message: `a tool result is not the calculator's answer to 6 * 7: ${wrong.slice(0, 100)}` };
    return {
      reply: replyFor(config, request),
      delayMs: config.latencyMs,
      chunkDelayMs: config.tokensPerSecond > 0 ? 1000 / config.tokensPerSecond : 0,
    };
  },
  configure: (body) => {
    config = { ...config, ...body };
    return config;
  },
});
announceReady(server.then(({ baseUrl }) => baseUrl));
