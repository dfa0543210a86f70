import { isCancellation, log, patched } from '@temporalio/workflow';
import type {
  CallModelResult,
  FinishedTurn,
  ModelToolCall,
  TurnFinish,
  TurnUsageRecord,
} from '../src/contract/activity-io';
import type { ChatMessage } from '../src/contract/chat-message';
import {
  answerKey,
  toolResultKey,
  summaryNote,
  turnRangeOf,
  userChatMessage,
  userMessageKey,
  type MessageRef,
} from '../src/contract/conversation';
import type { SessionSettings, SessionState, SessionSummary } from '../src/contract/session';
import type { CurrentTurn, TurnResult, UserMessage } from '../src/contract/turn';
import { trimConversation, turnsAfter } from './context-window';
import { windowTokenBudget } from './conversation-summaries';
import { failureMessage, partialSpendOf, partialTextOf } from './failure-message';
import { callModelChain, ModelChainFailure } from './model-chain';
import { nowIso } from './now-iso';
import { runToolCall } from './session-activities';
import { declinedToolResult, type ToolApprovals } from './tool-approvals';
import { TurnUsage, type ModelChainAnswer, type TurnEnding } from '../src/contract/turn-usage';

/** Marks histories whose tool calls may wait for approval (calls with needs_approval, or approval=always). */
const TOOL_APPROVAL_PATCH = 'tool-approval';

/** What the session needs to run a turn: its totals (for the budget) and its conversation window. */
export type TurnSession = Pick<SessionSummary, 'session_id' | 'owner' | 'tokens_used' | 'cost' | 'turns'> &
  Pick<SessionState, 'messages' | 'summary'>;

/** How a turn's model calls get the conversation (each decided per turn by its patch). */
export interface TurnMode {
  /** The history goes by reference (HISTORY_REF_PATCH). */
  byReference: boolean;
  /** Turns before the window are summarised; the summary leads the context (SUMMARIES_PATCH). */
  summaries: boolean;
}

/** A finished turn: its result, and the messages it adds to the conversation (user message first). */
export interface TurnOutcome {
  result: TurnResult;
  messages: ChatMessage[];
  /** Its last model call archived and published it already: `result` is the archived one. */
  finished?: FinishedTurn;
}

/** How a model call may end the turn itself (history by reference, FINISH_IN_MODEL_CALL_PATCH). */
export interface TurnFinisher {
  /** What the call needs to end the turn on a final answer; undefined: the session ends it after the turn. */
  finishOf(turnMessages: ChatMessage[], usage: TurnUsageRecord): TurnFinish | undefined;
  /** A call that had a `finish` returned or failed; `finished` when it ended the turn. */
  callReturned(finished: FinishedTurn | undefined): Promise<void>;
}

/**
 * One turn: build the context → call the model (fallback chain) → run the requested tools, each
 * its own activity, in parallel → back to the model, until it answers without tools or
 * `max_tool_steps` model calls were made. `run()` always resolves: a failure or a cancellation
 * (partial answer kept) is a result too. Every assistant message with tool calls is followed by
 * one tool message per call.
 */
export class Turn {
  /** This turn's messages: the user message, then tool exchanges; the final answer is added last. */
  private readonly messages: ChatMessage[];
  /** `messages` as callModel gets them by reference: the stored ones by key, the ones the workflow made inline. */
  private readonly refs: MessageRef[];
  private readonly usage: TurnUsage;
  /** Models that failed earlier in this turn: later steps do not try them again. */
  private readonly failedModels = new Set<string>();
  /** The model-call step in progress (1-based); 0 before the first call. */
  private step = 0;
  /** Set when the last model call archived and published the turn's end itself. */
  private finished: FinishedTurn | undefined;

  constructor(
    private readonly message: UserMessage,
    private readonly session: TurnSession,
    private readonly settings: SessionSettings,
    /** Called whenever the turn moves to another step or phase (for the `state` query). */
    private readonly report: (progress: CurrentTurn) => void,
    /** Where calls that need approval wait for their decision. */
    private readonly approvals?: ToolApprovals,
    private readonly mode: TurnMode = { byReference: false, summaries: false },
    private readonly finisher?: TurnFinisher,
  ) {
    this.messages = [userChatMessage(message)];
    this.refs = [{ stored: userMessageKey(message.turn_id) }];
    this.usage = new TurnUsage(message.options.model ?? settings.models[0]?.name ?? 'none');
  }

  private get logFields() {
    return { session_id: this.session.session_id, turn_id: this.message.turn_id, request_id: this.message.request_id };
  }

