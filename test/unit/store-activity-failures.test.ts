import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { z } from 'zod';
import { createActivities, type ActivityDeps } from '../../activities';
import type { ArchiveTurnInput } from '../../src/contract/activity-io';
import { STORE_BUG_FAILURE_TYPES } from '../../src/contract/store-failure';
import { createKnex } from '../../src/store/knex';
import { ChatHistoryStore } from '../../src/store/chat-history-store';
import { SessionRecordStore } from '../../src/store/session-record-store';

const SESSION_ID = '00000000-0000-4000-8000-000000000001';

const archiveInput: ArchiveTurnInput = {
  result: {
    session_id: SESSION_ID,
    turn_id: 'turn-1',
    status: 'completed',
    response: 'hi',
    steps: 1,
    model_used: 'm',
    tokens_used: 1,
    prompt_tokens: 1,
    completion_tokens: 0,
    cost: 0,
    usage_estimated: false,
    tool_calls: [],
    created_at: new Date().toISOString(),
  } as unknown as ArchiveTurnInput['result'],
  user_message: 'hello',
  metadata: {},
  session: { owner: 'tester', created_at: new Date().toISOString(), title: null },
};

/** Only the parts a store activity touches; the rest is never called. */
function depsWith(parts: Partial<ActivityDeps>): ActivityDeps {
  return { tools: { all: () => [] }, ...parts } as unknown as ActivityDeps;
}

/** A store activity fails for good only for a bug (declared in src/contract/store-failure.ts); an outage is retried. */
describe('store activities: which failures are retried', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(':memory:'); // no migrations: every table is missing
  });
  afterAll(() => knex.destroy());

  it('when the archive table is missing then archiveTurn fails non-retryably with the schema error type', async () => {
    const activities = createActivities(
      depsWith({
        history: new ChatHistoryStore(knex),
        sessionRecords: new SessionRecordStore(knex),
        // The archiving marker (Redis) is set first; it succeeds here.
        snapshots: { markArchiving: () => Promise.resolve() } as unknown as ActivityDeps['snapshots'],
      }),
    );
    const failure = await activities.archiveTurn(archiveInput).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: STORE_BUG_FAILURE_TYPES.schema, nonRetryable: true });
  });

  it('when a payload fails its zod schema then publishEvents fails non-retryably with the invalid-payload type', async () => {
    const events = { append: () => Promise.resolve().then(() => z.object({ a: z.string() }).parse({})) };
    const activities = createActivities(depsWith({ events } as unknown as Partial<ActivityDeps>));
    const failure = await activities.publishEvents({ session_id: SESSION_ID, events: [] }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: STORE_BUG_FAILURE_TYPES.invalidPayload, nonRetryable: true });
  });

  it('when Redis refuses the connection then mirrorSession rethrows the error as is (retried)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const snapshots = { put: () => Promise.reject(refused), clearLive: () => Promise.resolve() };
    const events = { append: () => Promise.resolve() };
    const activities = createActivities(depsWith({ snapshots, events } as unknown as Partial<ActivityDeps>));
    const snapshot = { session_id: SESSION_ID } as Parameters<typeof activities.mirrorSession>[0]['snapshot'];
    await expect(activities.mirrorSession({ snapshot, events: [] })).rejects.toBe(refused);
  });
});
