import type { SessionCreated } from '../api-responses';
import { forEachLimited, timedPost } from '../http-client';
import { CpuMeter } from '../process-stats';
import { summarize } from '../stats';
import { MESSAGE, type Scenario } from './scenario';
import type { ThroughputResult } from './scenario-results';

/** Each client sends turns back to back until the deadline; `send` does one turn. */
async function closedLoop(clients: number, seconds: number, send: (client: number) => Promise<number>) {
  const latencies: number[] = [];
  let errors = 0;
  const start = Date.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (Date.now() < deadline) {
        try {
          latencies.push(await send(client));
        } catch {
          errors++;
        }
      }
    }),
  );
  const wallS = (Date.now() - start) / 1000;
  return {
    turns: latencies.length,
    errors,
    wall_s: Math.round(wallS * 100) / 100,
    turns_per_s: Math.round((latencies.length / wallS) * 10) / 10,
    latency_ms: summarize(latencies),
  };
}

/** c. N concurrent sessions each sending turns: turns/s, latency and CPU of each process. */
export const throughput: Scenario<'throughput'> = {
  id: 'throughput',
  title: 'c. throughput (N concurrent sessions, model latency 0)',
  async run({ stack, sizes, log }) {
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 0, answerTokens: 20 });
    const result: ThroughputResult = {};
    for (const clients of sizes.throughputConcurrency) {
      const sessions: string[] = [];
      await forEachLimited(clients, 20, async (i) => {
        sessions[i] = (await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {})).json.session_id;
      });
      const meter = new CpuMeter(stack.pids);
      const ours = await closedLoop(
        clients,
        sizes.throughputSeconds,
        async (c) =>
          (await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: sessions[c], message: MESSAGE })).ms,
      );
      const oursCpu = meter.stop();
      const baselineMeter = new CpuMeter({ baseline: stack.pids.baseline, model: stack.pids.model });
      const baseline = await closedLoop(
        clients,
        sizes.throughputSeconds,
        async () => (await timedPost(`${stack.baselineUrl}/chat`, { message: MESSAGE })).ms,
      );
      const baselineCpu = baselineMeter.stop();
      log(
        `  ${clients} sessions: ours ${ours.turns_per_s} turns/s (p50 ${ours.latency_ms.p50} ms, ${ours.errors} errors), baseline ${baseline.turns_per_s} turns/s`,
      );
      result[`sessions_${clients}`] = {
        concurrent_sessions: clients,
        ours: { ...ours, process_cpu: oursCpu },
        baseline: { ...baseline, process_cpu: baselineCpu },
        ratio_turns_per_s:
          baseline.turns_per_s > 0 ? Math.round((ours.turns_per_s / baseline.turns_per_s) * 100) / 100 : 0,
      };
    }
    return result;
  },
};
