import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ModelToolCall, SessionActivities, ToolActivity, ToolResult } from '../src/contract/activity-io';
import type { RejectionCode, SessionEvent } from '../src/contract/event-catalog';
import type { SessionSnapshot } from '../src/contract/session';
import { trimConversation } from './context-window';
import { callModelChain, ModelChainFailure } from './model-chain';
import { ChatLastActivity, ChatModel, ChatSessionStatus, ChatTurns } from '../src/contract/search-attributes';
import { sessionDetails } from './session-details';
import { snapshotOf, titleOf } from '../src/contract/session-shapes';
import { cancelTurnSignal, endSessionSignal, stateQuery, userMessageSignal } from '../src/contract/session-workflow';
import type { ChatMessage } from '../src/contract/chat-message';
import type { ChatSessionInput, EndSessionRequest, SessionState, SessionView } from '../src/contract/session';
import type { CurrentTurn, ModelAttempt, ModelCallUsage, TurnResult, UserMessage } from '../src/contract/turn';

const RECENT_TURN_IDS = 500;

const store = proxyActivities<Pick<SessionActivities, 'archiveTurn' | 'mirrorSession' | 'publishEvents' | 'recordSessionEnd'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 20 },
});

/**
 * The archive write runs as a local activity, inside the workflow task that received the model's
 * answer: one activity and one workflow task round trip through the server less per turn (the
 * bench measured each at tens of ms; bench/README.md). The mirror stays a regular activity so the
 * `done` event still follows the recorded workflow task (search attributes, details included).
 */
const localStore = proxyLocalActivities<Pick<SessionActivities, 'archiveTurn'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 20 },
});

/** Histories recorded before the archive became a local activity replay through the regular one. */
const ARCHIVE_LOCAL_PATCH = 'archive-turn-local-activity';

const tools = proxyActivities<Record<string, ToolActivity>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
});

/** Runs one tool call as its own activity type, with the retry policy the registry gave it. */
function runToolCall(sessionId: string, turnId: string, call: ModelToolCall, requestId?: string): Promise<ToolResult> {
  if (!call.known || !call.policy) {
    return Promise.resolve({ ok: false, content: JSON.stringify({ error: `Unknown tool "${call.name}"` }), error: 'unknown tool' });
  }
  const args = call.arguments.length > 80 ? `${call.arguments.slice(0, 77)}...` : call.arguments;
  return tools[call.name].executeWithOptions(
    {
      startToCloseTimeout: `${call.policy.timeout_seconds} seconds`,
      retry: { initialInterval: '500 milliseconds', maximumAttempts: call.policy.maximum_attempts },
      summary: `${call.name} ${args}`,
    },
    [{ session_id: sessionId, turn_id: turnId, request_id: requestId, call_id: call.id, arguments: call.arguments }],
  );
}

function initialState(input: ChatSessionInput): SessionState {
  return {
    session_id: input.session_id,
    owner: input.owner,
    title: null,
    status: 'active',
    created_at: input.created_at,
    last_activity_at: input.created_at,
    messages: [],
    turns: 0,
    tokens_used: 0,
    cost: 0,
    pending: [],
    recent_turn_ids: [],
  };
}

/** Time as the workflow sees it: replay-safe (the SDK makes Date deterministic). */
const nowIso = () => new Date().toISOString();

/** Partial text the cancelled model activity put in its CancelledFailure details. */
function partialTextOf(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure) cause = cause.cause;
  const details = cause instanceof CancelledFailure ? cause.details : [];
  return typeof details[0] === 'string' ? details[0] : '';
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * One chat session. User messages arrive as signals and queue up (FIFO); turns run one at a
 * time: model → tools (each its own activity, in parallel) → model … → archive → mirror.
 * Tokens never pass through here; the model activity streams them to Redis.
 */
