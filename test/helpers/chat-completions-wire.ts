/**
 * The OpenAI Chat Completions wire format, written for the tests from the API reference
 * (https://platform.openai.com/docs/api-reference/chat), independently of the product's own
 * encoder (src/llm/chat-completion-encoder), so a bug in that encoder cannot hide behind a test
 * model that speaks the same dialect. Nothing here imports from src/.
 *
 * - Non-streaming: one `chat.completion` object; `message.content` is null when the model only
 *   calls tools; `finish_reason` is `tool_calls` or `stop`; `usage` always.
 * - Streaming (`stream: true`): `data: {chat.completion.chunk}` events; the first delta carries
 *   the role; content arrives piece by piece; a tool call starts with a delta holding its index,
 *   id, type and name (arguments ""), its arguments follow in further deltas by index; a last
 *   choice delta `{}` carries the finish_reason; with `stream_options.include_usage` every chunk
 *   has `usage: null` except one extra chunk with `choices: []` and the usage; then `data: [DONE]`.
 * - Strict request checks, as strict providers make them: a tool message must answer a tool call
 *   of the assistant message right before it, and every tool call must be answered before the
 *   conversation goes on; otherwise HTTP 400 `invalid_request_error`.
 */

export interface WireToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface WireReply {
  id: string;
  created: number;
  model: string;
  content?: string;
  tool_calls?: WireToolCall[];
  usage: WireUsage;
}

/** A request message as a client sends it (only the fields the checks read). */
export interface WireRequestMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } }>;
  tool_call_id?: unknown;
}

export interface WireRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

/** Crude tokens: every word and every punctuation mark counts one (no tokenizer; independent of the product's estimate). */
export function countTokens(text: string): number {
  return (text.match(/[A-Za-z0-9_]+|[^\sA-Za-z0-9_]/g) ?? []).length;
}

export function usageFor(
  messages: unknown,
  reply: { content?: string; tool_calls?: Array<{ name: string; arguments: string }> },
): WireUsage {
  const prompt = Math.max(1, countTokens(JSON.stringify(messages ?? [])));
  const completion = Math.max(
    1,
    countTokens(reply.content ?? '') +
      (reply.tool_calls ?? []).reduce((n, c) => n + countTokens(c.name) + countTokens(c.arguments), 0),
  );
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** An OpenAI error body: `{ error: { message, type, param, code } }`. */
export function errorBody(
  status: number,
  message: string,
): { error: { message: string; type: string; param: null; code: string | null } } {
  const type =
    status === 401
      ? 'authentication_error'
      : status === 403
        ? 'permission_error'
        : status === 404
          ? 'not_found_error'
          : status === 429
            ? 'rate_limit_error'
            : status >= 500
              ? 'server_error'
              : 'invalid_request_error';
  return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

/**
 * What a strict provider refuses in a request, as the message of its 400 answer; undefined when
 * the request is acceptable.
 */
export function strictRequestProblem(request: WireRequest): string | undefined {
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    return "Invalid 'messages': expected a non-empty array.";
  if (typeof request.model !== 'string' || request.model === '') return "Missing required parameter: 'model'.";
  if (request.stream_options != null && request.stream !== true)
    return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
  const messages = request.messages as WireRequestMessage[];
  let open: Set<string> | undefined; // ids of the last assistant message's calls still unanswered
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string' || !open?.has(m.tool_call_id)) {
        return `Invalid parameter: messages[${i}]: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (tool_call_id ${JSON.stringify(m.tool_call_id)} does not answer one).`;
      }
      open.delete(m.tool_call_id);
      continue;
    }
    if (open && open.size > 0) {
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    }
    open = undefined;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      open = new Set();
      for (const [j, call] of m.tool_calls.entries()) {
        if (typeof call.id !== 'string' || call.id === '')
          return `Missing required parameter: 'messages[${i}].tool_calls[${j}].id'.`;
        if (
          call.type !== 'function' ||
          typeof call.function?.name !== 'string' ||
          typeof call.function.arguments !== 'string'
        ) {
          return `Invalid value: 'messages[${i}].tool_calls[${j}]': expected a function call with a name and string arguments.`;
        }
        open.add(call.id);
      }
    } else if (!['system', 'developer', 'user', 'assistant'].includes(m.role)) {
      return `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.`;
    }
  }
  if (open && open.size > 0) {
    return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
  }
  return undefined;
}

/** The non-streaming answer. */
export function completionObject(reply: WireReply): Record<string, unknown> {
  const calls = reply.tool_calls ?? [];
  return {
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: reply.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          refusal: null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: reply.usage,
  };
}

/** Content as a model streams it: a word with its trailing whitespace per piece. */
export function contentPieces(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((piece) => piece !== '');
}

/** Arguments split into a few pieces, as providers stream them (the client must concatenate). */
function argumentPieces(args: string): string[] {
  if (args.length <= 4) return [args];
  const size = Math.ceil(args.length / 3);
  const pieces: string[] = [];
  for (let i = 0; i < args.length; i += size) pieces.push(args.slice(i, i + size));
  return pieces;
}

/**
 * The streamed answer as SSE `data:` lines, in order, split in two: the content pieces (one
 * event each, so a test can pace, hold or drop between them) and everything after them.
 */
export function streamEvents(
  reply: WireReply,
  includeUsage: boolean,
): { opening: string; content: string[]; closing: string[] } {
  const usageField = includeUsage ? { usage: null } : {};
  const event = (choices: unknown[], extra: Record<string, unknown> = usageField) =>
    `data: ${JSON.stringify({ id: reply.id, object: 'chat.completion.chunk', created: reply.created, model: reply.model, system_fingerprint: null, choices, ...extra })}\n\n`;
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  const calls = reply.tool_calls ?? [];
  const opening = event([
    choice({ role: 'assistant', content: calls.length > 0 && !reply.content ? null : '', refusal: null }),
  ]);
  const content = contentPieces(reply.content ?? '').map((piece) => event([choice({ content: piece })]));
  const closing: string[] = [];
  calls.forEach((call, index) => {
    closing.push(
      event([
        choice({
          tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
        }),
      ]),
    );
    for (const piece of argumentPieces(call.arguments))
      closing.push(event([choice({ tool_calls: [{ index, function: { arguments: piece } }] })]));
  });
  closing.push(event([choice({}, calls.length > 0 ? 'tool_calls' : 'stop')]));
  if (includeUsage) closing.push(event([], { usage: reply.usage }));
  closing.push('data: [DONE]\n\n');
  return { opening, content, closing };
}