  async run(): Promise<TurnOutcome> {
    log.info('Turn started', this.logFields);
    const ending = this.isOverBudget() ? this.budgetRefusal() : await this.converseOrFail();
    const { finished } = this;
    // A turn its model call ended is the archive's: its time and result, as published.
    const createdAt = finished?.result.created_at ?? nowIso();
    this.messages.push({
      role: 'assistant',
      content: ending.response,
      turn_id: this.message.turn_id,
      created_at: createdAt,
    });
    const result = finished
      ? { ...finished.result, response: ending.response }
      : this.usage.resultOf(
          { session_id: this.session.session_id, turn_id: this.message.turn_id, created_at: createdAt },
          ending,
        );
    log.info('Turn finished', {
      ...this.logFields,
      status: result.status,
      steps: result.steps,
      model_used: result.model_used,
      tokens_used: result.tokens_used,
    });
    return { result, messages: this.messages, ...(finished ? { finished } : {}) };
  }

  /** The session already spent its token or cost budget: no model is called. */
  private isOverBudget(): boolean {
    const { settings, session } = this;
    return (
      (settings.max_session_tokens > 0 && session.tokens_used >= settings.max_session_tokens) ||
      (settings.max_session_cost > 0 && session.cost >= settings.max_session_cost)
    );
  }

  private budgetRefusal(): TurnEnding {
    const error = `This session has used its budget (${this.session.tokens_used} tokens, $${this.session.cost.toFixed(6)}); start a new session.`;
    return { status: 'failed', code: 'budget_exceeded', error, response: error, steps: 0 };
  }

  private async converseOrFail(): Promise<TurnEnding> {
    try {
      const response = await this.converse();
      return { status: 'completed', response, steps: this.stepsTaken() };
    } catch (err) {
      if (isCancellation(err)) {
        // A cancelled stream was billed for what it consumed: the budget counts it (interrupt loops).
        this.usage.recordSpent(this.stepsTaken(), partialSpendOf(err), 'cancelled');
        return { status: 'cancelled', response: partialTextOf(err), steps: this.stepsTaken() };
      }
      if (err instanceof ModelChainFailure) {
        this.usage.recordAttempts(this.step, err.attempts);
        this.usage.recordSpent(this.stepsTaken(), err.spent, 'failed');
      }
      const error = failureMessage(err);
      log.warn('Turn failed', { ...this.logFields, error });
      return { status: 'failed', error, response: `The model could not answer: ${error}`, steps: this.stepsTaken() };
    }
  }

  private stepsTaken(): number {
    return Math.max(1, this.step);
  }

  /** Model and tools in alternation; resolves with the final answer. */
  private async converse(): Promise<string> {
    const maxSteps = this.settings.max_tool_steps;
    for (this.step = 1; this.step <= maxSteps; this.step++) {
      const answer = await this.callModel();
      if (answer.tool_calls.length === 0) return answer.content;
      await this.runTools(answer);
    }
    this.step = maxSteps;
    return `I stopped after ${maxSteps} model calls without reaching a final answer; the tool results so far are in this turn's history.`;
  }

  /** One model call of the current step, down the fallback chain, with the context built afresh. */
  private async callModel(): Promise<CallModelResult> {
    const { message, session, settings, step } = this;
    this.report({ turn_id: message.turn_id, step, phase: 'model' });
    const { byReference, summaries } = this.mode;
    const summary = summaries ? session.summary : undefined;
    const history = summaries
      ? trimConversation(
          turnsAfter(session.messages, session.turns, summary?.through ?? 0),
          settings.history_window_messages,
          windowTokenBudget(settings),
        )
      : trimConversation(session.messages, settings.history_window_messages, settings.history_token_budget);
    const system: ChatMessage = { role: 'system', content: settings.system_prompt };
    const lead = summary ? [system, summaryNote(summary)] : [system];
    const context = [...lead, ...history, ...this.messages].map(({ created_at: _c, turn_id: _t, ...m }) => m);
    const historyTurns = byReference ? turnRangeOf(history, session.turns) : undefined;
    const finish = byReference ? this.finisher?.finishOf([...this.messages], this.usage.record()) : undefined;
    let answer: ModelChainAnswer | undefined;
    try {
      answer = await callModelChain(
        settings,
        {
          session_id: session.session_id,
          turn_id: message.turn_id,
          request_id: message.request_id,
          step,
          ...(byReference
            ? {
                messages: historyTurns
                  ? [system]
                  : [system, ...context.slice(lead.length, lead.length + history.length)],
                ...(summary ? { summary_through: summary.through } : {}),
                ...(historyTurns ? { history_turns: historyTurns } : {}),
                turn_messages: this.refs,
                ...(finish ? { finish } : {}),
              }
            : { messages: context }),
          use_tools: message.options.use_tools,
          temperature: message.options.temperature,
          max_tokens: message.options.max_tokens,
          ...(message.options.approval === 'always' ? { approval: 'always' as const } : {}),
          // A payload field, not a command: the activity recalls the owner's memories with it.
          owner: session.owner,
        },
        message.options.model,
        this.failedModels,
        byReference ? context : undefined,
      );
    } finally {
      if (finish) await this.finisher?.callReturned(answer?.result.finished);
    }
    this.finished = answer.result.finished;
    this.usage.recordAnswer(step, answer);
    return answer.result;
  }

