import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, sendJson } from '../http/json-http';
import { OFFLINE_MODEL_NAME } from './model-list';
import { completionJson, estimateTokens, writeCompletionStream, type CompletionReply } from './chat-completion-encoder';
import { decideOfflineReply, type OfflineMessage } from './offline-rules';

/**
 * The built-in offline model: a small OpenAI-compatible HTTP server (Chat Completions, JSON and
 * streaming, tool calls) so the service runs end to end with no API key, through the same
 * openai SDK path as a real provider.
 */
export interface OfflineModelServer {
  baseUrl: string;
  close(): Promise<void>;
}

interface CompletionRequest {
  model?: string;
  messages?: OfflineMessage[];
  tools?: Array<{ function?: { name?: string } }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

async function handleCompletion(body: CompletionRequest, res: http.ServerResponse): Promise<void> {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const toolNames = new Set((body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => !!n));
  const decision = decideOfflineReply(messages, toolNames);
  const promptTokens = estimateTokens(JSON.stringify(messages));
  const reply: CompletionReply =
    decision.kind === 'text'
      ? {
          model: OFFLINE_MODEL_NAME,
          content: decision.content,
          prompt_tokens: promptTokens,
          completion_tokens: estimateTokens(decision.content),
        }
      : {
          model: OFFLINE_MODEL_NAME,
          tool_calls: decision.calls.map((c) => ({ name: c.name, arguments: JSON.stringify(c.arguments) })),
          prompt_tokens: promptTokens,
          completion_tokens: 10,
        };
  if (body.stream) {
    await writeCompletionStream(res, reply, { includeUsage: !!body.stream_options?.include_usage, chunkDelayMs: 5 });
  } else {
    sendJson(res, 200, completionJson(reply));
  }
}

export async function startOfflineModelServer(port = 0, host = '127.0.0.1'): Promise<OfflineModelServer> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('/models')) {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: OFFLINE_MODEL_NAME, object: 'model', owned_by: 'durable-chat-agent' }],
      });
      return;
    }
    if (req.method !== 'POST' || !url.endsWith('/chat/completions')) {
      sendJson(res, 404, { error: { message: `No route ${req.method} ${url}`, type: 'not_found' } });
      return;
    }
    readJsonBody(req)
      .then((body) => handleCompletion(body as CompletionRequest, res))
      .catch((err: Error) => {
        if (!res.headersSent) sendJson(res, 400, { error: { message: err.message, type: 'invalid_request_error' } });
        else res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${bound}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
