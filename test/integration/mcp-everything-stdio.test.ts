import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { anyOf, containing } from '../helpers/matchers';
import type { TurnResult } from '../../src/contract/turn';
import { postJson, type CancelResult } from '../helpers/http';
import {
  callsThenEcho,
  connectedPid,
  everythingStdio,
  mcpServerView,
  tapLog,
  tappedStdio,
  toolMessages,
} from '../helpers/mcp-servers';
import { sampleValue, scrape } from '../helpers/prometheus-text';
import { useScriptedStack } from '../helpers/scripted-stack';
import { dataOf, readSse } from '../helpers/sse-client';
import { waitUntil } from '../helpers/wait-for';
import { activityRuns } from '../helpers/workflow-history';

/** server-everything (npm) over stdio: its tools as activities, errors, progress, cancel, list_changed, a killed process. */
jest.setTimeout(120_000);

const TOOL = 'trigger-long-running-operation';
const LONG = `ev__${TOOL}`;
// The same server a second time, behind a stdio tap that logs the JSON-RPC messages it forwards.
const TAP_LOG = path.join(os.tmpdir(), `mcp-tap-${process.pid}-${Date.now()}.jsonl`);
const scripted = useScriptedStack(() => ({ content: 'unused' }), {
  MCP_SERVERS: JSON.stringify({
    ev: { ...everythingStdio(), timeout_seconds: 30 },
    tap: { ...tappedStdio(everythingStdio(), TAP_LOG), timeout_seconds: 30 },
  }),
});

/** Streams a turn, cancels it 1.5 s after its first tool call starts, returns the stream's events. */
async function cancelWhileToolRuns() {
  const session = await postJson<{ session_id: string }>(scripted.stack.url('/api/chat/session'), {});
  const { events } = await readSse(
    scripted.stack.url('/api/chat/message/stream'),
    { body: { message: 'long then cancel', session_id: session.body.session_id } },
    {
      onEvent: async (e) => {
        if (e.event !== 'tool_call') return;
        await new Promise((r) => setTimeout(r, 1_500));
        const cancel = await postJson<CancelResult>(
          scripted.stack.url(`/api/chat/session/${session.body.session_id}/cancel`),
          {},
        );
        expect(cancel.status).toBe(202);
      },
    },
  );
  return events;
}

afterAll(() => rm(TAP_LOG, { force: true }));

const ask = (message: string) => postJson<TurnResult>(scripted.stack.url('/api/chat/message'), { message });

