import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { createToolActivities, DYNAMIC_TOOL_ACTIVITY } from '../../activities/tool-activities';
import type { ToolInput, ToolResult } from '../../src/contract/activity-io';
import { RedisKeys } from '../../src/store/redis';
import { SessionEventStream } from '../../src/store/session-event-stream';
import { ToolRunLedger } from '../../src/store/tool-run-ledger';
import { parseMcpServers } from '../../src/tools/mcp/mcp-server-config';
import { McpToolHub } from '../../src/tools/mcp/mcp-tool-hub';
import { ToolRegistry } from '../../src/tools/registry';
import { filesystemStdio, memoryStdio } from '../helpers/mcp-servers';
import { waitFor } from '../helpers/wait-for';
import { dropTestKeys } from '../helpers/redis-test-keys';
import { activityTestEnv } from '../helpers/activity-test-env';

/**
 * Non-idempotent MCP tools at the activity level (the turn-level write waits for approval): they
 * run at most once per call through the tool-run ledger, also when the server dies mid-call.
 */
jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-act-fs-'));
const memoryFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-act-mem-')), 'memory.jsonl');
let redis: Redis;
let keys: RedisKeys;
let hub: McpToolHub;
let activities: ReturnType<typeof createToolActivities>;

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL as string);
  keys = new RedisKeys(`test:mcp-act:${randomUUID().slice(0, 8)}:`);
  const registry = new ToolRegistry([]);
  const servers = parseMcpServers(
    JSON.stringify({ fs: filesystemStdio(dir), mem: { ...memoryStdio(memoryFile), timeout_seconds: 5 } }),
    'test',
  );
  hub = new McpToolHub(servers, registry, { maxResultChars: 4000, logger: pino({ level: 'silent' }) });
  await hub.start();
  activities = createToolActivities(
    registry,
    new SessionEventStream(redis, keys, 100, 60),
    undefined,
    new ToolRunLedger(redis, keys, 60),
  );
});
afterAll(async () => {
  await hub?.close();
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

/** Runs `tool` through the worker's dynamic activity, as a tool that appeared after start would. */
function runAs(tool: string, callId: string, args: unknown, attempt = 1): Promise<ToolResult> {
  const env = activityTestEnv({ activityType: tool, attempt });
  const input: ToolInput = { session_id: 's1', turn_id: 't1', call_id: callId, arguments: JSON.stringify(args) };
  return env.run(activities[DYNAMIC_TOOL_ACTIVITY], input);
}

const pidOf = (server: string, not?: number) =>
  waitFor(() => hub.status().find((s) => s.server === server && s.state === 'connected' && s.pid !== not)?.pid, {
    what: `${server} connected`,
  });

describe('non-idempotent MCP tools through the tool-run ledger (real servers, real Redis)', () => {
  it('when write_file (annotated idempotent) runs then the file appears with the content', async () => {
    const file = path.join(dir, 'todo.txt');
    const result = await runAs('fs__write_file', 'w1', { path: file, content: 'buy milk' });
    expect(result.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('buy milk');
  });

  it('when move_file (not idempotent) is retried after it ran then the recorded result comes back and it does not run again', async () => {
    const from = path.join(dir, 'a.txt');
    const to = path.join(dir, 'b.txt');
    await runAs('fs__write_file', 'w3', { path: from, content: 'moving' });
    const first = await runAs('fs__move_file', 'mv1', { source: from, destination: to });
    expect(first.ok).toBe(true);
    // Run again, the move would fail (the source is gone): the ledger answers instead.
    const retry = await runAs('fs__move_file', 'mv1', { source: from, destination: to }, 2);
    expect(retry).toMatchObject({ ok: true, content: first.content, replayed: true });
    expect(readFileSync(to, 'utf8')).toBe('moving');
  });

  it('when write_file targets a path outside the allowed directory then it is a tool error and no file appears', async () => {
    const outside = path.join(tmpdir(), `mcp-outside-${randomUUID()}.txt`);
    const result = await runAs('fs__write_file', 'w2', { path: outside, content: 'x' });
    expect(result.ok).toBe(false);
    expect(existsSync(outside)).toBe(false);
  });

  it('when create_entities runs then read_graph shows the new entity', async () => {
    const created = await runAs('mem__create_entities', 'm1', {
      entities: [{ name: 'Alice', entityType: 'person', observations: ['likes tea'] }],
    });
    expect(created.ok).toBe(true);
    const graph = await runAs('mem__read_graph', 'm2', {});
    expect(JSON.parse(graph.content)).toMatchObject({
      structured_content: { entities: [{ name: 'Alice', observations: ['likes tea'] }] },
    });
  });

  it('when the server dies mid-call then the non-idempotent call is an error, a retry does not run it, and the server is restarted', async () => {
    const pid = await pidOf('mem');
    // Stopped, the server takes the request but cannot answer; killed, the call is in flight.
    process.kill(pid, 'SIGSTOP');
    const call = runAs('mem__create_entities', 'm3', {
      entities: [{ name: 'Bob', entityType: 'person', observations: [] }],
    });
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid, 'SIGKILL');
    const result = await call;
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('connection lost') as unknown });
    const retry = await runAs('mem__create_entities', 'm3', { entities: [] }, 2);
    expect(retry).toMatchObject({ ok: false, content: result.content, replayed: true });
    expect(await pidOf('mem', pid)).not.toBe(pid);
  });
});
