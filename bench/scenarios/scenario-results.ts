import type { ProcessCpu } from '../process-stats';
import type { Comparison, Summary } from '../stats';

/** The fake model's settings a scenario ran with. */
export interface ModelSettings {
  latency_ms: number;
  tokens_per_second: number;
  answer_tokens: number;
}

/** a. One variant of the model: ours vs the baseline, turn by turn. */
export interface TurnOverheadVariant extends Comparison {
  model_latency_ms: number;
  tool_calls: number;
}

export type TurnOverheadVariantName =
  'latency_0ms_no_tools' | 'latency_0ms_one_tool' | 'latency_200ms_no_tools' | 'latency_200ms_one_tool';

/** a. Keyed by variant, in the order they ran. */
export type TurnOverheadResult = Partial<Record<TurnOverheadVariantName, TurnOverheadVariant>>;

/** b. */
export interface TimeToFirstTokenResult {
  model: ModelSettings;
  first_token: Comparison;
  stream_complete: Comparison;
}

/** c. One side of a closed loop: turns done back to back until the deadline. */
export interface ClosedLoopFigures {
  turns: number;
  errors: number;
  wall_s: number;
  turns_per_s: number;
  latency_ms: Summary;
  process_cpu: ProcessCpu;
}

/** c. One concurrency level. */
export interface ThroughputLevel {
  concurrent_sessions: number;
  ours: ClosedLoopFigures;
  baseline: ClosedLoopFigures;
  ratio_turns_per_s: number;
}

/** c. Keyed `sessions_<N>` by concurrency, in the order they ran. */
export type ThroughputResult = Record<`sessions_${number}`, ThroughputLevel>;

/** d. Memory of every part at one moment, in MB. */
export interface IdleMemory {
  worker_rss_mb: number;
  api_rss_mb: number;
  temporal_rss_mb: number;
  baseline_rss_mb: number;
  redis_used_mb: number;
  /** This run's Redis keys and the bytes they hold (MEMORY USAGE summed). */
  our_keys: { keys: number; mb: number };
}

/** d. */
export interface IdleSessionsResult {
  sessions: number;
  open_seconds: number;
  sessions_opened_per_s: number;
  memory_before: IdleMemory;
  memory_after: IdleMemory;
  per_session_kb: { worker: number; temporal: number; redis: number };
  random_session_turn: Comparison;
}

/** e. One side under autocannon; latency as autocannon reports it (no min). */
export interface LoadFigures {
  requests_per_s: number;
  total_requests: number;
  non_2xx: number;
  errors: number;
  latency_ms: Omit<Summary, 'min'>;
}

/** e. */
export interface HistoryReadsResult {
  messages_in_history: number;
  connections: number;
  seconds: number;
  ours: LoadFigures;
  baseline: LoadFigures;
  ratio_requests_per_s: number;
}

/** f. */
export interface StreamingFanoutResult {
  clients: number;
  model: ModelSettings;
  complete_streams: number;
  first_token: Comparison;
  stream_complete: Comparison;
  process_cpu: ProcessCpu;
}

/** g. */
export interface LongSessionResult {
  turns: number;
  message_chars: number;
  /** Ours minus the baseline, per turn, around turn 10 and around the last turn. */
  overhead_ms_at_turn_10: Summary;
  overhead_ms_at_last_turn: Summary;
  runs: number;
  history_bytes_per_run_max: number;
  history_events_per_run_max: number;
  history_bytes_total: number;
  history_bytes_per_turn: number;
}

/**
 * The figures each scenario writes under its id in `results` of the bench JSON, and the table is
 * read from. Every latency is a `Summary` or a `Comparison` in milliseconds.
 */
export interface ScenarioResults {
  turn_overhead: TurnOverheadResult;
  time_to_first_token: TimeToFirstTokenResult;
  throughput: ThroughputResult;
  idle_sessions: IdleSessionsResult;
  history_reads: HistoryReadsResult;
  streaming_fanout: StreamingFanoutResult;
  long_session: LongSessionResult;
}