export async function chatSessionWorkflow(input: ChatSessionInput): Promise<SessionView> {
  const settings = input.settings;
  const state = input.carried ?? initialState(input);
  let currentTurn: CurrentTurn | null = null;
  let endRequested = false;
  let endReason: 'deleted' | 'idle' = 'idle';
  let turnsThisRun = 0;

  const view = (): SessionView => ({
    session_id: state.session_id,
    owner: state.owner,
    title: state.title,
    status: state.status,
    created_at: state.created_at,
    last_activity_at: state.last_activity_at,
    turns: state.turns,
    tokens_used: state.tokens_used,
    cost: state.cost,
    messages: state.messages,
    current_turn: currentTurn,
    pending: state.pending.length,
  });

  const snapshot = (): SessionSnapshot => snapshotOf(view());

  let turnScope: CancellationScope | undefined;
  const rememberTurnId = (turnId: string) => {
    state.recent_turn_ids = [...state.recent_turn_ids, turnId].slice(-RECENT_TURN_IDS);
  };

  /** Answers a message without running it: the waiting client gets an `error` event with `code`. */
  async function refuse(message: UserMessage, code: RejectionCode, text: string): Promise<void> {
    rememberTurnId(message.turn_id);
    await store.publishEvents({
      session_id: state.session_id,
      events: [{ type: 'error', data: { turn_id: message.turn_id, status: 'rejected', code, message: text } }],
    });
  }

  setHandler(userMessageSignal, async (message: UserMessage) => {
    const seen =
      currentTurn?.turn_id === message.turn_id || state.recent_turn_ids.includes(message.turn_id) || state.pending.some((p) => p.turn_id === message.turn_id);
    if (seen) {
      log.info('Ignoring repeated turn', { turn_id: message.turn_id, request_id: message.request_id });
      return;
    }
    if (state.status === 'ended' || endRequested) {
      await refuse(message, 'session_ended', 'This session has ended; start a new session.');
      return;
    }
    const busy = currentTurn !== null || state.pending.length > 0;
    const policy = message.options.double_texting ?? 'enqueue';
    if (busy && policy === 'reject') {
      await refuse(message, 'session_busy', 'A turn is already running in this session (double_texting=reject).');
      return;
    }
    if (state.pending.length >= settings.max_pending_messages) {
      await refuse(message, 'session_queue_full', `${state.pending.length} messages already wait in this session; retry when a turn has finished.`);
      return;
    }
    if (busy && policy === 'interrupt') {
      state.pending.unshift(message);
      turnScope?.cancel();
      return;
    }
    state.pending.push(message);
  });
  setHandler(cancelTurnSignal, () => {
    turnScope?.cancel();
  });
  setHandler(endSessionSignal, (request?: EndSessionRequest) => {
    endRequested = true;
    endReason = 'deleted';
    if (request?.cancel_running) turnScope?.cancel();
  });
  setHandler(stateQuery, view);

  async function runTurn(message: UserMessage): Promise<{ result: TurnResult; messages: ChatMessage[] }> {
    const turnMessages: ChatMessage[] = [{ role: 'user', content: message.text, turn_id: message.turn_id, created_at: message.received_at }];
    const toolsUsed: string[] = [];
    const modelCalls: ModelCallUsage[] = [];
    const modelsTried: ModelAttempt[] = [];
    let modelUsed = message.options.model ?? settings.models[0]?.name ?? 'none';
    let offlineFallback = false;
    let response = '';
    let status: TurnResult['status'] = 'completed';
    let error: string | undefined;
    let step = 0;
    const failedModels = new Set<string>();
    let code: string | undefined;
    const logFields = { session_id: state.session_id, turn_id: message.turn_id, request_id: message.request_id };
    log.info('Turn started', logFields);

    const overBudget =
      (settings.max_session_tokens > 0 && state.tokens_used >= settings.max_session_tokens) ||
      (settings.max_session_cost > 0 && state.cost >= settings.max_session_cost);
    try {
      if (overBudget) {
        // Refused before any model call: the session already spent what it may.
        status = 'failed';
        code = 'budget_exceeded';
        error = `This session has used its budget (${state.tokens_used} tokens, $${state.cost.toFixed(6)}); start a new session.`;
        response = error;
      } else {
        for (step = 1; step <= settings.max_tool_steps; step++) {
          currentTurn = { turn_id: message.turn_id, step, phase: 'model' };
          const history = trimConversation(state.messages, settings.history_window_messages, settings.history_token_budget);
          const context: ChatMessage[] = [{ role: 'system', content: settings.system_prompt }, ...history, ...turnMessages];
          const { result, attempts, offlineFallback: usedOffline } = await callModelChain(
            settings,
            {
              session_id: state.session_id,
              turn_id: message.turn_id,
              request_id: message.request_id,
              step,
              messages: context.map(({ created_at: _c, turn_id: _t, ...m }) => m),
              use_tools: message.options.use_tools,
              temperature: message.options.temperature,
              max_tokens: message.options.max_tokens,
            },
            message.options.model,
            failedModels,
          );
          modelsTried.push(...attempts.map((a) => ({ ...a, step })));
          modelUsed = result.model;
          offlineFallback ||= usedOffline;
          modelCalls.push({
            model: result.model,
            step,
            prompt_tokens: result.prompt_tokens,
            completion_tokens: result.completion_tokens,
            usage_estimated: result.usage_estimated,
            cost: result.cost,
          });

          if (result.tool_calls.length === 0) {
            response = result.content;
            break;
          }
          turnMessages.push({
            role: 'assistant',
            content: result.content || null,
            tool_calls: result.tool_calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
            turn_id: message.turn_id,
          });
          currentTurn = { turn_id: message.turn_id, step, phase: 'tools' };
          toolsUsed.push(...result.tool_calls.filter((c) => c.known).map((c) => c.name));
          const results = await Promise.all(result.tool_calls.map((call) => runToolCall(state.session_id, message.turn_id, call, message.request_id)));
          result.tool_calls.forEach((call, i) => {
            turnMessages.push({ role: 'tool', tool_call_id: call.id, content: results[i].content, turn_id: message.turn_id });
          });
        }
        if (step > settings.max_tool_steps) {
          step = settings.max_tool_steps;
          response = `I stopped after ${settings.max_tool_steps} model calls without reaching a final answer; the tool results so far are in this turn's history.`;
        }
      }
    } catch (err) {
      if (isCancellation(err)) {
        // The model activity hands back what it had streamed, so the partial answer is kept.
        status = 'cancelled';
        response = partialTextOf(err);
      } else {
        status = 'failed';
        if (err instanceof ModelChainFailure) modelsTried.push(...err.attempts.map((a) => ({ ...a, step })));
        error = failureMessage(err);
        response = `The model could not answer: ${error}`;
        log.warn('Turn failed', { ...logFields, error });
      }
    }

    const createdAt = nowIso();
    turnMessages.push({ role: 'assistant', content: response, turn_id: message.turn_id, created_at: createdAt });
    const promptTokens = modelCalls.reduce((n, c) => n + c.prompt_tokens, 0);
    const completionTokens = modelCalls.reduce((n, c) => n + c.completion_tokens, 0);
    const result: TurnResult = {
      session_id: state.session_id,
      turn_id: message.turn_id,
      status,
      response,
      tools_used: [...new Set(toolsUsed)],
      model_used: modelUsed,
      tokens_used: promptTokens + completionTokens,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      cost: Math.round(modelCalls.reduce((n, c) => n + c.cost, 0) * 1e6) / 1e6,
      steps: overBudget ? 0 : Math.max(1, step),
      ...(error ? { error } : {}),
      ...(code ? { code } : {}),
      models_tried: modelsTried,
      model_calls: modelCalls,
      offline_fallback: offlineFallback,
      created_at: createdAt,
    };
    log.info('Turn finished', { ...logFields, status, steps: result.steps, model_used: modelUsed, tokens_used: result.tokens_used });
    return { result, messages: turnMessages };
  }

  const recordSeed = () => ({ owner: state.owner, created_at: state.created_at, title: state.title });

  /** What operators see in the Web UI: search attributes and the current-details pane. */
  function publishToOperators(lastModel?: string): void {
    setCurrentDetails(sessionDetails(state));
    if (!settings.search_attributes) return;
    upsertSearchAttributes([
      { key: ChatSessionStatus, value: state.status },
      { key: ChatTurns, value: state.turns },
      { key: ChatLastActivity, value: new Date(state.last_activity_at) },
      ...(lastModel ? [{ key: ChatModel, value: lastModel }] : []),
    ]);
  }

  /** Archives the turn (once, by turn_id), then publishes its final event with the new snapshot. */
  async function recordTurn(message: UserMessage, result: TurnResult, turnMessages: ChatMessage[]): Promise<void> {
    // The window kept in state is bounded by count; the token budget applies when building context.
    state.messages = trimConversation([...state.messages, ...turnMessages], settings.history_window_messages);
    state.title ??= titleOf(message.text);
    state.turns += 1;
    state.tokens_used += result.tokens_used;
    state.cost += result.cost;
    state.last_activity_at = result.created_at;
    rememberTurnId(message.turn_id);

    currentTurn = { turn_id: message.turn_id, step: result.steps, phase: 'archiving' };
    const archive = { result, user_message: message.text, metadata: { received_at: message.received_at }, session: recordSeed() };
    if (patched(ARCHIVE_LOCAL_PATCH)) await localStore.archiveTurn(archive);
    else await store.archiveTurn(archive);
    currentTurn = null;
    publishToOperators(result.model_used);
    const eventType = result.status === 'completed' ? 'done' : result.status === 'cancelled' ? 'cancelled' : 'error';
    const event: SessionEvent = { type: eventType, data: { ...result } };
    await store.mirrorSession({ snapshot: snapshot(), events: [event] });
  }

  async function completeTurn(message: UserMessage): Promise<void> {
    turnScope = new CancellationScope();
    const { result, messages: turnMessages } = await turnScope.run(() => runTurn(message)).finally(() => {
      turnScope = undefined;
    });
    await recordTurn(message, result, turnMessages);
  }

  /** A message the session accepted but will not run because it is ending: kept in the archive as cancelled. */
  async function dropQueued(message: UserMessage): Promise<void> {
    const result: TurnResult = {
      session_id: state.session_id,
      turn_id: message.turn_id,
      status: 'cancelled',
      code: 'session_ended',
      response: '',
      error: 'The session ended before this message ran.',
      tools_used: [],
      model_used: 'none',
      tokens_used: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost: 0,
      steps: 0,
      models_tried: [],
      model_calls: [],
      offline_fallback: false,
      created_at: nowIso(),
    };
    await recordTurn(message, result, [{ role: 'user', content: message.text, turn_id: message.turn_id, created_at: message.received_at }]);
  }

  setCurrentDetails(sessionDetails(state));
  while (true) {
    const woke = await condition(() => state.pending.length > 0 || endRequested, settings.idle_timeout as Duration);
    if (!woke || endRequested) break;
    const next = state.pending.shift();
    if (next) {
      await completeTurn(next);
      turnsThisRun += 1;
    }
    const longRun = workflowInfo().continueAsNewSuggested || turnsThisRun >= settings.continue_as_new_after_turns;
    if (longRun && !endRequested) {
      // Signals that arrive meanwhile land in state.pending, which the next run carries.
      await condition(allHandlersFinished);
      await continueAsNew<typeof chatSessionWorkflow>({ ...input, carried: state });
    }
  }

  while (state.pending.length > 0) await dropQueued(state.pending.shift() as UserMessage);
  state.status = 'ended';
  const endedAt = nowIso();
  publishToOperators();
  await condition(allHandlersFinished);
  await store.recordSessionEnd({ session_id: state.session_id, session: recordSeed(), ended_at: endedAt, reason: endReason });
  await store.mirrorSession({ snapshot: snapshot(), events: [{ type: 'session_ended', data: { session_id: state.session_id, reason: endReason, ended_at: endedAt } }] });
  return view();
}
