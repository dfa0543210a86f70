import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, sendJson } from '../src/http/json-http';
import { completionJson, writeCompletionStream, type CompletionReply } from '../src/llm/chat-completion-encoder';

/** A Chat Completions request, as far as a fake model reads it. */
export interface FakeModelRequest {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: string | null }>;
  tools?: Array<{ function?: { name?: string } }>;
}

/** How a fake model answers one request: a completion (after `delayMs`, streamed one chunk per `chunkDelayMs`), or an HTTP error. */
export type FakeModelAnswer =
  { reply: CompletionReply; delayMs?: number; chunkDelayMs?: number } | { status: number; message: string };

export interface FakeModelServerOptions {
  answer: (request: FakeModelRequest) => FakeModelAnswer;
  /** Receives the body of `POST /__config` and answers with what it returns: how a long-lived fake is re-scripted between runs. */
  configure?: (body: Record<string, unknown>) => unknown;
  port?: number;
}

export interface FakeModelServer {
  baseUrl: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An OpenAI-compatible model for the bench and the fixture recorder, speaking through the same
 * encoder as the built-in offline model, so the openai SDK parses it exactly like a provider.
 */
export async function startFakeModelServer(options: FakeModelServerOptions): Promise<FakeModelServer> {
  const server = http.createServer((req, res) => {
    readJsonBody(req)
      .then(async (raw) => {
        const body = (raw ?? {}) as Record<string, unknown>;
        if (req.url === '/__config' && options.configure) return sendJson(res, 200, options.configure(body));
        if (!req.url?.endsWith('/chat/completions')) return sendJson(res, 404, { error: { message: 'not found' } });
        const request = body as FakeModelRequest;
        const answer = options.answer(request);
        if ('status' in answer)
          return sendJson(res, answer.status, { error: { message: answer.message, code: answer.status } });
        if (answer.delayMs) await sleep(answer.delayMs);
        if (!request.stream) return sendJson(res, 200, completionJson(answer.reply));
        await writeCompletionStream(res, answer.reply, { includeUsage: true, chunkDelayMs: answer.chunkDelayMs });
      })
      .catch((err: Error) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: err.message } });
      });
  });
  // Idle connections stay open a minute, so pooled client connections are reused instead of racing a server-side close.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
