import type { ServerResponse } from 'node:http';

/**
 * Writes OpenAI Chat Completions responses (JSON or SSE chunks), shared by the built-in
 * offline model and the scripted test model so both speak exactly what the openai SDK parses.
 */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string;
}

export interface CompletionReply {
  model: string;
  content?: string;
  tool_calls?: ScriptedToolCall[];
  prompt_tokens: number;
  completion_tokens: number;
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

function toolCallsOf(reply: CompletionReply) {
  return (reply.tool_calls ?? []).map((call, index) => ({
    index,
    id: call.id ?? nextId('call'),
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
}

function usageOf(reply: CompletionReply) {
  return {
    prompt_tokens: reply.prompt_tokens,
    completion_tokens: reply.completion_tokens,
    total_tokens: reply.prompt_tokens + reply.completion_tokens,
  };
}

export function completionJson(reply: CompletionReply): Record<string, unknown> {
  const toolCalls = toolCallsOf(reply);
  return {
    id: nextId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls.length > 0 ? (reply.content ?? null) : (reply.content ?? ''),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageOf(reply),
  };
}

/** Splits text into word-sized pieces the way a model streams tokens. */
function splitIntoChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

export interface StreamOptions {
  includeUsage: boolean;
  /** Delay before each content chunk, to imitate a model's token rate. */
  chunkDelayMs?: number;
  /** Stop after this many content chunks and drop the connection (a mid-stream failure). */
  dropAfterChunks?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function writeCompletionStream(
  res: ServerResponse,
  reply: CompletionReply,
  options: StreamOptions,
): Promise<void> {
  const id = nextId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: reply.model, choices, ...extra })}\n\n`,
    );

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  const chunks = splitIntoChunks(reply.content ?? '');
  for (let i = 0; i < chunks.length; i++) {
    // Delay first, so chunks already written reach the client before a drop.
    if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
    if (options.dropAfterChunks !== undefined && i >= options.dropAfterChunks) {
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    send([{ index: 0, delta: { content: chunks[i] }, finish_reason: null }]);
  }
  const toolCalls = toolCallsOf(reply);
  if (toolCalls.length > 0) send([{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }]);
  send([{ index: 0, delta: {}, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }]);
  if (options.includeUsage) send([], { usage: usageOf(reply) });
  res.end('data: [DONE]\n\n');
}

/** Rough token estimate (≈4 characters a token) for servers that do not tokenize. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
