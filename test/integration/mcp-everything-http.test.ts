import { anyOf, matching } from '../helpers/matchers';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { getJson, postJson, type Health } from '../helpers/http';
import {
  callsThenEcho,
  freePort,
  startEverythingHttp,
  toolMessages,
  type HttpEverything,
} from '../helpers/mcp-servers';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitUntil } from '../helpers/wait-for';
import { activityRuns } from '../helpers/workflow-history';

/**
 * server-everything (npm) over Streamable HTTP. The worker starts before the server, so its tools
 * appear after the worker registered its activities and run through the dynamic `default` activity.
 */
jest.setTimeout(120_000);

let model: FakeOpenAiServer;
let stack: TestStack;
let server: HttpEverything | undefined;
let port: number;

beforeAll(async () => {
  port = await freePort();
  model = await startFakeOpenAiServer([]);
  stack = await startTestStack({
    llmBaseUrl: model.baseUrl,
    env: { MCP_SERVERS: JSON.stringify({ remote: { url: `http://127.0.0.1:${port}/mcp`, timeout_seconds: 20 } }) },
  });
});
afterAll(async () => {
  await stack?.stop();
  await model?.close();
  await server?.stop();
});

const ask = (message: string) => postJson<TurnResult>(stack.url('/api/chat/message'), { message });
const mcpHealth = async () => (await getJson<Health>(stack.url('/health'))).body.checks.mcp;
const remoteState = async () => (await mcpHealth())?.servers.find((s) => s.server === 'remote')?.state;

describe('MCP server-everything over Streamable HTTP (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when the server is not up yet then /health reports it down and the service stays ok', async () => {
    const health = await getJson<Health>(stack.url('/health'));
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.checks.mcp).toEqual({
      ok: false,
      servers: [{ server: 'remote', state: matching(/down|connecting/), tools: 0, workers: 1 }],
    });
  });

  it('when the server comes up then its tools appear and run as their own activity types', async () => {
    server = await startEverythingHttp(port);
    await waitUntil(remoteState, (s) => s === 'connected', { what: 'remote connected', timeoutMs: 30_000 });
    expect(await mcpHealth()).toMatchObject({ ok: true, servers: [{ state: 'connected', tools: anyOf(Number) }] });
    model.setScript(
      callsThenEcho([
        { id: 'h-echo', name: 'remote__echo', arguments: '{"message":"over http"}' },
        { id: 'h-sum', name: 'remote__get-sum', arguments: '{"a":1,"b":2}' },
      ]),
    );
    const reply = await ask('echo over http');
    expect(reply.status).toBe(200);
    expect(model.requests[0].body.tools?.map((t) => t.function.name)).toEqual(
      expect.arrayContaining(['remote__echo', 'remote__get-sum']),
    );
    const results = toolMessages(model.requests[1]).map((m) => JSON.parse(m.content ?? '{}') as { text?: string });
    expect(results.map((r) => r.text)).toEqual(['Echo: over http', 'The sum of 1 and 2 is 3.']);
    const types = (await activityRuns(stack.client, reply.body.session_id)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['remote__echo', 'remote__get-sum']));
  });

  it('when a tool returns structured content then the model gets it beside the text', async () => {
    model.setScript(
      callsThenEcho([{ id: 'h-struct', name: 'remote__get-structured-content', arguments: '{"location":"Chicago"}' }]),
    );
    expect((await ask('structured')).status).toBe(200);
    const [result] = toolMessages(model.requests[1]);
    expect(JSON.parse(result.content ?? '{}')).toMatchObject({
      structured_content: { temperature: anyOf(Number), conditions: anyOf(String) },
    });
  });

  it('when a long-running tool runs over HTTP then its progress run completes', async () => {
    model.setScript(
      callsThenEcho([
        { id: 'h-long', name: 'remote__trigger-long-running-operation', arguments: '{"duration":2,"steps":4}' },
      ]),
    );
    expect((await ask('long over http')).status).toBe(200);
    expect(toolMessages(model.requests[1])[0].content).toContain('Long running operation completed');
  });

  it('when the server goes down then a call becomes a tool error the model sees and /health says down', async () => {
    await server?.stop();
    model.setScript(callsThenEcho([{ id: 'h-down', name: 'remote__echo', arguments: '{"message":"anyone?"}' }]));
    const reply = await ask('echo to nobody');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('completed');
    const [result] = toolMessages(model.requests[1]);
    expect(JSON.parse(result.content ?? '{}')).toMatchObject({ error: matching(/remote/) });
    await waitUntil(remoteState, (s) => s !== 'connected', { what: 'remote reported down' });
    expect((await getJson<Health>(stack.url('/health'))).body.status).toBe('ok');
  });
});
