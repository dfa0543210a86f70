import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ChatMessage } from '../src/contract/chat-message';
import { turnRangeOf, userChatMessage } from '../src/contract/conversation';
import type { RejectionCode, SessionEvent } from '../src/contract/event-catalog';
import type {
  ChatSessionInput,
  EndSessionRequest,
  SessionEndReason,
  SessionRecordSeed,
  SessionSettings,
  SessionSnapshot,
  SessionState,
  SessionView,
} from '../src/contract/session';
import { snapshotOf, titleOf } from '../src/contract/session-shapes';
import type { CancelTurnRequest } from '../src/contract/session-workflow';
import { DEFAULT_TOOL_APPROVAL_TIMEOUT } from '../src/contract/approval-wait';
import type { ApprovalAnswer, ApprovalDecision } from '../src/contract/tool-approval';
import type { CurrentTurn, TurnResult, UserMessage } from '../src/contract/turn';
import type { FinishedTurn, TurnFinish, TurnUsageRecord } from '../src/contract/activity-io';
import { compareStreamIds } from '../src/contract/stream-id';
import { trimConversation } from './context-window';
import { historyByReference, withInlineFallback } from './history-by-reference';
import { nowIso } from './now-iso';
import { publishToOperators, showAwaitingApproval, showSessionDetails } from './operator-visibility';
import { sessionStore, summarizer, type SessionStore } from './session-activities';
import { summariesOn, summaryDue, summaryMaxChars } from './conversation-summaries';
import { ToolApprovals } from './tool-approvals';
import { Turn, type TurnFinisher, type TurnMode } from './turn';
import { TurnUsage } from '../src/contract/turn-usage';

/** Turn ids remembered for duplicate detection (carried across continue-as-new). */
const RECENT_TURN_IDS = 500;

/** Marks histories whose runs also continue as new when idle, counting signals that ran no turn. */
const IDLE_CONTINUE_AS_NEW_PATCH = 'continue-as-new-when-idle';
/** Marks histories where `max_pending_messages: 0` runs a message that arrives while idle. */
const NO_QUEUE_PATCH = 'max-pending-zero-runs-when-idle';
/** Marks histories where a message that arrived as the idle timer fired was run, not dropped. */
const IDLE_TIMEOUT_MESSAGE_PATCH = 'idle-timeout-keeps-message';
/**
 * Marks histories with one idle timer per idle period: a message does not cancel it; when it fires
 * early (the session was busy meanwhile) it is set again for the rest of the period.
 */
const ONE_IDLE_TIMER_PATCH = 'one-idle-timer';
/**
 * Marks histories whose turns end in one local activity (archive, then `done` and the snapshot),
 * with the search attributes upserted after it, only those that changed.
 */
const FINISH_TURN_PATCH = 'finish-turn-local-activity';
/**
 * Marks histories whose turns (history by reference) are ended by their last model call: an answer
 * without tool calls is archived, then published, by `callModel` itself; no local activity follows.
 */
const FINISH_IN_MODEL_CALL_PATCH = 'finish-turn-in-model-call';

/** What the session does with an arriving message. */
export type Admission =
  /** Its turn_id was seen already: signals are idempotent, nothing happens. */
  | { decision: 'ignore' }
  /** Not run: the waiting client gets an `error` event with `code`. */
  | { decision: 'refuse'; code: RejectionCode; reason: string }
  /** Cancels the running turn (its partial answer is kept); this message runs next. */
  | { decision: 'interrupt' }
  /** Waits its turn at the back of the queue (FIFO). */
  | { decision: 'enqueue' };

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

/**
 * One chat session's state and rules: which messages it admits, the FIFO of pending messages, one
 * turn at a time, how a turn is recorded (state, archive, mirror) and how the session ends. Every
 * message it accepted is answered exactly once: by its turn's result, a refusal, or — when the
 * session ends first — a `cancelled` result with code `session_ended`.
 */
