import knexFactory, { type Knex } from 'knex';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type Health, type History, type SessionList } from '../helpers/http';
import { postgresSkipReason, testDatabaseUrl } from '../helpers/archive-backends';
import { freshPostgresSchema } from '../helpers/postgres-test-database';
import { useScriptedStack } from '../helpers/scripted-stack';
import { slowOrEcho } from '../helpers/slow-or-echo-script';

const runUrl = testDatabaseUrl();
const describeOnPostgres = runUrl ? describe : describe.skip;
const title = runUrl ? '' : ` (${postgresSkipReason()})`;

/** DATABASE_URL set: the whole stack (worker archive, API reads) keeps the archive in Postgres, not SQLite. */
describeOnPostgres(`the archive on Postgres (real Temporal, Redis, Postgres)${title}`, () => {
  // Filled before the stack starts (hooks run in order): a schema of its own in the run's database.
  const env: Record<string, string> = {};
  let dropSchema: () => Promise<void> = () => Promise.resolve();
  let pg: Knex;
  beforeAll(async () => {
    const schema = await freshPostgresSchema(runUrl as string);
    env.DATABASE_URL = schema.url;
    dropSchema = schema.drop;
    pg = knexFactory({ client: 'pg', connection: { connectionString: schema.url }, pool: { min: 0, max: 1 } });
  });
  const t = useScriptedStack(slowOrEcho, env);
  afterAll(async () => {
    await pg?.destroy();
    await dropSchema();
  });

  it('when a turn finishes then its row is in Postgres and the API reads history and sessions back from it', async () => {
    const turn = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'keep me in postgres' });
    expect(turn.status).toBe(200);
    const sessionId = turn.body.session_id;

    const rows = (await pg('chat_history').where({ session_id: sessionId })) as Array<{ turn_id: string }>;
    expect(rows.map((r) => r.turn_id)).toEqual([turn.body.turn_id]);
    const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
    expect(history.body.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'keep me in postgres'],
      ['assistant', 'Echo: keep me in postgres'],
    ]);
    // Times come back as the ISO strings the turn reported (timestamptz read back, not a Date).
    expect(history.body.messages[1].created_at).toBe(turn.body.created_at);
    const list = await getJson<SessionList>(t.stack.url('/api/chat/sessions?limit=5'));
    expect(list.body.sessions).toEqual([expect.objectContaining({ session_id: sessionId, turns: 1 })]);
    expect(t.stack.config.sqliteFilename).not.toBe(t.stack.config.archiveLocation);
  });

  it('when /health is asked then it names Postgres as the archive backend and not its address', async () => {
    const health = await getJson<Health>(t.stack.url('/health'));

    expect(health.body.checks.archive).toEqual({ ok: true, backend: 'postgres' });
    expect(health.body.checks).not.toHaveProperty('sqlite');
    // Where Temporal is may show (issue 16); the archive's address and credentials never do.
    expect(JSON.stringify(health.body.checks.archive)).not.toMatch(/127\.0\.0\.1|5432/);
    expect(JSON.stringify(health.body)).not.toMatch(/postgres:\/\//);
  });
});