  /**
   * Runs every tool call of the model's answer in parallel and adds the results to the turn. When
   * the step does not finish (the turn is cancelled or interrupted, or a tool runs out of retries),
   * each call still gets a result: a synthetic `{"error":"cancelled"}` or `{"error":"failed: …"}`.
   * Kept rather than dropping the exchange so the model later sees what it asked for and that it did
   * not happen (it will not claim a result, and may retry); strict providers answer 400 to a tool call
   * without a result.
   */
  private async runTools(answer: CallModelResult): Promise<void> {
    const { message, session } = this;
    const calls = answer.tool_calls;
    const asked: ChatMessage = {
      role: 'assistant',
      content: answer.content || null,
      tool_calls: calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
      turn_id: message.turn_id,
    };
    this.messages.push(asked);
    // callModel stored this answer under its step's key before it returned.
    this.refs.push({ stored: answerKey(message.turn_id, this.step) });
    this.report({ turn_id: message.turn_id, step: this.step, phase: 'tools' });
    this.usage.recordToolCalls(calls);
    const results: Array<string | undefined> = calls.map(() => undefined);
    /** Results a tool activity returned (and so stored); the others the workflow made. */
    const stored = calls.map(() => false);
    const gated = this.callsNeedingApproval(calls);
    if (gated.size > 0) this.approvals?.open(message.turn_id, this.step, [...gated], new Date());
    const run = async (call: ModelToolCall, i: number) => {
      const result = await runToolCall(session.session_id, message.turn_id, call, message.request_id);
      // An unknown tool schedules no activity: its error result is the workflow's.
      stored[i] = call.known && !!call.policy;
      return result.content;
    };
    try {
      // Calls that need no approval run at once; the others each wait for their own decision.
      const running = calls.map(async (call, i) => {
        if (!gated.has(call) || !this.approvals) return (results[i] = await run(call, i));
        const resolution = await this.approvals.resolutionOf(call.id);
        results[i] =
          resolution.outcome === 'approved'
            ? await run({ ...call, arguments: resolution.arguments ?? call.arguments }, i)
            : declinedToolResult(resolution);
      });
      if (gated.size > 0) await this.settleWithApprovals(running);
      else await Promise.all(running);
    } catch (err) {
      const unfinished = JSON.stringify({
        error: isCancellation(err) ? 'cancelled' : `failed: ${failureMessage(err)}`,
      });
      results.forEach((content, i) => (results[i] = content ?? unfinished));
      throw err;
    } finally {
      calls.forEach((call, i) => {
        const result: ChatMessage = {
          role: 'tool',
          tool_call_id: call.id,
          content: results[i] ?? '',
          turn_id: message.turn_id,
        };
        this.messages.push(result);
        this.refs.push(stored[i] ? { stored: toolResultKey(message.turn_id, call.id) } : result);
      });
    }
  }

  /**
   * Waits for every call of a step with approvals, so each waiting call publishes its
   * `approval_resolved` before the turn ends; the first failure then fails the step. A call that
   * fails out of retries releases the calls still waiting (as cancelled) instead of leaving them to expire.
   */
  private async settleWithApprovals(running: Array<Promise<unknown>>): Promise<void> {
    const settled = await Promise.allSettled(
      running.map((call) =>
        call.catch((err: unknown) => {
          this.approvals?.cancelAll('another tool call of this step failed');
          throw err;
        }),
      ),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Calls that wait for a decision: known tools whose policy asks for it, or every known tool when
   * the message asked `approval: always`. Histories from before approvals never get here (no call
   * had needs_approval), and the patch keeps their replays free of the new commands.
   */
  private callsNeedingApproval(calls: ModelToolCall[]): Set<ModelToolCall> {
    if (!this.approvals) return new Set();
    const always = this.message.options.approval === 'always';
    const gated = calls.filter((call) => call.known && (call.needs_approval === true || always));
    return gated.length > 0 && patched(TOOL_APPROVAL_PATCH) ? new Set(gated) : new Set();
  }
}