export class ChatSession {
  /** Everything carried across continue-as-new. */
  readonly state: SessionState;
  private readonly settings: SessionSettings;
  /** The turn being run or archived; null between turns. */
  private currentTurn: CurrentTurn | null = null;
  private endRequested = false;
  private endReason: SessionEndReason = 'idle';
  /** Defined exactly while a turn runs: cancelling it cancels that turn. */
  private turnScope: CancellationScope | undefined;
  /** The turn `turnScope` runs. */
  private runningTurnId: string | undefined;
  private turnsThisRun = 0;
  /** Signals of this run that ran no turn (cancels, refused or repeated messages): they grow the history too. */
  private signalsWithoutTurn = 0;
  /** Whether this history continues as new when idle (IDLE_CONTINUE_AS_NEW_PATCH). */
  private idleContinueAsNew = false;
  private readonly store: SessionStore;
  /** Tool calls of the running turn waiting for a decision (never across continue-as-new: it happens between turns). */
  private readonly approvals: ToolApprovals;
  /** What ChatAwaitingApproval was last set to in this run. */
  private awaitingApproval = false;
  /** Workflow time since which the session waits for a message; undefined while a turn runs (ONE_IDLE_TIMER_PATCH). */
  private idleSince: number | undefined;
  /** The idle timer is set (at most one at a time). */
  private idleTimerSet = false;
  /** The session was idle for `idle_timeout`. */
  private idleExpired = false;
  /** A model call that may end the running turn itself is out (FINISH_IN_MODEL_CALL_PATCH). */
  private finishingCall = false;
  /** `reject` messages that came during that call: their client may have seen its `done` already. */
  private undecided: UserMessage[] = [];
  /** Of those, the ones sent after the call published `done`: admitted once the turn is recorded. */
  private admitAfterTurn: UserMessage[] = [];

  constructor(input: ChatSessionInput) {
    this.settings = input.settings;
    this.store = sessionStore(input.settings);
    this.approvals = new ToolApprovals(
      (input.settings.tool_approval_timeout ?? DEFAULT_TOOL_APPROVAL_TIMEOUT) as Duration,
      {
        changed: (pending) => {
          showAwaitingApproval(this.state, pending, this.settings.search_attributes, this.awaitingApproval);
          this.awaitingApproval = pending.length > 0;
        },
        // Not cancellable: a cancel of the turn must not cut the `approval_required` write its `approval_resolved` follows.
        announce: (events) =>
          CancellationScope.nonCancellable(() =>
            this.unlessBug('mirror an approval', this.runningTurnId, () => this.mirror(events)),
          ),
      },
    );
    const { end_requested, ...carried } = input.carried ?? initialState(input);
    this.state = carried;
    // An end asked for while the previous run handed over: this run only ends the session.
    if (end_requested) this.requestEnd();
  }

  /** The state the next run starts from (continue-as-new), an end already asked for included. */
  carriedState(): SessionState {
    return this.endRequested ? { ...this.state, end_requested: true } : this.state;
  }

  /** The message's turn is running, was run or refused recently, or waits in the queue. */
  isDuplicate(message: UserMessage): boolean {
    const { turn_id } = message;
    return (
      this.currentTurn?.turn_id === turn_id ||
      this.state.recent_turn_ids.includes(turn_id) ||
      this.undecided.some((m) => m.turn_id === turn_id) ||
      this.admitAfterTurn.some((m) => m.turn_id === turn_id) ||
      this.state.pending.some((p) => p.turn_id === turn_id)
    );
  }

  /** Ended, or asked to end: no new message will run. */
  isEnding(): boolean {
    return this.state.status === 'ended' || this.endRequested;
  }

  /** A turn runs or messages wait: a new message would not run at once. */
  isBusy(): boolean {
    return this.currentTurn !== null || this.state.pending.length > 0;
  }

  /** No room behind the running turn. `max_pending_messages: 0` means no queue: a message runs only when idle. */
  isQueueFull(): boolean {
    const max = this.settings.max_pending_messages;
    if (max === 0 && !this.isBusy()) return !patched(NO_QUEUE_PATCH);
    return this.state.pending.length >= max;
  }

  /** The admission rules, in order: duplicate, ended, busy with `reject`, queue full, busy with `interrupt`, else enqueue. */
  admit(message: UserMessage): Admission {
    if (this.isDuplicate(message)) return { decision: 'ignore' };
    if (this.isEnding())
      return { decision: 'refuse', code: 'session_ended', reason: 'This session has ended; start a new session.' };
    const policy = message.options.double_texting ?? 'enqueue';
    const busy = this.isBusy();
    if (busy && policy === 'reject') {
      return {
        decision: 'refuse',
        code: 'session_busy',
        reason: 'A turn is already running in this session (double_texting=reject).',
      };
    }
    if (this.isQueueFull()) {
      const waiting = this.state.pending.length;
      return {
        decision: 'refuse',
        code: 'session_queue_full',
        reason: `${waiting} messages already wait in this session; retry when a turn has finished.`,
      };
    }
    if (busy && policy === 'interrupt') return { decision: 'interrupt' };
    return { decision: 'enqueue' };
  }