describe('MCP server-everything over stdio (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when the model calls echo and get-sum then each runs as its own activity and the results reach the model', async () => {
    scripted.model.setScript(
      callsThenEcho([
        { id: 'c-echo', name: 'ev__echo', arguments: '{"message":"hello mcp"}' },
        { id: 'c-sum', name: 'ev__get-sum', arguments: '{"a":2,"b":40}' },
      ]),
    );
    const reply = await ask('echo and add');
    expect(reply.status).toBe(200);
    const offered = scripted.model.requests[0].body.tools?.find((t) => t.function.name === 'ev__echo');
    expect(offered?.function.parameters).toMatchObject({
      type: 'object',
      properties: { message: { type: 'string', description: 'Message to echo' } },
      required: ['message'],
    });
    const results = toolMessages(scripted.model.requests[1]).map(
      (m) => JSON.parse(m.content ?? '{}') as { text?: string },
    );
    expect(results.map((r) => r.text)).toEqual(['Echo: hello mcp', 'The sum of 2 and 40 is 42.']);
    const types = (await activityRuns(scripted.stack.client, reply.body.session_id)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['ev__echo', 'ev__get-sum']));
  });

  it('when the server rejects the arguments then the model sees a tool error and the turn completes', async () => {
    scripted.model.setScript(callsThenEcho([{ id: 'c-bad', name: 'ev__get-sum', arguments: '{"a":"two"}' }]));
    const reply = await ask('add badly');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('completed');
    const [result] = toolMessages(scripted.model.requests[1]);
    expect(JSON.parse(result.content ?? '{}')).toMatchObject({ error: containing('validation') });
  });

  it('when an image comes back then the model gets a short reference, not the bytes', async () => {
    scripted.model.setScript(callsThenEcho([{ id: 'c-img', name: 'ev__get-tiny-image', arguments: '{}' }]));
    expect((await ask('image')).status).toBe(200);
    const [result] = toolMessages(scripted.model.requests[1]);
    expect(JSON.parse(result.content ?? '{}')).toMatchObject({
      attachments: [{ type: 'image', mime_type: 'image/png', size: anyOf(Number) }],
    });
    expect(result.content?.length).toBeLessThan(500);
  });

  it('when a long-running tool reports progress past the heartbeat timeout then its heartbeats keep it alive', async () => {
    scripted.model.setScript(callsThenEcho([{ id: 'c-long', name: LONG, arguments: '{"duration":7,"steps":7}' }]));
    const reply = await ask('run long');
    expect(reply.status).toBe(200);
    const [result] = toolMessages(scripted.model.requests[1]);
    expect(result.content).toContain('Long running operation completed. Duration: 7 seconds');
    const run = (await activityRuns(scripted.stack.client, reply.body.session_id)).find((r) => r.type === LONG);
    expect(run?.attempt).toBe(1);
  });

  it('when the turn is cancelled mid-run then the MCP call is cancelled and the turn ends at once', async () => {
    scripted.model.setScript(callsThenEcho([{ id: 'c-cancel', name: LONG, arguments: '{"duration":30,"steps":30}' }]));
    const metric = { server: 'ev', tool: TOOL, outcome: 'cancelled' };
    const before = sampleValue(await scrape(scripted.stack.url('/metrics')), 'chat_mcp_calls_total', metric);
    const started = Date.now();
    const events = await cancelWhileToolRuns();
    expect(dataOf(events[events.length - 1], 'cancelled').status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(20_000);
    await waitUntil(
      async () => sampleValue(await scrape(scripted.stack.url('/metrics')), 'chat_mcp_calls_total', metric),
      (n) => n === before + 1,
      // At once, not when the 30 s run would have ended: the SDK call was aborted.
      { what: 'a cancelled MCP call counted', timeoutMs: 5_000 },
    );
  });

  it('when the turn is cancelled mid-run then the server receives notifications/cancelled for that tools/call', async () => {
    const args = '{"duration":30,"steps":30}';
    scripted.model.setScript(callsThenEcho([{ id: 'c-tap', name: `tap__${TOOL}`, arguments: args }]));
    await cancelWhileToolRuns();
    const sent = await waitUntil(
      async () => (await tapLog(TAP_LOG)).filter((m) => m.to === 'server').map((m) => m.message),
      (messages) => messages.some((m) => m.method === 'notifications/cancelled'),
      { what: 'notifications/cancelled on the wire to the server', timeoutMs: 5_000 },
    );
    const call = sent.find((m) => m.method === 'tools/call' && m.params?.name === TOOL);
    expect(call?.id).toBeDefined();
    const cancelled = sent.filter((m) => m.method === 'notifications/cancelled').map((m) => m.params?.requestId);
    expect(cancelled).toEqual([call?.id]);
  });

  it('when the server sends tools/list_changed then the worker refreshes its tool list', async () => {
    // server-everything registers its client-dependent tools after initialization and announces them.
    const view = await waitUntil(
      () => mcpServerView(scripted.stack, 'ev'),
      (v) => (v?.list_changed ?? 0) >= 1,
      { what: 'a list_changed refresh' },
    );
    expect(view?.tools).toBeGreaterThanOrEqual(12);
  });

  it('when the server process is killed mid-call then it is restarted and the idempotent call is retried', async () => {
    const pid = await connectedPid(scripted.stack, 'ev');
    scripted.model.setScript(callsThenEcho([{ id: 'c-kill', name: LONG, arguments: '{"duration":4,"steps":4}' }]));
    const session = await postJson<{ session_id: string }>(scripted.stack.url('/api/chat/session'), {});
    const { events } = await readSse(
      scripted.stack.url('/api/chat/message/stream'),
      { body: { message: 'long then kill', session_id: session.body.session_id } },
      {
        onEvent: async (e) => {
          if (e.event !== 'tool_call') return;
          await new Promise((r) => setTimeout(r, 1_500));
          process.kill(pid, 'SIGKILL');
        },
      },
    );
    expect(events[events.length - 1].event).toBe('done');
    const run = (await activityRuns(scripted.stack.client, session.body.session_id)).find((r) => r.type === LONG);
    expect(run?.attempt).toBe(2);
    expect(run?.lastFailure?.message).toContain('connection lost');
    expect(JSON.stringify(run?.result)).toContain('Long running operation completed');
    expect(await connectedPid(scripted.stack, 'ev')).not.toBe(pid);
  });
});
