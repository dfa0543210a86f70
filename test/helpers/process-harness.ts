import fs from 'node:fs';
import Redis from 'ioredis';
import type { Knex } from 'knex';
import type { StoredSessionEvent } from '../../src/contract/event-catalog';
import { createKnex } from '../../src/store/knex';
import { parseEntry } from '../../src/store/session-event-stream';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from './fake-openai-server';
import { killHard, processStackEnv, type ProcessStackEnv, type RoleProcess } from './process-stack';
import { waitUntil } from './wait-for';
import { postJson, type SessionCreated } from './http';

export type HarnessStack = ProcessStackEnv & { knex: () => Knex };

/**
 * Shared scaffolding of the real-process tests (crash safety, graceful shutdown): registers
 * Jest hooks that kill leftover processes and clean each stack's Redis keys, SQLite file and
 * model server after every test, plus readers of a stack's event stream and archive.
 */
export function useProcessHarness() {
  let redis: Redis;
  const processes: RoleProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL as string);
  });
  afterEach(async () => {
    for (const proc of processes.splice(0)) await killHard(proc);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** The session's stream as catalog events; an entry that is not one fails the test. */
  async function sessionEvents(prefix: string, sessionId: string): Promise<StoredSessionEvent[]> {
    const entries = await redis.xrange(`${prefix}session:${sessionId}:events`, '-', '+');
    return entries.map(([id, fields]) => {
      const event = parseEntry(fields);
      if (!event) throw new Error(`stream entry ${id} is not a catalog event: ${JSON.stringify(fields)}`);
      return { ...event, id };
    });
  }

  return {
    redis: () => redis,
    /** A stack's env, its archive (read directly from the SQLite file) and cleanup. */
    stack: (model: FakeOpenAiServer, overrides: Record<string, string> = {}): Promise<HarnessStack> => {
      const env = processStackEnv(model.baseUrl, overrides);
      let knex: Knex | undefined;
      cleanups.push(async () => {
        await knex?.destroy();
        const keys = await redis.keys(`${env.prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        fs.rmSync(env.dataDir, { recursive: true, force: true });
      });
      return Promise.resolve({ ...env, knex: () => (knex ??= createKnex(env.sqliteFilename)) });
    },
    fakeModel: async (script: (request: RecordedRequest, index: number) => FakeReply): Promise<FakeOpenAiServer> => {
      const model = await startFakeOpenAiServer(script);
      cleanups.push(() => model.close());
      return model;
    },
    /** Registers a process to be killed after the test. */
    track: <T extends RoleProcess>(proc: T): T => {
      processes.push(proc);
      return proc;
    },
    /** Runs after the test, in reverse order of registration. */
    onCleanup: (cleanup: () => Promise<void>): void => {
      cleanups.push(cleanup);
    },
    sessionEvents,
    archiveRows: async (env: { knex: () => Knex }, turnId: string): Promise<number> => {
      const [{ n }] = await env
        .knex()('chat_history')
        .where({ turn_id: turnId })
        .count<Array<{ n: number }>>({ n: '*' });
      return Number(n);
    },
    newSession: async (url: string): Promise<string> => {
      const created = await postJson<SessionCreated>(`${url}/api/chat/session`, {});
      expect(created.status).toBe(201);
      return created.body.session_id;
    },
    /** Waits until the model has streamed at least `count` chunks of the turn into Redis. */
    messagesStreamed: async (prefix: string, sessionId: string, count: number): Promise<void> => {
      await waitUntil(
        async () => (await sessionEvents(prefix, sessionId)).map((e) => e.type),
        (types) => types.filter((t) => t === 'message').length >= count,
        {
          timeoutMs: 120_000,
          intervalMs: 250,
          what: `${count} message events in session ${sessionId}'s stream (value: the event types so far)`,
        },
      );
    },
  };
}