  /** The `userMessage` signal: admits the message and acts on the decision. Never throws. */
  async receive(message: UserMessage): Promise<void> {
    const admission = this.admit(message);
    if (this.mayHaveSeenDone(message, admission)) {
      this.undecided.push(message);
      return;
    }
    if (admission.decision === 'ignore' || admission.decision === 'refuse') this.signalsWithoutTurn += 1;
    switch (admission.decision) {
      case 'ignore':
        log.info('Ignoring repeated turn', { turn_id: message.turn_id, request_id: message.request_id });
        return;
      case 'refuse':
        return this.refuse(message, admission.code, admission.reason);
      case 'interrupt':
        this.state.pending.unshift(message);
        this.turnScope?.cancel();
        return;
      case 'enqueue':
        this.state.pending.push(message);
    }
  }

  /**
   * A `reject` message refused as busy only because of a turn whose model call may have published
   * its `done` before this workflow heard of it: decided when the call returns (settleUndecided).
   */
  private mayHaveSeenDone(message: UserMessage, admission: Admission): boolean {
    return (
      admission.decision === 'refuse' &&
      admission.code === 'session_busy' &&
      this.finishingCall &&
      this.state.pending.length === 0 &&
      message.after_id !== undefined
    );
  }

  /**
   * The call that could end the turn returned: a message whose API saw the stream at or past the
   * turn's `done` came after the turn (its client had the answer) and is admitted once the turn is
   * recorded; the others came while it ran and are refused, as on arrival.
   */
  private async settleUndecided(finished: FinishedTurn | undefined): Promise<void> {
    this.finishingCall = false;
    for (const message of this.undecided.splice(0)) {
      if (finished && compareStreamIds(message.after_id ?? '0-0', finished.done_id) >= 0) {
        this.admitAfterTurn.push(message);
        continue;
      }
      this.signalsWithoutTurn += 1;
      // Not cancellable: a cancel of the turn must not leave the message unanswered.
      await CancellationScope.nonCancellable(() =>
        this.refuse(message, 'session_busy', 'A turn is already running in this session (double_texting=reject).'),
      );
    }
  }

  /** What a model call needs to end the turn itself; undefined (the session ends it) in older histories. */
  private finisherFor(message: UserMessage): TurnFinisher {
    return {
      finishOf: (turnMessages, usage) => this.finishOf(message, turnMessages, usage),
      callReturned: (finished) => this.settleUndecided(finished),
    };
  }

  /**
   * The turn's end as recordTurn would make it, but for the answer: the archive's fields, the
   * snapshot by reference and the turn's usage so far. The window is cut by message count, so the
   * answer's one message decides the turns range before its text is known.
   */
  private finishOf(message: UserMessage, turnMessages: ChatMessage[], usage: TurnUsageRecord): TurnFinish | undefined {
    if (!patched(FINISH_IN_MODEL_CALL_PATCH)) return undefined;
    const { state, settings } = this;
    const seq = state.turns + 1;
    const answer: ChatMessage = { role: 'assistant', content: '', turn_id: message.turn_id };
    const window = trimConversation([...state.messages, ...turnMessages, answer], settings.history_window_messages);
    const turns = turnRangeOf(window, seq);
    if (!turns) return undefined;
    const title = state.title ?? titleOf(message.text);
    this.finishingCall = true;
    return {
      usage,
      archive: {
        metadata: { received_at: message.received_at },
        session: { ...this.recordSeed(), title },
        seq,
      },
      snapshot: {
        ...this.snapshot(),
        title,
        turns: seq,
        messages: [],
        summary: undefined,
        current_turn: null,
        pending_approvals: [],
      },
      by_reference: { turns, ...(state.summary ? { summary_through: state.summary.through } : {}) },
    };
  }

