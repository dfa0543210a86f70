import type { TurnResult } from '../api-responses';
import { forEachLimited, timedPost } from '../http-client';
import { sampleProcess } from '../process-stats';
import { compare, summarize } from '../stats';
import type { BenchStack } from '../stack';
import { MESSAGE, type Scenario } from './scenario';

async function redisUsedMb(stack: BenchStack): Promise<number> {
  const info = await stack.redis.info('memory');
  return Math.round((Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 1024 / 1024) * 10) / 10;
}

/** Bytes held by this run's keys (MEMORY USAGE summed): exact for us on a shared Redis. */
async function ourKeysMb(stack: BenchStack): Promise<{ keys: number; mb: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await stack.redis.scan(cursor, 'MATCH', `${stack.keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = stack.redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key);
    for (const [, value] of (await pipeline.exec()) ?? []) bytes += Number(value ?? 0);
    keys += batch.length;
  } while (cursor !== '0');
  return { keys, mb: Math.round((bytes / 1024 / 1024) * 10) / 10 };
}

function memory(stack: BenchStack) {
  return {
    worker_rss_mb: sampleProcess(stack.pids.worker).rssMb,
    api_rss_mb: sampleProcess(stack.pids.api).rssMb,
    temporal_rss_mb: sampleProcess(stack.pids.temporal).rssMb,
    baseline_rss_mb: sampleProcess(stack.pids.baseline).rssMb,
  };
}

/** d. Open many sessions (one turn each, then idle): memory of every part, then turns on random ones. */
export const idleSessions: Scenario<'idle_sessions'> = {
  id: 'idle_sessions',
  title: 'd. idle sessions',
  async run({ stack, sizes, log }) {
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 0, answerTokens: 20 });
    const before = { ...memory(stack), redis_used_mb: await redisUsedMb(stack), our_keys: await ourKeysMb(stack) };
    const sessions: string[] = [];
    const openStart = Date.now();
    let lastReport = Date.now();
    await forEachLimited(sizes.idleSessions, sizes.idleOpenConcurrency, async (i) => {
      const turn = await timedPost<TurnResult>(`${stack.apiUrl}/api/chat/message`, { message: MESSAGE });
      sessions[i] = turn.json.session_id;
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(`  opened ${sessions.filter(Boolean).length}/${sizes.idleSessions} sessions`);
      }
    });
    const openSeconds = (Date.now() - openStart) / 1000;
    // Let the last workflow tasks settle and the garbage collector catch up before reading RSS.
    await new Promise((r) => setTimeout(r, 3000));
    const after = { ...memory(stack), redis_used_mb: await redisUsedMb(stack), our_keys: await ourKeysMb(stack) };
    const probe: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < sizes.idleProbeTurns; i++) {
      const sessionId = sessions[Math.floor(Math.random() * sessions.length)];
      probe.push((await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: sessionId, message: MESSAGE })).ms);
      baseline.push((await timedPost(`${stack.baselineUrl}/chat`, { message: MESSAGE })).ms);
    }
    const turn = compare(summarize(probe), summarize(baseline));
    log(
      `  ${sizes.idleSessions} idle sessions: worker ${after.worker_rss_mb} MB, API ${after.api_rss_mb} MB, Temporal ${after.temporal_rss_mb} MB, our Redis keys ${after.our_keys.mb} MB; random turn p50 ${turn.ours.p50} ms`,
    );
    return {
      sessions: sizes.idleSessions,
      open_seconds: Math.round(openSeconds * 10) / 10,
      sessions_opened_per_s: Math.round((sizes.idleSessions / openSeconds) * 10) / 10,
      memory_before: before,
      memory_after: after,
      per_session_kb: {
        worker: Math.round(((after.worker_rss_mb - before.worker_rss_mb) * 1024) / sizes.idleSessions),
        temporal: Math.round(((after.temporal_rss_mb - before.temporal_rss_mb) * 1024) / sizes.idleSessions),
        redis: Math.round(((after.our_keys.mb - before.our_keys.mb) * 1024) / sizes.idleSessions),
      },
      random_session_turn: turn,
    };
  },
};
