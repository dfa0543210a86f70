import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { z } from 'zod';
import { runTool, ToolLedgerMissingError } from '../../activities/tool-activities';
import { RedisKeys } from '../../src/store/redis';
import { ToolRunLedger } from '../../src/store/tool-run-ledger';
import { defineTool, type ToolDefinition, type ToolRunContext } from '../../src/tools/tool-definition';
import { dropTestKeys } from '../helpers/redis-test-keys';

/** The at-most-once ledger for non-idempotent tools, on the real Redis. */
describe('tool-run ledger (real Redis)', () => {
  let redis: Redis;
  let keys: RedisKeys;
  let ledger: ToolRunLedger;
  let runs: ToolRunContext[];
  let tool: ToolDefinition;

  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL as string);
  });

  beforeEach(() => {
    keys = new RedisKeys(`test:ledger:${randomUUID().slice(0, 8)}:`);
    ledger = new ToolRunLedger(redis, keys, 60);
    runs = [];
    tool = defineTool({
      name: 'send_note',
      description: 'test tool with a side effect',
      schema: z.object({ text: z.string() }),
      policy: { maximumAttempts: 3, timeoutSeconds: 5 },
      cacheable: false,
      idempotent: false,
      run({ text }, context) {
        runs.push(context as ToolRunContext);
        return Promise.resolve({ ok: true, value: { sent: text } });
      },
    });
  });

  afterEach(async () => {
    await dropTestKeys(redis, keys.prefix);
  });

  afterAll(async () => {
    await redis.quit();
  });

  const input = (callId: string) => ({ session_id: 's1', turn_id: 't1', call_id: callId, arguments: '{"text":"hi"}' });

  it('when a non-idempotent call is retried after it finished then the recorded result comes back and the side effect ran once', async () => {
    const first = await runTool(tool, input('c1'), undefined, ledger);
    const retry = await runTool(tool, input('c1'), undefined, ledger);
    expect(runs).toHaveLength(1);
    expect(runs[0].idempotency_key).toBe('t1:c1');
    expect(first).toMatchObject({ ok: true, content: JSON.stringify({ sent: 'hi' }) });
    expect(retry).toMatchObject({ ok: true, content: first.content, replayed: true });
  });

  it('when the first attempt died after claiming the call then a retry does not run it and says the outcome is unknown', async () => {
    // What a worker killed in the middle of the side effect leaves behind: a claim, no result.
    expect(await ledger.claim('t1', 'c2')).toBeUndefined();
    const retry = await runTool(tool, input('c2'), undefined, ledger);
    expect(runs).toHaveLength(0);
    expect(retry).toMatchObject({ ok: false, replayed: true });
    expect(retry.error).toMatch(/not run again/);
  });

  it('when another call id of the same turn runs then it is a separate call', async () => {
    await runTool(tool, input('c3'), undefined, ledger);
    await runTool(tool, input('c4'), undefined, ledger);
    expect(runs.map((r) => r.call_id)).toEqual(['c3', 'c4']);
  });

  it('when a non-idempotent tool has no ledger then it refuses to run', async () => {
    await expect(runTool(tool, input('c5'))).rejects.toBeInstanceOf(ToolLedgerMissingError);
    expect(runs).toHaveLength(0);
  });
});