  /**
   * The `cancelTurn` signal: cancels the running turn, if any; queued messages still run. A cancel
   * naming another turn (finished, or queued behind this one) is ignored: it was meant for a turn
   * that is no longer, or not yet, running.
   */
  cancelTurn(request?: CancelTurnRequest): void {
    this.signalsWithoutTurn += 1;
    if (request?.turn_id !== undefined && request.turn_id !== this.runningTurnId) {
      log.info('Ignoring a cancel for a turn that is not running', {
        session_id: this.state.session_id,
        turn_id: request.turn_id,
        running_turn_id: this.runningTurnId,
      });
      return;
    }
    this.turnScope?.cancel();
  }

  /** The `endSession` signal: no further message runs; the running turn finishes unless `cancel_running`. */
  requestEnd(request?: EndSessionRequest): void {
    this.endRequested = true;
    this.endReason = 'deleted';
    if (request?.cancel_running) this.turnScope?.cancel();
    // A turn allowed to finish does not wait on approvals nobody will give any more.
    else this.approvals.cancelAll('the session is ending');
  }

  /** The `decideToolCall` update's validator: refuses unknown and already resolved calls. */
  validateDecision(decision: ApprovalDecision): void {
    this.approvals.validate(decision);
  }

  /** The `decideToolCall` update: the waiting call runs (approved) or is answered as declined. */
  decideToolCall(decision: ApprovalDecision): ApprovalAnswer {
    return this.approvals.decide(decision);
  }

  /** The `state` query. */
  view(): SessionView {
    const { state } = this;
    return {
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
      ...(state.summary ? { summary: state.summary } : {}),
      current_turn: this.currentTurn,
      pending_approvals: this.approvals.pending(),
      pending: state.pending.length,
    };
  }

  /**
   * Waits until a message is queued or an end is requested, at most `idle_timeout`. True when the
   * next message should run; false when the session should end (idle, or asked to).
   */
  async waitForMessage(): Promise<boolean> {
    this.idleContinueAsNew = patched(IDLE_CONTINUE_AS_NEW_PATCH);
    if (patched(ONE_IDLE_TIMER_PATCH)) return this.waitWithIdleTimer();
    // Also wakes when the run grew long without turns, so it continues as new (no turn runs then).
    const woke = await condition(
      () => this.state.pending.length > 0 || this.endRequested || (this.idleContinueAsNew && this.runIsLong()),
      this.settings.idle_timeout as Duration,
    );
    if (this.endRequested) return false;
    // The idle timer fired in the activation that brought a message: the message still runs.
    return woke || (this.state.pending.length > 0 && patched(IDLE_TIMEOUT_MESSAGE_PATCH));
  }

  /**
   * waitForMessage with one timer per idle period: the wait itself records nothing, and the timer
   * that ends the session is not cancelled by a message (no timer per turn in the history).
   */
  private async waitWithIdleTimer(): Promise<boolean> {
    this.idleSince = Date.now();
    this.setIdleTimer();
    await condition(
      () =>
        this.state.pending.length > 0 ||
        this.endRequested ||
        this.idleExpired ||
        (this.idleContinueAsNew && this.runIsLong()),
    );
    this.idleSince = undefined;
    if (this.endRequested) return false;
    if (this.state.pending.length === 0) return !this.idleExpired;
    // A message that arrived in the activation the timer fired in still runs; the next wait sets a new timer.
    this.idleExpired = false;
    return true;
  }

  /** Sets the idle timer for what is left of the idle period (a whole one while a turn runs). */
  private setIdleTimer(): void {
    if (this.idleTimerSet) return;
    const period = msToNumber(this.settings.idle_timeout as Duration);
    const idleFor = this.idleSince === undefined ? 0 : Date.now() - this.idleSince;
    this.idleTimerSet = true;
    sleep(Math.max(1, period - idleFor)).then(
      () => {
        this.idleTimerSet = false;
        if (this.idleSince !== undefined && Date.now() - this.idleSince >= period) this.idleExpired = true;
        else this.setIdleTimer();
      },
      // Cancelled with the workflow: there is no idle period left to time.
      () => undefined,
    );
  }

