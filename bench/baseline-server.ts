import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { calculate } from '../src/tools/calculator';
import { announceReady } from './child-process';

/**
 * The direct baseline: a plain Koa handler calling the same fake model through the openai SDK
 * (streaming, tools, no Temporal, no Redis, no archive). What our server costs is measured
 * against this. Runs as its own process, like our API, and prints its URL.
 */
const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'calculator',
      description: 'Evaluates an arithmetic expression.',
      parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    },
  },
];

interface Turn {
  content: string;
  tools_used: string[];
}

/** The same loop our workflow runs (model → tools → model), in process, streaming each answer. */
async function runTurn(client: OpenAI, message: string, onToken?: (piece: string) => void): Promise<Turn> {
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: message },
  ];
  const toolsUsed: string[] = [];
  for (let step = 0; step < 6; step++) {
    const stream = await client.chat.completions.create({
      model: 'bench-model',
      messages,
      tools: TOOLS,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta?.content) {
        content += choice.delta.content;
        onToken?.(choice.delta.content);
      }
      for (const d of choice.delta?.tool_calls ?? []) {
        const call = calls.get(d.index) ?? { id: '', name: '', arguments: '' };
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name += d.function.name;
        if (d.function?.arguments) call.arguments += d.function.arguments;
        calls.set(d.index, call);
      }
    }
    if (calls.size === 0) return { content, tools_used: toolsUsed };
    const list = [...calls.values()];
    messages.push({
      role: 'assistant',
      content: content || null,
      tool_calls: list.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    });
    for (const call of list) {
      toolsUsed.push(call.name);
      const { expression } = JSON.parse(call.arguments) as { expression: string };
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        content: JSON.stringify({ expression, result: await calculate(expression) }),
      });
    }
  }
  return { content: 'step limit', tools_used: toolsUsed };
}

async function startBaselineServer(modelBaseUrl: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const client = new OpenAI({ baseURL: modelBaseUrl, apiKey: 'bench', maxRetries: 0 });
  const history = new Map<string, unknown[]>();
  const router = new Router();
  router.post('/chat', async (ctx) => {
    const { message } = ctx.request.body as { message: string };
    const turn = await runTurn(client, message);
    ctx.body = { response: turn.content, tools_used: turn.tools_used };
  });
  router.post('/chat/stream', async (ctx) => {
    const { message } = ctx.request.body as { message: string };
    ctx.respond = false;
    ctx.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    ctx.res.write(`event: metadata\ndata: {}\n\n`);
    await runTurn(client, message, (piece) =>
      ctx.res.write(`event: message\ndata: ${JSON.stringify({ content: piece })}\n\n`),
    );
    ctx.res.end(`event: done\ndata: {}\n\n`);
  });
  /** Serves a stored copy of the same history document our API returns (framework cost only). */
  router.put('/history/:id', (ctx) => {
    history.set(ctx.params.id, (ctx.request.body as { messages: unknown[] }).messages);
    ctx.status = 204;
  });
  router.get('/history/:id', (ctx) => {
    ctx.body = { session_id: ctx.params.id, messages: history.get(ctx.params.id) ?? [] };
  });
  const app = new Koa();
  app.use(bodyParser({ jsonLimit: '5mb' }));
  app.use(router.routes());
  const handle = app.callback();
  // Koa's handler settles every request itself (errors become a 500 through ctx.onerror), so its promise never rejects.
  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const modelBaseUrl = process.env.MODEL_BASE_URL;
if (!modelBaseUrl) throw new Error('MODEL_BASE_URL is required');
announceReady(startBaselineServer(modelBaseUrl, Number(process.env.PORT ?? 0)).then(({ url }) => url));
