import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionJson, estimateTokens, writeCompletionStream, type ScriptedToolCall } from '../../src/llm/chat-completion-encoder';
import { readJsonBody, sendJson } from '../../src/http/json-http';

/**
 * A scripted OpenAI-compatible model for tests: each request gets the next reply from the
 * script (or from a function of the request). Replies can stream text, call tools, or fail on
 * cue (HTTP status, Retry-After, a delay, a dropped stream, a broken body).
 */
export interface FakeReply {
  content?: string;
  tool_calls?: ScriptedToolCall[];
  /** Fail with this HTTP status and `error` as the message. */
  status?: number;
  error?: string;
  headers?: Record<string, string>;
  /** Wait before answering (a slow model or, past the client timeout, a timeout). */
  delayMs?: number;
  chunkDelayMs?: number;
  dropAfterChunks?: number;
  /** Send this as the body verbatim (malformed JSON or SSE). */
  rawBody?: string;
}

export interface RecordedRequest {
  body: {
    model: string;
    messages: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
    tools?: Array<{ function: { name: string } }>;
    stream?: boolean;
    temperature?: number;
    max_tokens?: number;
  };
  headers: http.IncomingHttpHeaders;
  /** When the request arrived (ms since epoch). */
  at: number;
  /** When the reply was fully written (ms since epoch); unset while it is still being sent. */
  finishedAt?: number;
}

export type FakeScript = FakeReply[] | ((request: RecordedRequest, index: number) => FakeReply);

export interface FakeOpenAiServer {
  baseUrl: string;
  requests: RecordedRequest[];
  setScript(script: FakeScript): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAiServer(initial: FakeScript): Promise<FakeOpenAiServer> {
  let script = initial;
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    readJsonBody(req)
      .then(async (body) => {
        const recorded: RecordedRequest = { body: body as RecordedRequest['body'], headers: req.headers, at: Date.now() };
        const index = requests.push(recorded) - 1;
        const reply: FakeReply | undefined = typeof script === 'function' ? script(recorded, index) : script[index];
        if (!reply) {
          sendJson(res, 500, { error: { message: `fake model: no scripted reply for request ${index}` } });
          return;
        }
        if (reply.delayMs) await sleep(reply.delayMs);
        if (reply.rawBody !== undefined) {
          res.writeHead(200, { 'content-type': recorded.body.stream ? 'text/event-stream' : 'application/json' });
          res.end(reply.rawBody);
          return;
        }
        if (reply.status && reply.status >= 400) {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(JSON.stringify({ error: { message: reply.error ?? `HTTP ${reply.status}`, code: reply.status } }));
          return;
        }
        const completion = {
          model: recorded.body.model,
          content: reply.content,
          tool_calls: reply.tool_calls,
          prompt_tokens: estimateTokens(JSON.stringify(recorded.body.messages)),
          completion_tokens: estimateTokens(reply.content ?? JSON.stringify(reply.tool_calls ?? [])),
        };
        if (recorded.body.stream) {
          await writeCompletionStream(res, completion, {
            includeUsage: true,
            chunkDelayMs: reply.chunkDelayMs,
            dropAfterChunks: reply.dropAfterChunks,
          });
        } else {
          sendJson(res, 200, completionJson(completion));
        }
        recorded.finishedAt = Date.now();
      })
      .catch((err: Error) => {
        if (!res.headersSent) sendJson(res, 400, { error: { message: err.message } });
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setScript(next) {
      script = next;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A model that calls the calculator for "calculate …" and answers from the tool result. */
export function calculatorScript(request: RecordedRequest): FakeReply {
  const messages = request.body.messages;
  const last = messages[messages.length - 1];
  if (last.role === 'tool') {
    const parsed = JSON.parse(last.content ?? '{}') as { result?: unknown; error?: string };
    return { content: parsed.error ? `The calculator failed: ${parsed.error}` : `The answer is ${String(parsed.result)}.` };
  }
  const match = /calculate\s+(.+)$/i.exec(last.content ?? '');
  if (match && request.body.tools?.some((t) => t.function.name === 'calculator')) {
    return { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: match[1] }) }] };
  }
  return { content: `You said: ${last.content}` };
}
