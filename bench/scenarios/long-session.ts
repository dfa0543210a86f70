import type { SessionCreated } from '../api-responses';
import { timedPost } from '../http-client';
import { summarize } from '../stats';
import { historyBytesPerRun } from '../workflow-history-bytes';
import type { Scenario } from './scenario';

/** A message of about `chars` characters, different each turn (no cache can help). */
function messageOf(turn: number, chars: number): string {
  const words: string[] = [];
  for (let n = 0; words.join(' ').length < chars; n++) words.push(`t${turn}w${n}`);
  return words.join(' ').slice(0, chars);
}

/** Turns each overhead figure is the median of (the turn itself and its neighbours). */
const BAND = 5;

/**
 * g. One session, `longSessionTurns` sequential turns of `longSessionMessageChars`-character messages:
 * the turn overhead (ours minus the baseline's same turn) around turn 10 and around the last turn
 * must stay flat, and the workflow history per run stays bounded (history by reference, summaries).
 */
export const longSession: Scenario<'long_session'> = {
  id: 'long_session',
  title: 'i. long session (sequential turns with long messages)',
  async run({ stack, sizes, log }) {
    await stack.setModel({ latencyMs: 0, toolCalls: 0, tokensPerSecond: 0, answerTokens: 20 });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    const overhead: number[] = [];
    for (let turn = 1; turn <= sizes.longSessionTurns; turn++) {
      const message = messageOf(turn, sizes.longSessionMessageChars);
      const ours = await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: session.session_id, message });
      if (ours.status !== 200) throw new Error(`turn ${turn} answered ${ours.status}`);
      const baseline = await timedPost(`${stack.baselineUrl}/chat`, { message });
      overhead.push(ours.ms - baseline.ms);
    }
    const around = (turn: number) =>
      summarize(overhead.slice(Math.max(0, turn - 1 - BAND), Math.min(overhead.length, turn + BAND)));
    const early = around(Math.min(10, overhead.length));
    const late = around(overhead.length);
    const runs = await historyBytesPerRun(stack.temporalAddress, session.session_id);
    const totalBytes = runs.reduce((n, r) => n + r.bytes, 0);
    const result = {
      turns: sizes.longSessionTurns,
      message_chars: sizes.longSessionMessageChars,
      overhead_ms_at_turn_10: early,
      overhead_ms_at_last_turn: late,
      runs: runs.length,
      history_bytes_per_run_max: Math.max(...runs.map((r) => r.bytes)),
      history_events_per_run_max: Math.max(...runs.map((r) => r.events)),
      history_bytes_total: totalBytes,
      history_bytes_per_turn: Math.round(totalBytes / sizes.longSessionTurns),
    };
    log(
      `  long session: overhead p50 ${early.p50} ms at turn 10, ${late.p50} ms at turn ${result.turns}; ${result.runs} runs, ≤ ${result.history_bytes_per_run_max} bytes a run, ${result.history_bytes_per_turn} bytes a turn`,
    );
    return result;
  },
};
