/**
 * How the bench's fake model behaves; changed between scenarios through `POST /__config`, so
 * the worker and the baseline talk to one long-lived server.
 */
export interface FakeModelConfig {
  /** Delay before the first byte of every answer (the model "thinking"). */
  latencyMs: number;
  /** Streamed tokens per second; 0 sends every chunk at once. */
  tokensPerSecond: number;
  /** Words in a final answer. */
  answerTokens: number;
  /** Tool calls the model asks for before it answers (one round per call). */
  toolCalls: number;
}

export const DEFAULT_FAKE_MODEL: FakeModelConfig = { latencyMs: 0, tokensPerSecond: 0, answerTokens: 20, toolCalls: 0 };
