import type { SessionCreated } from '../api-responses';
import { forEachLimited, timedPost, timedStream, type StreamTiming } from '../http-client';
import { CpuMeter } from '../process-stats';
import { compare, summarize } from '../stats';
import { MESSAGE, type Scenario } from './scenario';

/** f. Many SSE clients at once, each on its own session, vs as many baseline streams. */
export const streamingFanout: Scenario<'streaming_fanout'> = {
  id: 'streaming_fanout',
  title: 'f. streaming fan-out (concurrent SSE clients)',
  async run({ stack, sizes, log }) {
    const answerTokens = 20;
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 50, answerTokens });
    const sessions: string[] = [];
    await forEachLimited(sizes.fanoutClients, 20, async (i) => {
      sessions[i] = (await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {})).json.session_id;
    });
    const meter = new CpuMeter(stack.pids);
    const ours: StreamTiming[] = await Promise.all(
      sessions.map((id) =>
        timedStream(`${stack.apiUrl}/api/chat/message/stream`, { session_id: id, message: MESSAGE }),
      ),
    );
    const cpu = meter.stop();
    const baseline: StreamTiming[] = await Promise.all(
      sessions.map(() => timedStream(`${stack.baselineUrl}/chat/stream`, { message: MESSAGE })),
    );
    const complete = ours.filter((s) => s.tokens === answerTokens && s.lastEvent === 'done').length;
    const first = compare(summarize(ours.map((s) => s.firstTokenMs)), summarize(baseline.map((s) => s.firstTokenMs)));
    const total = compare(summarize(ours.map((s) => s.totalMs)), summarize(baseline.map((s) => s.totalMs)));
    log(
      `  ${sizes.fanoutClients} SSE clients: ${complete} complete; first token p50 ${first.ours.p50} ms (baseline ${first.baseline.p50}), whole stream p99 ${total.ours.p99} ms (baseline ${total.baseline.p99})`,
    );
    return {
      clients: sizes.fanoutClients,
      model: { latency_ms: 0, tokens_per_second: 50, answer_tokens: answerTokens },
      complete_streams: complete,
      first_token: first,
      stream_complete: total,
      process_cpu: cpu,
    };
  },
};
