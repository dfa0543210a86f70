import type { ScenarioResults } from './scenarios/scenario-results';
import type { Comparison, Summary } from './stats';

/** Rows of the printed table: what, ours, baseline, overhead, target and whether it is met. */
export interface Row {
  scenario: string;
  metric: string;
  ours: string;
  baseline: string;
  overhead: string;
  target: string;
  met: string;
}

/** The figures of the scenarios that ran (`--only` runs some). */
type Results = Partial<ScenarioResults>;

const ms = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n * 10) / 10} ms`);
const pct = (s: Summary) => `p50 ${ms(s.p50)} / p99 ${ms(s.p99)}`;
const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');

function latencyRow(
  scenario: string,
  metric: string,
  c: Comparison | undefined,
  target = '',
  met = '',
): Row | undefined {
  if (!c) return undefined;
  return {
    scenario,
    metric,
    ours: pct(c.ours),
    baseline: pct(c.baseline),
    overhead: `p50 ${ms(c.diff.p50)} / p99 ${ms(c.diff.p99)}`,
    target,
    met,
  };
}

export function tableRows(results: Results): Row[] {
  const rows: Array<Row | undefined> = [];
  const a = results.turn_overhead;
  if (a) {
    const base = a.latency_0ms_no_tools;
    if (base)
      rows.push(
        latencyRow(
          'a. turn',
          '0 ms model, no tools',
          base,
          'overhead p50 ≤ 15, p99 ≤ 50 ms',
          verdict(base.diff.p50 <= 15 && base.diff.p99 <= 50),
        ),
      );
    const tool = a.latency_0ms_one_tool;
    if (tool)
      rows.push(
        latencyRow('a. turn', '0 ms model, 1 tool', tool, 'overhead p50 ≤ 30 ms', verdict(tool.diff.p50 <= 30)),
      );
    rows.push(latencyRow('a. turn', '200 ms model, no tools', a.latency_200ms_no_tools));
    rows.push(latencyRow('a. turn', '200 ms model, 1 tool', a.latency_200ms_one_tool));
  }
  const b = results.time_to_first_token;
  if (b)
    rows.push(
      latencyRow(
        'b. TTFT',
        'first token via SSE',
        b.first_token,
        'overhead p50 ≤ 8, p99 ≤ 25 ms',
        verdict(b.first_token.diff.p50 <= 8 && b.first_token.diff.p99 <= 25),
      ),
    );
  const c = results.throughput;
  if (c) {
    for (const level of Object.values(c)) {
      const best = level.concurrent_sessions;
      rows.push({
        scenario: 'c. throughput',
        metric: `${best} sessions`,
        ours: `${level.ours.turns_per_s} turns/s, p50 ${ms(level.ours.latency_ms.p50)} p99 ${ms(level.ours.latency_ms.p99)}`,
        baseline: `${level.baseline.turns_per_s} turns/s, p50 ${ms(level.baseline.latency_ms.p50)}`,
        overhead: `ratio ${level.ratio_turns_per_s}`,
        target: '≥ 100 turns/s',
        met: verdict(level.ours.turns_per_s >= 100),
      });
    }
  }
  const d = results.idle_sessions;
  if (d) {
    const m = d.memory_after;
    rows.push({
      scenario: 'd. idle',
      metric: `${d.sessions} open sessions`,
      ours: `worker ${m.worker_rss_mb} MB, API ${m.api_rss_mb} MB, Temporal ${m.temporal_rss_mb} MB, Redis (our keys) ${m.our_keys.mb} MB`,
      baseline: `baseline RSS ${m.baseline_rss_mb} MB`,
      overhead: `worker +${d.per_session_kb.worker} KB/session, Redis ${d.per_session_kb.redis} KB/session`,
      target: 'at 10,000: worker ≤ 300 MB, Redis ≤ 50 MB',
      met:
        d.sessions >= 10_000
          ? verdict(m.worker_rss_mb <= 300 && m.our_keys.mb <= 50)
          : `(at ${d.sessions}) ${verdict(m.worker_rss_mb <= 300 && m.our_keys.mb <= 50)}`,
    });
    rows.push(latencyRow('d. idle', 'turn on a random idle session', d.random_session_turn));
  }
  const e = results.history_reads;
  if (e) {
    rows.push({
      scenario: 'e. reads',
      metric: `GET history (${e.messages_in_history} msgs, ${e.connections} conns)`,
      ours: `${e.ours.requests_per_s} req/s, p99 ${ms(e.ours.latency_ms.p99)}`,
      baseline: `${e.baseline.requests_per_s} req/s, p99 ${ms(e.baseline.latency_ms.p99)}`,
      overhead: `ratio ${e.ratio_requests_per_s}`,
      target: '≥ 5,000 req/s, p99 ≤ 10 ms',
      met: verdict(e.ours.requests_per_s >= 5000 && e.ours.latency_ms.p99 <= 10),
    });
  }
  const f = results.streaming_fanout;
  if (f) {
    rows.push(
      latencyRow(
        'f. fan-out',
        `${f.clients} SSE clients: first token`,
        f.first_token,
        'first token p50 ≤ 2× the baseline',
        `${verdict(f.first_token.ours.p50 <= 2 * f.first_token.baseline.p50)}; ${f.complete_streams}/${f.clients} complete`,
      ),
    );
    rows.push(latencyRow('f. fan-out', `${f.clients} SSE clients: whole stream`, f.stream_complete));
  }
  const h = results.memory_recall;
  if (h) {
    rows.push({
      scenario: 'h. memory',
      metric: `recall among ${h.memories} memories (${h.backend})`,
      ours: pct(h.recall_ms),
      baseline: '-',
      overhead: `${h.mean_recalled} recalled/query`,
      target: '',
      met: '',
    });
    rows.push({
      scenario: 'h. memory',
      metric: `vector search among ${h.memories} (${h.vector_dimensions} dims)`,
      ours: pct(h.vector_search_ms),
      baseline: '-',
      overhead: '',
      target: '',
      met: '',
    });
  }
  const i = results.long_session;
  if (i) {
    rows.push({
      scenario: 'i. long session',
      metric: `overhead p50, turn 10 vs turn ${i.turns} (${i.message_chars}-char messages)`,
      ours: `${ms(i.overhead_ms_at_turn_10.p50)} vs ${ms(i.overhead_ms_at_last_turn.p50)}`,
      baseline: '',
      overhead: '',
      target: 'flat',
      met: '',
    });
    rows.push({
      scenario: 'i. long session',
      metric: 'workflow history',
      ours: `${i.runs} runs, ≤ ${i.history_bytes_per_run_max} bytes / ${i.history_events_per_run_max} events a run, ${i.history_bytes_per_turn} bytes a turn`,
      baseline: '',
      overhead: '',
      target: '',
      met: '',
    });
  }
  return rows.filter((r): r is Row => r !== undefined);
}

export function formatTable(rows: Row[]): string {
  const header: Row = {
    scenario: 'scenario',
    metric: 'metric',
    ours: 'ours',
    baseline: 'direct baseline',
    overhead: 'overhead',
    target: 'target',
    met: 'met',
  };
  const keys = Object.keys(header) as Array<keyof Row>;
  const line = (r: Row) => `| ${keys.map((k) => r[k]).join(' | ')} |`;
  return [line(header), `|${keys.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
