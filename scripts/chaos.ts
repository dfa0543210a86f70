import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { startChaosStack } from '../dev/chaos-stack';
import { ensureRedis } from '../dev/redis-launcher';
import { freePort } from '../dev/free-port';
import type { TurnResult } from '../src/contract/turn';
import { createKnex } from '../src/store/knex';
import { pingRedis } from '../src/store/redis-reachability';

/**
 * `npm run chaos`: a real stack (dev/chaos-stack.ts) under load from several sessions while a
 * random worker is SIGKILLed every 1–3 s (and restarted) and the Temporal dev server restarts a
 * few times; then every message is checked against the SQLite archive. Clients behave as a
 * careful client would: synchronous POST /api/chat/message with an Idempotency-Key, retried with
 * the same key on 429/503/504, timeouts and connection errors. Exits 1 on any violation.
 */
const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    'temporal-restarts': { type: 'string', default: '3' },
    sessions: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const KILLS = Number(values.kills);
const TEMPORAL_RESTARTS = Number(values['temporal-restarts']);
const SESSIONS = Number(values.sessions);
const REQUEST_DEADLINE_MS = 10 * 60_000;
const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SentTurn {
  sessionId: string;
  text: string;
  /** What the answer must contain (the echo, or the calculator's result). */
  expected: string;
  attempts: number;
  /** Why each retry was needed (status or error). */
  retries: string[];
  answer?: TurnResult;
  failure?: string;
}

/** One logical request: retried with the same Idempotency-Key until answered or refused for good. */
async function send(
  url: string,
  body: unknown,
  turn: { attempts: number; retries: string[]; failure?: string },
): Promise<unknown> {
  const key = randomUUID();
  const deadline = Date.now() + REQUEST_DEADLINE_MS;
  let last = '';
  while (Date.now() < deadline) {
    turn.attempts++;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(90_000),
      });
      const text = await response.text();
      if (response.ok) return JSON.parse(text) as unknown;
      last = `${response.status} ${text.slice(0, 200)}`;
      if (![429, 503, 504].includes(response.status)) break;
      turn.retries.push(String(response.status));
      await sleep(Math.min(10, Number(response.headers.get('retry-after') ?? 1)) * 1000);
    } catch (err) {
      last = (err as Error).message;
      turn.retries.push((err as Error).name === 'TimeoutError' ? 'client timeout' : 'connection error');
      await sleep(1000);
    }
  }
  turn.failure = last;
  return undefined;
}

