import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  completionObject,
  errorBody,
  strictRequestProblem,
  streamEvents,
  usageFor,
  type WireReply,
  type WireUsage,
} from './chat-completions-wire';
import { embeddingsAnswer } from './fake-embeddings';

/**
 * A scripted OpenAI-compatible model for tests: each request gets the next reply from the
 * script (or from a function of the request). Replies can stream text, call tools, or fail on
 * cue (HTTP status, Retry-After, a delay, a dropped stream, a broken body), and a stream can be
 * held open until the test releases it. It speaks the wire format through its own encoding
 * (./chat-completions-wire, not the product's encoder) and, like a strict provider, answers 400
 * to a request with orphaned tool calls or tool results.
 */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: string;
}

export interface FakeReply {
  content?: string;
  tool_calls?: FakeToolCall[];
  /** Fail with this HTTP status and `error` as the message. */
  status?: number;
  error?: string;
  headers?: Record<string, string>;
  /** Wait before answering (a slow model or, past the client timeout, a timeout). */
  delayMs?: number;
  chunkDelayMs?: number;
  dropAfterChunks?: number;
  /** Streaming only: after this many content chunks, keep the stream open until `until` settles. */
  hold?: { afterChunks: number; until: Promise<unknown> };
  /** Send this as the body verbatim (malformed JSON or SSE). */
  rawBody?: string;
}

export interface RecordedRequest {
  body: {
    model: string;
    messages: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
    tools?: Array<{ function: { name: string; parameters?: Record<string, unknown> } }>;
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    temperature?: number;
    max_tokens?: number;
  };
  headers: http.IncomingHttpHeaders;
  /** The usage this reply reported (unset for failures and raw bodies). */
  usage?: WireUsage;
  /** Content chunks written so far (streaming). */
  chunksSent: number;
  /** Whether the reply has been written completely. */
  finished: boolean;
  /** The 400 a strict provider would answer, when the request broke its rules. */
  rejected?: string;
}

export type FakeScript = FakeReply[] | ((request: RecordedRequest, index: number) => FakeReply);

export interface FakeOpenAiServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** The texts of each `/embeddings` request, in order. */
  embeddingCalls: string[][];
  setScript(script: FakeScript): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

let replies = 0;

export async function startFakeOpenAiServer(initial: FakeScript): Promise<FakeOpenAiServer> {
  let script = initial;
  const requests: RecordedRequest[] = [];
  const embeddingCalls: string[][] = [];

  const server = http.createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        if (req.url?.endsWith('/embeddings')) {
          // Deterministic vectors (fake-embeddings.ts); not recorded among the chat requests.
          const { model, input } = raw as { model: string; input: string | string[] };
          embeddingCalls.push(Array.isArray(input) ? input : [input]);
          sendJson(res, 200, embeddingsAnswer(model, input));
          return;
        }
        const body = raw as RecordedRequest['body'];
        const recorded: RecordedRequest = { body, headers: req.headers, chunksSent: 0, finished: false };
        const index = requests.push(recorded) - 1;
        const problem = strictRequestProblem(body);
        if (problem) {
          recorded.rejected = problem;
          sendJson(res, 400, errorBody(400, problem));
          recorded.finished = true;
          return;
        }
        const reply: FakeReply | undefined = typeof script === 'function' ? script(recorded, index) : script[index];
        if (!reply) {
          sendJson(res, 500, errorBody(500, `fake model: no scripted reply for request ${index}`));
          return;
        }
        if (reply.delayMs) await sleep(reply.delayMs);
        if (reply.rawBody !== undefined) {
          res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
          res.end(reply.rawBody);
          recorded.finished = true;
          return;
        }
        if (reply.status && reply.status >= 400) {
          sendJson(res, reply.status, errorBody(reply.status, reply.error ?? `HTTP ${reply.status}`), reply.headers);
          recorded.finished = true;
          return;
        }
        const n = replies++;
        const toolCalls = (reply.tool_calls ?? []).map((c, i) => ({
          id: c.id ?? `call_fake_${n}_${i}`,
          name: c.name,
          arguments: c.arguments,
        }));
        const wire: WireReply = {
          id: `chatcmpl-fake-${n}`,
          created: 1_700_000_000 + n,
          model: body.model,
          content: reply.content,
          tool_calls: toolCalls,
          usage: usageFor(body.messages, { content: reply.content, tool_calls: toolCalls }),
        };
        recorded.usage = wire.usage;
        if (body.stream !== true) {
          sendJson(res, 200, completionObject(wire));
          recorded.finished = true;
          return;
        }
        const { opening, content, closing } = streamEvents(wire, body.stream_options?.include_usage === true);
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        res.write(opening);
        for (let i = 0; i < content.length; i++) {
          if (reply.hold && i === reply.hold.afterChunks) await reply.hold.until;
          // Delay first, so chunks already written reach the client before a drop.
          if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
          if (reply.dropAfterChunks !== undefined && i >= reply.dropAfterChunks) {
            res.destroy();
            return;
          }
          if (res.destroyed) return;
          res.write(content[i]);
          recorded.chunksSent++;
        }
        if (reply.hold && reply.hold.afterChunks >= content.length) await reply.hold.until;
        if (res.destroyed) return;
        for (const event of closing) res.write(event);
        res.end();
        recorded.finished = true;
      })
      .catch((err: Error) => {
        if (!res.headersSent)
          sendJson(res, 400, errorBody(400, `We could not parse the JSON body of your request. (${err.message})`));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    embeddingCalls,
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

/** A gate a test opens when it is ready: `until` for a held reply, `release()` to let it go on. */
export function gate(): { until: Promise<void>; release(): void; released(): boolean } {
  let open = false;
  let release: () => void = () => undefined;
  const until = new Promise<void>((resolve) => (release = resolve));
  return {
    until,
    release() {
      open = true;
      release();
    },
    released: () => open,
  };
}

/** A model that calls the calculator for "calculate …" and answers from the tool result. */
export function calculatorScript(request: RecordedRequest): FakeReply {
  const messages = request.body.messages;
  const last = messages[messages.length - 1];
  if (last.role === 'tool') {
    const parsed = JSON.parse(last.content ?? '{}') as { result?: unknown; error?: string };
    return {
      content: parsed.error ? `The calculator failed: ${parsed.error}` : `The answer is ${String(parsed.result)}.`,
    };
  }
  const match = /calculate\s+(.+)$/i.exec(last.content ?? '');
  if (match && request.body.tools?.some((t) => t.function.name === 'calculator')) {
    return { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: match[1] }) }] };
  }
  return { content: `You said: ${last.content}` };
}
