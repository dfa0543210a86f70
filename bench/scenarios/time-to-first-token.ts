import type { SessionCreated } from '../api-responses';
import { timedPost, timedStream } from '../http-client';
import { compare, summarize } from '../stats';
import { MESSAGE, type Scenario } from './scenario';

/** b. First token through SSE (`POST /api/chat/message/stream`) vs the baseline's first streamed chunk. */
export const timeToFirstToken: Scenario<'time_to_first_token'> = {
  id: 'time_to_first_token',
  title: 'b. time to first token (SSE)',
  async run({ stack, sizes, log }) {
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 100, answerTokens: 10 });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    await timedStream(`${stack.apiUrl}/api/chat/message/stream`, { session_id: session.session_id, message: MESSAGE });
    await timedStream(`${stack.baselineUrl}/chat/stream`, { message: MESSAGE });
    const ours: number[] = [];
    const baseline: number[] = [];
    const oursTotal: number[] = [];
    const baselineTotal: number[] = [];
    for (let i = 0; i < sizes.ttftTurns; i++) {
      const o = await timedStream(`${stack.apiUrl}/api/chat/message/stream`, {
        session_id: session.session_id,
        message: MESSAGE,
      });
      if (o.tokens !== 10 || o.lastEvent !== 'done')
        throw new Error(`our stream ended early: ${o.tokens} tokens, last event ${o.lastEvent}`);
      const b = await timedStream(`${stack.baselineUrl}/chat/stream`, { message: MESSAGE });
      ours.push(o.firstTokenMs);
      baseline.push(b.firstTokenMs);
      oursTotal.push(o.totalMs);
      baselineTotal.push(b.totalMs);
    }
    const ttft = compare(summarize(ours), summarize(baseline));
    log(
      `  first token: ours p50 ${ttft.ours.p50} ms, baseline p50 ${ttft.baseline.p50} ms, overhead p50 ${ttft.diff.p50} ms`,
    );
    return {
      model: { latency_ms: 0, tokens_per_second: 100, answer_tokens: 10 },
      first_token: ttft,
      stream_complete: compare(summarize(oursTotal), summarize(baselineTotal)),
    };
  },
};
