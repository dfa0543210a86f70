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

/** g. What the API process holds and how fast events reach clients. */
export interface StreamFanout1000Result {
  idle_clients: number;
  active_clients: number;
  model: ModelSettings;
  api_rss_mb: { no_clients: number; idle_clients: number; active_peak: number };
  /** TCP connections of the API process to Redis (from /proc, so other users of a shared Redis do not count). */
  api_redis_connections: { no_clients: number; idle_clients: number; active_peak: number };
  /** XADD on Redis (the time in the stream id) → the SSE client read the event, over every event of the active sessions. */
  event_latency_ms: Summary;
  /** POST /api/chat/message sent → first token on that session's (already open) SSE client. */
  first_token_ms: Summary;
  complete_turns: number;
  process_cpu: ProcessCpu;
}

/** h. One principal's recall (keyword index + ranking) over its memories. */
export interface MemoryRecallResult {
  backend: 'sqlite';
  memories: number;
  other_principal_memories: number;
  queries: number;
  /** Memories recalled per query on average (top-k 5, threshold 0.3, 300 tokens). */
  mean_recalled: number;
  recall_ms: Summary;
  vector_dimensions: number;
  /** The vector half of a hybrid recall (sqlite-vec over the principal's vectors), without the /embeddings call. */
  vector_search_ms: Summary;
}

/** i. */
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
  stream_fanout_1000: StreamFanout1000Result;
  memory_recall: MemoryRecallResult;
  long_session: LongSessionResult;
}
