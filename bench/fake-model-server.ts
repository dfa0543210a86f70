import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionJson, estimateTokens, writeCompletionStream, type CompletionReply } from '../src/llm/chat-completion-encoder';
import { readJsonBody, sendJson } from '../src/llm/offline-model-server';
import { DEFAULT_FAKE_MODEL, type FakeModelConfig } from './fake-model-config';

/**
 * The bench's OpenAI-compatible model: fixed latency, a token rate and a number of tool-call
 * rounds, so both our stack and the direct baseline wait on exactly the same model.
 * Runs as its own process (`node --import tsx bench/fake-model-server.ts`), printing its URL.
 */
interface RequestBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: string | null }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ANSWER_WORDS = 'the quick brown fox jumps over the lazy dog while a model streams its answer word by word'.split(' ');

/** Tool rounds already done in this turn: tool results after the last user message. */
function toolRoundsDone(messages: RequestBody['messages'] = []): number {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i].role !== 'user'; i--) if (messages[i].role === 'assistant') rounds++;
  return rounds;
}

export function replyFor(config: FakeModelConfig, body: RequestBody): CompletionReply {
  const prompt = (body.messages ?? []).map((m) => m.content ?? '').join(' ');
  const model = body.model ?? 'bench-model';
  if (toolRoundsDone(body.messages) < config.toolCalls) {
    return { model, tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '6 * 7' }) }], prompt_tokens: estimateTokens(prompt), completion_tokens: 12 };
  }
  const words = Array.from({ length: config.answerTokens }, (_, i) => ANSWER_WORDS[i % ANSWER_WORDS.length]);
  const content = words.join(' ');
  return { model, content, prompt_tokens: estimateTokens(prompt), completion_tokens: config.answerTokens };
}

export async function startFakeModelServer(port = 0): Promise<{ baseUrl: string; close(): Promise<void> }> {
  let config: FakeModelConfig = { ...DEFAULT_FAKE_MODEL };
  const server = http.createServer((req, res) => {
    readJsonBody(req)
      .then(async (raw) => {
        const body = (raw ?? {}) as RequestBody & Partial<FakeModelConfig>;
        if (req.url === '/__config') {
          config = { ...config, ...body };
          return sendJson(res, 200, config);
        }
        if (!req.url?.endsWith('/chat/completions')) return sendJson(res, 404, { error: { message: 'not found' } });
        const reply = replyFor(config, body);
        if (config.latencyMs > 0) await sleep(config.latencyMs);
        if (!body.stream) return sendJson(res, 200, completionJson(reply));
        const chunkDelayMs = config.tokensPerSecond > 0 ? 1000 / config.tokensPerSecond : 0;
        await writeCompletionStream(res, reply, { includeUsage: true, chunkDelayMs });
      })
      .catch((err: Error) => sendJson(res, 500, { error: { message: err.message } }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  startFakeModelServer(Number(process.env.PORT ?? 0)).then(({ baseUrl }) => process.stdout.write(`READY ${baseUrl}\n`));
}
