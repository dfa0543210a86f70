import type { SessionCreated, TurnResult } from '../api-responses';
import { timedPost } from '../http-client';
import { compare, summarize } from '../stats';
import { MESSAGE, type Scenario } from './scenario';
import type { TurnOverheadResult, TurnOverheadVariantName } from './scenario-results';

const VARIANTS: Array<{ name: TurnOverheadVariantName; latencyMs: number; toolCalls: number }> = [
  { name: 'latency_0ms_no_tools', latencyMs: 0, toolCalls: 0 },
  { name: 'latency_0ms_one_tool', latencyMs: 0, toolCalls: 1 },
  { name: 'latency_200ms_no_tools', latencyMs: 200, toolCalls: 0 },
  { name: 'latency_200ms_one_tool', latencyMs: 200, toolCalls: 1 },
];

/** a. One session, sequential turns: POST /api/chat/message end to end vs the direct baseline. */
export const turnOverhead: Scenario<'turn_overhead'> = {
  id: 'turn_overhead',
  title: 'a. turn overhead (one session, sequential turns)',
  async run({ stack, sizes, log }) {
    const result: TurnOverheadResult = {};
    for (const variant of VARIANTS) {
      await stack.setModel({
        latencyMs: variant.latencyMs,
        toolCalls: variant.toolCalls,
        tokensPerSecond: 0,
        answerTokens: 20,
      });
      const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
      // One warm-up turn each (first workflow task, connections), not counted.
      await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: session.session_id, message: MESSAGE });
      await timedPost(`${stack.baselineUrl}/chat`, { message: MESSAGE });
      const ours: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < sizes.overheadTurns; i++) {
        const turn = await timedPost<TurnResult>(`${stack.apiUrl}/api/chat/message`, {
          session_id: session.session_id,
          message: MESSAGE,
        });
        if (turn.json.status !== 'completed')
          throw new Error(`a turn ended ${turn.json.status}: ${turn.json.response}`);
        if (variant.toolCalls > 0 && !turn.json.tools_used.includes('calculator'))
          throw new Error('the tool variant ran no tool');
        ours.push(turn.ms);
        baseline.push((await timedPost(`${stack.baselineUrl}/chat`, { message: MESSAGE })).ms);
      }
      const comparison = compare(summarize(ours), summarize(baseline));
      log(
        `  ${variant.name}: ours p50 ${comparison.ours.p50} ms, baseline p50 ${comparison.baseline.p50} ms, overhead p50 ${comparison.diff.p50} ms p99 ${comparison.diff.p99} ms`,
      );
      result[variant.name] = { model_latency_ms: variant.latencyMs, tool_calls: variant.toolCalls, ...comparison };
    }
    return result;
  },
};
