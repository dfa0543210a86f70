import fs from 'node:fs';
import { sseFrames } from '../../dev/sse-frames';
import type { SessionCreated } from '../api-responses';
import { forEachLimited, timedPost } from '../http-client';
import { CpuMeter, sampleProcess } from '../process-stats';
import { summarize } from '../stats';
import { MESSAGE, type Scenario } from './scenario';
import type { StreamFanout1000Result } from './scenario-results';

/** `--size=streamIdleClients=N` / `--size=streamActiveClients=N` (not BenchSizes fields, so the scenario stays one file). */
function sizeOf(sizes: object, name: string, fallback: number): number {
  const value = (sizes as Record<string, unknown>)[name];
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/** Established TCP sockets of `pid` whose remote port is `port` (its Redis connections). */
function tcpConnectionsTo(pid: number, port: number): number {
  try {
    const inodes = new Set<string>();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]);
    }
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    let count = 0;
    for (const table of ['tcp', 'tcp6']) {
      for (const line of fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 10) continue;
        if (cols[2].endsWith(`:${hexPort}`) && cols[3] === '01' && inodes.has(cols[9])) count++;
      }
    }
    return count;
  } catch {
    return -1;
  }
}

interface Client {
  firstTokenAt?: bigint;
  done: boolean;
  latencies: number[];
  abort: AbortController;
  reading: Promise<void>;
}

/** Opens a session's event stream (status 200 before it resolves) and reads it in the background until aborted. */
async function follow(apiUrl: string, sessionId: string): Promise<Client> {
  const abort = new AbortController();
  const res = await fetch(`${apiUrl}/api/chat/session/${sessionId}/events`, { signal: abort.signal });
  if (res.status !== 200 || !res.body) {
    throw new Error(
      `GET events → ${res.status}: ${(await res.text()).slice(0, 200)} (run with --env=SSE_MAX_STREAMS_PER_PRINCIPAL=0)`,
    );
  }
  const body = res.body;
  const client: Client = { done: false, latencies: [], abort, reading: Promise.resolve() };
  client.reading = (async () => {
    try {
      for await (const frame of sseFrames(body)) {
        const now = Date.now();
        if (frame.id) client.latencies.push(now - Number(frame.id.split('-')[0]));
        if (frame.event === 'message') client.firstTokenAt ??= process.hrtime.bigint();
        if (frame.event === 'done') client.done = true;
      }
    } catch {
      // aborted at the end of the scenario
    }
  })();
  return client;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** g. Many idle SSE clients on one API process, then some of their sessions active. */
export const streamFanout1000: Scenario<'stream_fanout_1000'> = {
  id: 'stream_fanout_1000',
  title: 'g. 1,000 SSE clients on one API process (idle, then some active)',
  async run({ stack, sizes, log }) {
    // 1,000 / 100 by default; --smoke runs its idle-session and fan-out counts (10 / 4).
    const idle = sizeOf(sizes, 'streamIdleClients', Math.min(1000, sizes.idleSessions));
    const active = Math.min(idle, sizeOf(sizes, 'streamActiveClients', sizes.fanoutClients));
    const answerTokens = 20;
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 50, answerTokens });
    const redisPort = Number(stack.redis.options.port ?? 6379);
    const api = stack.pids.api;
    const probe = () => ({ rss: sampleProcess(api).rssMb, redis: tcpConnectionsTo(api, redisPort) });

    const sessions: string[] = [];
    await forEachLimited(idle, 20, async (i) => {
      sessions[i] = (await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {})).json.session_id;
    });
    await settle(1000);
    const before = probe();
    const clients: Client[] = [];
    await forEachLimited(idle, 50, async (i) => {
      clients[i] = await follow(stack.apiUrl, sessions[i]);
    });
    await settle(2000);
    const idleOpen = probe();
    log(`  ${idle} idle SSE clients: API RSS ${idleOpen.rss} MB, API→Redis connections ${idleOpen.redis}`);

    const peak = { rss: idleOpen.rss, redis: idleOpen.redis };
    const sampler = setInterval(() => {
      const now = probe();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.redis = Math.max(peak.redis, now.redis);
    }, 250);
    const meter = new CpuMeter(stack.pids);
    const sentAt: bigint[] = [];
    // Sessions spread over the whole set, each turn waited for (a turn waiter per request too).
    const step = Math.max(1, Math.floor(idle / active));
    const chosen = Array.from({ length: active }, (_, i) => i * step);
    await Promise.all(
      chosen.map(async (i, k) => {
        sentAt[k] = process.hrtime.bigint();
        await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: sessions[i], message: MESSAGE });
      }),
    );
    for (let waited = 0; waited < 30_000 && !chosen.every((i) => clients[i].done); waited += 100) await settle(100);
    clearInterval(sampler);
    const cpu = meter.stop();
    for (const client of clients) client.abort.abort();
    await Promise.all(clients.map((c) => c.reading));

    const firstToken = chosen.flatMap((i, k) => {
      const at = clients[i].firstTokenAt;
      return at === undefined ? [] : [Number(at - sentAt[k]) / 1e6];
    });
    const latencies = chosen.flatMap((i) => clients[i].latencies);
    const complete = chosen.filter((i) => clients[i].done).length;
    const result: StreamFanout1000Result = {
      idle_clients: idle,
      active_clients: active,
      model: { latency_ms: 0, tokens_per_second: 50, answer_tokens: answerTokens },
      api_rss_mb: { no_clients: before.rss, idle_clients: idleOpen.rss, active_peak: peak.rss },
      api_redis_connections: { no_clients: before.redis, idle_clients: idleOpen.redis, active_peak: peak.redis },
      event_latency_ms: summarize(latencies),
      first_token_ms: summarize(firstToken),
      complete_turns: complete,
      process_cpu: cpu,
    };
    log(
      `  ${active} active: ${complete} turns complete; event latency p50 ${result.event_latency_ms.p50} / p99 ${result.event_latency_ms.p99} ms; first token p50 ${result.first_token_ms.p50} / p99 ${result.first_token_ms.p99} ms; peak RSS ${peak.rss} MB, peak Redis connections ${peak.redis}`,
    );
    return result;
  },
};
