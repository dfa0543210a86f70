import type { CallModelResult, ModelSpend, ModelToolCall, TurnUsageRecord } from './activity-io';
import type { ModelAttempt, ModelCallUsage, TurnResult } from './turn';

/** The answer of the first model in the chain that answered, and every model tried on the way. */
export interface ModelChainAnswer {
  result: CallModelResult;
  attempts: ModelAttempt[];
  /** The offline model answered because every configured model failed. */
  offlineFallback: boolean;
  /** What models that failed before the answer consumed. */
  spent: ModelSpend[];
}

/** How a turn ended: the part of its `TurnResult` that is not usage. */
export type TurnEnding = Pick<TurnResult, 'status' | 'response' | 'steps' | 'error' | 'code'>;

/** Which turn, and when it ended. */
export type TurnIdentity = Pick<TurnResult, 'session_id' | 'turn_id' | 'created_at'>;

const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;

/**
 * What a turn spent and tried: every model call (tokens, cost) — answered, and also the attempts
 * that failed or were cancelled after the provider started answering, since those are billed too —
 * every model the fallback chain tried, the tools the model used. Totals are sums over the model
 * calls, so the session's budget counts every attempt.
 */
export class TurnUsage {
  private readonly modelCalls: ModelCallUsage[] = [];
  private readonly modelsTried: ModelAttempt[] = [];
  private readonly toolsUsed = new Set<string>();
  private offlineFallback = false;

  /** `modelUsed` is the model that answered last; before any answer, the one the turn expects. */
  constructor(private modelUsed: string) {}

  /** The usage a record holds: a copy, so recording more leaves the record as it was. */
  static from(record: TurnUsageRecord): TurnUsage {
    const usage = new TurnUsage(record.model_used);
    usage.modelCalls.push(...record.model_calls);
    usage.modelsTried.push(...record.models_tried);
    for (const tool of record.tools_used) usage.toolsUsed.add(tool);
    usage.offlineFallback = record.offline_fallback;
    return usage;
  }

  record(): TurnUsageRecord {
    return {
      model_used: this.modelUsed,
      model_calls: [...this.modelCalls],
      models_tried: [...this.modelsTried],
      tools_used: [...this.toolsUsed],
      offline_fallback: this.offlineFallback,
    };
  }

  /** A model call of step `step` answered (after the chain tried `answer.attempts`). */
  recordAnswer(step: number, answer: ModelChainAnswer): void {
    const { result } = answer;
    this.recordAttempts(step, answer.attempts);
    this.recordSpent(step, answer.spent, 'failed');
    if (result.failed_attempts_spend) this.recordSpent(step, [result.failed_attempts_spend], 'failed');
    this.modelUsed = result.model;
    this.offlineFallback ||= answer.offlineFallback;
    this.modelCalls.push({
      model: result.model,
      step,
      prompt_tokens: result.prompt_tokens,
      completion_tokens: result.completion_tokens,
      usage_estimated: result.usage_estimated,
      cost: result.cost,
    });
  }

  /** Tokens attempts at `step` consumed without answering (a reset stream, a cancelled one, a failed model). */
  recordSpent(step: number, spent: ModelSpend[], outcome: 'failed' | 'cancelled'): void {
    for (const s of spent) {
      this.modelCalls.push({
        model: s.model,
        step,
        outcome,
        prompt_tokens: s.prompt_tokens,
        completion_tokens: s.completion_tokens,
        usage_estimated: s.usage_estimated,
        cost: s.cost,
      });
    }
  }

  /** Models the chain tried at `step`, answered or not. */
  recordAttempts(step: number, attempts: ModelAttempt[]): void {
    this.modelsTried.push(...attempts.map((a) => ({ ...a, step })));
  }

  /** Tools the model asked for that the registry knows (each counted once per turn). */
  recordToolCalls(calls: ModelToolCall[]): void {
    for (const call of calls) if (call.known) this.toolsUsed.add(call.name);
  }

  resultOf(turn: TurnIdentity, ending: TurnEnding): TurnResult {
    const promptTokens = this.modelCalls.reduce((n, c) => n + c.prompt_tokens, 0);
    const completionTokens = this.modelCalls.reduce((n, c) => n + c.completion_tokens, 0);
    return {
      session_id: turn.session_id,
      turn_id: turn.turn_id,
      status: ending.status,
      response: ending.response,
      tools_used: [...this.toolsUsed],
      model_used: this.modelUsed,
      tokens_used: promptTokens + completionTokens,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      cost: roundUsd(this.modelCalls.reduce((n, c) => n + c.cost, 0)),
      steps: ending.steps,
      ...(ending.error ? { error: ending.error } : {}),
      ...(ending.code ? { code: ending.code } : {}),
      models_tried: this.modelsTried,
      model_calls: this.modelCalls,
      offline_fallback: this.offlineFallback,
      created_at: turn.created_at,
    };
  }
}