  /** Runs the oldest queued message as a turn, then records it. */
  async runNextTurn(): Promise<void> {
    const message = this.state.pending.shift();
    if (!message) return;
    this.turnScope = new CancellationScope();
    this.runningTurnId = message.turn_id;
    const byReference = historyByReference(this.settings);
    const mode: TurnMode = { byReference, summaries: summariesOn(this.settings, byReference) };
    const turn = new Turn(
      message,
      this.state,
      this.settings,
      (progress) => (this.currentTurn = progress),
      this.approvals,
      mode,
      this.finisherFor(message),
    );
    const { result, messages, finished } = await this.turnScope
      .run(() => turn.run())
      .finally(() => {
        this.turnScope = undefined;
        this.runningTurnId = undefined;
      });
    await this.recordTurn(message, result, messages, byReference, !!finished);
    for (const later of this.admitAfterTurn.splice(0)) await this.receive(later);
    if (mode.summaries) await this.summarizeIfDue(message);
    this.turnsThisRun += 1;
  }

  /** The history grew large (the server says so) or this run made its share of turns, and no end is pending. */
  shouldContinueAsNew(): boolean {
    return this.runIsLong() && !this.endRequested;
  }

  /** The server suggests continue-as-new, or the run made its share of turns (signals that ran none count too). */
  private runIsLong(): boolean {
    const work = this.turnsThisRun + (this.idleContinueAsNew ? this.signalsWithoutTurn : 0);
    return workflowInfo().continueAsNewSuggested || work >= this.settings.continue_as_new_after_turns;
  }

  /** Ends the session: queued messages are archived as cancelled, then the end is recorded and published. */
  async end(): Promise<void> {
    while (this.state.pending.length > 0) await this.dropQueued(this.state.pending.shift() as UserMessage);
    this.state.status = 'ended';
    const endedAt = nowIso();
    publishToOperators(this.state, this.settings.search_attributes);
    await condition(allHandlersFinished);
    const { session_id } = this.state;
    await this.unlessBug('record the session end', undefined, () =>
      this.store.recordSessionEnd({
        session_id,
        session: this.recordSeed(),
        ended_at: endedAt,
        reason: this.endReason,
      }),
    );
    await this.unlessBug('mirror the session end', undefined, () =>
      this.mirror([{ type: 'session_ended', data: { session_id, reason: this.endReason, ended_at: endedAt } }]),
    );
  }

  private snapshot(): SessionSnapshot {
    return snapshotOf(this.view());
  }

  /**
   * Writes the snapshot and publishes `events`. By reference (HISTORY_REF_PATCH) the snapshot's
   * messages and the ending event's response of `responseOf` go as turn ids, and the activity loads
   * them; inline when a message has no turn id or the stores lost one.
   */
  private async mirror(events: SessionEvent[], responseOf?: string, byReference = historyByReference(this.settings)) {
    const inline = () => this.store.mirrorSession({ snapshot: this.snapshot(), events });
    const turns = byReference ? turnRangeOf(this.state.messages, this.state.turns) : undefined;
    if (!turns) return inline();
    const bare = events.map((event) =>
      responseOf && 'response' in event.data && event.data.turn_id === responseOf
        ? ({ ...event, data: { ...event.data, response: '', models_tried: [], model_calls: [] } } as SessionEvent)
        : event,
    );
    await withInlineFallback(
      () =>
        this.store.mirrorSession({
          snapshot: { ...this.snapshot(), messages: [], summary: undefined },
          events: bare,
          by_reference: {
            turns,
            ...(responseOf ? { response_of: responseOf } : {}),
            ...(this.state.summary ? { summary_through: this.state.summary.through } : {}),
          },
        }),
      inline,
    );
  }

  private recordSeed(): SessionRecordSeed {
    return { owner: this.state.owner, created_at: this.state.created_at, title: this.state.title };
  }

  private rememberTurnId(turnId: string): void {
    this.state.recent_turn_ids = [...this.state.recent_turn_ids, turnId].slice(-RECENT_TURN_IDS);
  }

  /**
   * Answers a message without running it: the waiting client gets an `error` event with `code`.
   * Runs in a signal handler, which must never fail the workflow: an outage only delays the
   * publish (retried until the store is back); a bug is logged.
   */
  private async refuse(message: UserMessage, code: RejectionCode, text: string): Promise<void> {
    this.rememberTurnId(message.turn_id);
    await this.unlessBug('publish a refusal', message.turn_id, () =>
      this.store.publishEvents({
        session_id: this.state.session_id,
        events: [{ type: 'error', data: { turn_id: message.turn_id, status: 'rejected', code, message: text } }],
      }),
    );
  }

