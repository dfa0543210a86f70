import autocannon from 'autocannon';
import type { History, SessionCreated } from '../api-responses';
import { readJson, timedPost } from '../http-client';
import type { Scenario } from './scenario';
import type { LoadFigures } from './scenario-results';

async function hammer(url: string, connections: number, seconds: number): Promise<LoadFigures> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return {
    requests_per_s: result.requests.average,
    total_requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors,
    latency_ms: {
      count: result.requests.total,
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

/** e. `GET /api/chat/history/{id}` under autocannon vs the baseline serving the same document. */
export const historyReads: Scenario<'history_reads'> = {
  id: 'history_reads',
  title: 'e. history reads under load',
  async run({ stack, sizes, log }) {
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 0, answerTokens: 20 });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    for (let i = 0; i < sizes.readTurnsInSession; i++)
      await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: session.session_id, message: `question ${i}` });
    const doc = await readJson<History>(await fetch(`${stack.apiUrl}/api/chat/history/${session.session_id}`));
    await fetch(`${stack.baselineUrl}/history/${session.session_id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    const ours = await hammer(
      `${stack.apiUrl}/api/chat/history/${session.session_id}`,
      sizes.readConnections,
      sizes.readSeconds,
    );
    const baseline = await hammer(
      `${stack.baselineUrl}/history/${session.session_id}`,
      sizes.readConnections,
      sizes.readSeconds,
    );
    log(
      `  history: ours ${ours.requests_per_s} req/s p99 ${ours.latency_ms.p99} ms; baseline ${baseline.requests_per_s} req/s p99 ${baseline.latency_ms.p99} ms`,
    );
    return {
      messages_in_history: doc.messages.length,
      connections: sizes.readConnections,
      seconds: sizes.readSeconds,
      ours,
      baseline,
      ratio_requests_per_s:
        baseline.requests_per_s > 0 ? Math.round((ours.requests_per_s / baseline.requests_per_s) * 100) / 100 : 0,
    };
  },
};