async function sessionLoop(apiUrl: string, index: number, sent: SentTurn[], stopping: () => boolean): Promise<void> {
  const created = (await send(`${apiUrl}/api/chat/session`, {}, { attempts: 0, retries: [] })) as
    { session_id?: string } | undefined;
  if (!created?.session_id) throw new Error(`session ${index} could not be created`);
  for (let n = 1; !stopping(); n++) {
    const [a, b] = [10 + Math.floor(Math.random() * 90), 10 + Math.floor(Math.random() * 90)];
    const calc = n % 3 === 0;
    const text = calc ? `calculate ${a}*${b}` : `message ${index}-${n}`;
    const turn: SentTurn = {
      sessionId: created.session_id,
      text,
      expected: calc ? String(a * b) : `You said: ${text}`,
      attempts: 0,
      retries: [],
    };
    sent.push(turn);
    turn.answer = (await send(
      `${apiUrl}/api/chat/message`,
      { message: text, session_id: created.session_id },
      turn,
    )) as TurnResult | undefined;
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

interface ArchiveRow {
  session_id: string;
  turn_id: string;
  user_message: string;
  assistant_message: string | null;
  extra_metadata: string | null;
}

async function main(): Promise<number> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-chaos-'));
  let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let stopRedis = () => Promise.resolve();
  if (!(await pingRedis(redisUrl))) {
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const launched = await ensureRedis(redisUrl, true, say);
    stopRedis = () => launched.stop();
  }
  const stack = await startChaosStack({ dir, redisUrl, log: say });
  const sent: SentTurn[] = [];
  let stopping = false;
  const load = Promise.all(
    Array.from({ length: SESSIONS }, (_, i) => sessionLoop(stack.apiUrl, i + 1, sent, () => stopping)),
  );

  const restartAt = new Set(
    Array.from({ length: TEMPORAL_RESTARTS }, (_, i) => Math.floor((KILLS * (i + 1)) / (TEMPORAL_RESTARTS + 1))),
  );
  let kills = 0;
  let restarts = 0;
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  say(
    `[chaos] ${elapsed()}: ${SESSIONS} sessions sending; ${KILLS} worker kills, ${TEMPORAL_RESTARTS} Temporal restarts to come`,
  );
  while (kills < KILLS) {
    // The replacement polls before the next 1–3 s start: one worker is always up, the other just came back.
    await stack.allWorkersReady();
    await sleep(1000 + Math.random() * 2000);
    const ready = stack.readyWorkers();
    await stack.killWorker(ready[Math.floor(Math.random() * ready.length)]);
    kills++;
    if (restartAt.has(kills)) {
      await stack.restartTemporal();
      restarts++;
    }
    if (kills % 10 === 0 || restartAt.has(kills))
      say(`[chaos] ${elapsed()}: ${kills} kills, ${restarts} Temporal restarts, ${sent.length} turns sent`);
  }
  stopping = true;
  say(`[chaos] ${elapsed()}: chaos over; waiting for the turns in flight...`);
  await load;
  say(`[chaos] ${elapsed()}: all requests answered or given up; checking the archive`);

  const knex = createKnex(stack.sqliteFilename);
  const rows = await knex<ArchiveRow>('chat_history').select(
    'session_id',
    'turn_id',
    'user_message',
    'assistant_message',
    'extra_metadata',
  );
  await knex.destroy();
  const rowsOf = (turn: SentTurn) =>
    rows.filter((r) => r.session_id === turn.sessionId && r.user_message === turn.text);
  let archived = 0;
  let duplicates = 0;
  let lost = 0;
  let wrong = 0;
  const problems: string[] = [];
  for (const turn of sent) {
    const found = rowsOf(turn);
    if (found.length === 0) {
      lost++;
      problems.push(`lost: "${turn.text}" (${turn.failure ?? 'answered'})`);
      continue;
    }
    archived++;
    if (found.length > 1) {
      duplicates++;
      problems.push(
        `archived ${found.length} times: "${turn.text}" (turn ids ${found.map((r) => r.turn_id).join(', ')})`,
      );
    }
    const bad = found.filter(
      (r) =>
        (JSON.parse(r.extra_metadata ?? '{}') as { status?: string }).status !== 'completed' ||
        !r.assistant_message?.includes(turn.expected),
    );
    const answerBad =
      turn.answer && (turn.answer.status !== 'completed' || !turn.answer.response.includes(turn.expected));
    if (bad.length > 0 || answerBad) {
      wrong++;
      problems.push(`wrong: "${turn.text}" -> ${JSON.stringify(turn.answer?.response ?? bad[0]?.assistant_message)}`);
    }
  }
  const failed = sent.filter((t) => !t.answer);
  for (const turn of failed) problems.push(`no answer: "${turn.text}": ${turn.failure}`);
  const figures = {
    kills,
    temporal_restarts: restarts,
    sessions: SESSIONS,
    turns_sent: sent.length,
    requests_sent: sent.reduce((n, t) => n + t.attempts, 0),
    retried_because: countBy(sent.flatMap((t) => t.retries)),
    archived,
    duplicates,
    lost,
    wrong,
    failed_requests: failed.length,
    duration_s: Math.round((Date.now() - started) / 1000),
  };
  await stack.stop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${stack.redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await stopRedis();
  for (const problem of problems.slice(0, 30)) say(`[chaos] ${problem}`);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  const ok = duplicates + lost + wrong + failed.length === 0 && sent.length > 0;
  if (ok && !values.keep) fs.rmSync(dir, { recursive: true, force: true });
  else say(`[chaos] logs kept in ${dir}`);
  say(
    ok
      ? '[chaos] OK: every message archived exactly once, completed and right.'
      : '[chaos] FAILED: see the lines above.',
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`[chaos] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