  /**
   * Runs a store write. The store retries an outage until it is over; a failure that reaches here
   * is a bug (store-failure.ts), logged so one bad write does not end the session and drop its queue.
   */
  private async unlessBug(what: string, turnId: string | undefined, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.error(`Could not ${what}: the store failed for good`, {
        session_id: this.state.session_id,
        turn_id: turnId,
        error: err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err),
      });
    }
  }

  /**
   * Adds a finished turn to the state, archives it (once, by turn_id), then publishes its final event
   * with the new snapshot; since FINISH_TURN_PATCH both in one local activity, and the search
   * attributes that changed after it. A turn its last model call ended (`finished`) is only added.
   */
  private async recordTurn(
    message: UserMessage,
    result: TurnResult,
    turnMessages: ChatMessage[],
    byReference: boolean,
    /** Its last model call archived and published it already (FINISH_IN_MODEL_CALL_PATCH). */
    finished = false,
  ): Promise<void> {
    const { state } = this;
    // The window kept in state is bounded by count; the token budget applies when building context.
    state.messages = trimConversation([...state.messages, ...turnMessages], this.settings.history_window_messages);
    state.title ??= titleOf(message.text);
    state.turns += 1;
    state.tokens_used += result.tokens_used;
    state.cost += result.cost;
    state.last_activity_at = result.created_at;
    this.rememberTurnId(message.turn_id);

    if (finished) {
      this.currentTurn = null;
      publishToOperators(state, this.settings.search_attributes, result.model_used, true);
      return;
    }
    this.currentTurn = { turn_id: message.turn_id, step: result.steps, phase: 'archiving' };
    const archive = {
      result,
      user_message: message.text,
      metadata: { received_at: message.received_at },
      session: this.recordSeed(),
      ...(byReference ? { messages: turnMessages, seq: state.turns } : {}),
    };
    const eventType = result.status === 'completed' ? 'done' : result.status === 'cancelled' ? 'cancelled' : 'error';
    const event: SessionEvent = { type: eventType, data: { ...result } };
    if (patched(FINISH_TURN_PATCH)) {
      // The snapshot as it is once the turn is done: no current turn.
      const mirror = { snapshot: { ...this.snapshot(), current_turn: null }, events: [event] };
      await this.unlessBug('finish the turn', message.turn_id, () => this.store.finishTurn({ archive, mirror }));
      this.currentTurn = null;
      publishToOperators(state, this.settings.search_attributes, result.model_used, true);
      return;
    }
    await this.unlessBug('archive the turn', message.turn_id, () => this.store.archiveTurnOnce(archive));
    this.currentTurn = null;
    publishToOperators(state, this.settings.search_attributes, result.model_used);
    await this.unlessBug('mirror the turn', message.turn_id, () => this.mirror([event], message.turn_id, byReference));
  }

  /**
   * After a turn: when turns left the window, summarises them (with the older half of the window)
   * into the next summary, incrementally from the previous one. A failure keeps the previous summary
   * (the next turn tries again); it never fails the session.
   */
  private async summarizeIfDue(message: UserMessage): Promise<void> {
    const { state, settings } = this;
    const previous = state.summary;
    const range = summaryDue(state.messages, state.turns, previous?.through ?? 0, settings);
    if (!range) return;
    const input = {
      session_id: state.session_id,
      turn_id: message.turn_id,
      request_id: message.request_id,
      range,
      models: settings.models.map((m) => m.name),
      offline_fallback_model: settings.offline_fallback_model,
      max_chars: summaryMaxChars(settings),
      ...(previous ? { previous_through: previous.through } : {}),
    };
    const { summarizeConversation } = summarizer(settings);
    try {
      state.summary = await withInlineFallback(
        () => summarizeConversation(input),
        () => summarizeConversation({ ...input, previous_text: previous?.text }),
      );
      showSessionDetails(state);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('Could not summarise the conversation; keeping the previous summary', {
        session_id: state.session_id,
        turn_id: message.turn_id,
        range,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** A message the session accepted but will not run because it is ending: archived as cancelled. */
  private async dropQueued(message: UserMessage): Promise<void> {
    const result = new TurnUsage('none').resultOf(
      { session_id: this.state.session_id, turn_id: message.turn_id, created_at: nowIso() },
      {
        status: 'cancelled',
        code: 'session_ended',
        response: '',
        error: 'The session ended before this message ran.',
        steps: 0,
      },
    );
    await this.recordTurn(message, result, [userChatMessage(message)], historyByReference(this.settings));
  }
}
