import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  ArchiveTurnInput,
  CallModelInput,
  CallModelResult,
  FinishTurnInput,
  MirrorSessionInput,
  PublishEventsInput,
  RecordSessionEndInput,
  SummarizeConversationInput,
  ToolInput,
  ToolResult,
} from '../../src/contract/activity-io';
import { MESSAGES_MISSING_FAILURE_TYPE, type ConversationSummary } from '../../src/contract/conversation';
import type { SessionEvent } from '../../src/contract/event-catalog';
import { TurnUsage } from '../../src/contract/turn-usage';
import { TOOL_FAILED_TYPE } from '../../activities/tool-activities';

/**
 * The stubs keep no conversation store: a call by reference fails as the real activity does when the
 * stores lost the messages, so the workflow sends the bodies inline (and tests see those calls).
 */
function refuseReferences(): never {
  throw ApplicationFailure.create({
    type: MESSAGES_MISSING_FAILURE_TYPE,
    message: 'stub: no conversation store',
    nonRetryable: true,
  });
}

type StoreActivityName = 'archiveTurn' | 'mirrorSession' | 'publishEvents' | 'recordSessionEnd';

/** What the stub model answers to a call; fields left out take the defaults of `modelAnswer`. */
export type ModelScript = (input: CallModelInput) => Partial<CallModelResult>;

/** The last user message of a call's context, echoed back. */
export const echo: ModelScript = (input) => ({
  content: `Echo: ${[...input.messages].reverse().find((m) => m.role === 'user')?.content}`,
});

/** Every model call uses 10 prompt and 5 completion tokens, and costs $0.0001. */
export function modelAnswer(input: CallModelInput, script: ModelScript): CallModelResult {
  return {
    model: input.model,
    content: '',
    tool_calls: [],
    finish_reason: 'stop',
    prompt_tokens: 10,
    completion_tokens: 5,
    usage_estimated: false,
    cost: 0.0001,
    ...script(input),
  };
}

interface Hold {
  started: Promise<void>;
  markStarted(): void;
  released: Promise<void>;
  release(): void;
  /** What the cancelled call hands back as the text it had streamed. */
  partial: string;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A hold in `holds` under `key`: the held call marks it started and waits for its release. */
function holdIn(holds: Map<string, Hold>, key: string, partial = ''): { started: Promise<void>; release(): void } {
  const started = deferred();
  const released = deferred();
  const hold = {
    started: started.promise,
    markStarted: started.resolve,
    released: released.promise,
    release: released.resolve,
    partial,
  };
  holds.set(key, hold);
  return { started: hold.started, release: hold.release };
}

/**
 * The session workflow's activities as plain functions that record their inputs: no Redis, no
 * SQLite, no model server. A held turn's model call blocks (heartbeating, so a cancel reaches
 * it) until released, which keeps that turn running while a test sends more signals.
 */
export class StubActivities {
  readonly calls = {
    callModel: [] as CallModelInput[],
    calculator: [] as ToolInput[],
    archiveTurn: [] as ArchiveTurnInput[],
    mirrorSession: [] as MirrorSessionInput[],
    publishEvents: [] as PublishEventsInput[],
    recordSessionEnd: [] as RecordSessionEndInput[],
    summarizeConversation: [] as SummarizeConversationInput[],
  };
  /** Inputs that carried the conversation by reference, refused (the workflow then resent them inline). */
  readonly refused = {
    callModel: [] as CallModelInput[],
    mirrorSession: [] as MirrorSessionInput[],
  };
  /** The workflow run that made each turn's (last) model call, by turn_id. */
  readonly modelCallRuns = new Map<string, string>();
  private readonly holds = new Map<string, Hold>();
  /** Store activities of a session that fail their next calls, by `name:session_id`. */
  private readonly outages = new Map<string, { remaining: number; error: () => Error }>();
  private readonly storeHolds = new Map<string, Hold>();
  /** Calculator calls of a turn that wait (heartbeating, so a cancel reaches them), by turn_id. */
  private readonly toolHolds = new Map<string, Hold>();
  /** Turns whose calculator calls fail every attempt. */
  private readonly failingTools = new Set<string>();
  /** Attempts of each store activity, failed ones included, by `name:session_id`. */
  private readonly storeAttempts = new Map<string, number>();

  /** Stream ids the stub gives the `done` events its model calls publish (`<n>-0`). */
  private doneIds = 0;

  /**
   * `byReference`: model calls by reference are answered (by the script; the stubs still keep no
   * messages), and a call with `finish` that answers without tool calls ends the turn as the real
   * one does: archived, then `done` mirrored, returned as `finished`.
   */
  constructor(
    private readonly script: ModelScript = echo,
    private readonly options: { byReference?: boolean } = {},
  ) {}

  /** The model call(s) of turn `turnId` wait until `release()`; a cancel ends them with `partial` as the streamed text. */
  hold(turnId: string, partial = ''): { started: Promise<void>; release(): void } {
    return holdIn(this.holds, turnId, partial);
  }

  /** The next `times` calls of store activity `name` for the session fail with `error()` (an outage by default). */
  failStore(
    sessionId: string,
    name: StoreActivityName,
    times: number,
    error: () => Error = () => new Error(`${name}: store unavailable`),
  ): void {
    this.outages.set(`${name}:${sessionId}`, { remaining: times, error });
  }

  /** The next call of store activity `name` for the session waits until `release()` (then it is recorded). */
  holdStore(sessionId: string, name: StoreActivityName): { started: Promise<void>; release(): void } {
    return holdIn(this.storeHolds, `${name}:${sessionId}`);
  }

  /** The calculator calls of turn `turnId` wait until `release()`. */
  holdTool(turnId: string): { started: Promise<void>; release(): void } {
    return holdIn(this.toolHolds, turnId);
  }

  /** Every attempt of the calculator calls of turn `turnId` throws (the tool runs out of retries). */
  failTool(turnId: string): void {
    this.failingTools.add(turnId);
  }

  /** Calls of store activity `name` for the session, failed attempts included. */
  attemptsOf(sessionId: string, name: StoreActivityName): number {
    return this.storeAttempts.get(`${name}:${sessionId}`) ?? 0;
  }

  modelCalls(sessionId: string): CallModelInput[] {
    return this.calls.callModel.filter((c) => c.session_id === sessionId);
  }

  archived(sessionId: string): ArchiveTurnInput[] {
    return this.calls.archiveTurn.filter((a) => a.result.session_id === sessionId);
  }

  published(sessionId: string): SessionEvent[] {
    return this.calls.publishEvents.filter((p) => p.session_id === sessionId).flatMap((p) => p.events);
  }

  mirrored(sessionId: string): SessionEvent[] {
    return this.calls.mirrorSession.filter((m) => m.snapshot.session_id === sessionId).flatMap((m) => m.events);
  }

  activities() {
    return {
      callModel: async (input: CallModelInput): Promise<CallModelResult> => {
        if (input.turn_messages && !this.options.byReference) {
          this.refused.callModel.push(input);
          refuseReferences();
        }
        this.calls.callModel.push(input);
        this.modelCallRuns.set(input.turn_id, Context.current().info.workflowExecution?.runId ?? '');
        const hold = this.holds.get(input.turn_id);
        if (hold) await this.wait(hold);
        const answer = modelAnswer(input, this.script);
        return input.finish && answer.tool_calls.length === 0 ? this.finishTurn(input, answer) : answer;
      },
      calculator: async (input: ToolInput): Promise<ToolResult> => {
        this.calls.calculator.push(input);
        // What the real activity does once the tool failed its policy's attempts: fail for good.
        if (this.failingTools.has(input.turn_id))
          throw ApplicationFailure.create({
            type: TOOL_FAILED_TYPE,
            message: 'calculator backend unavailable (failed 2 times)',
            nonRetryable: true,
          });
        const hold = this.toolHolds.get(input.turn_id);
        if (hold) await this.wait(hold);
        return { ok: true, content: JSON.stringify({ result: 2 }) };
      },
      archiveTurn: (input: ArchiveTurnInput) =>
        this.store('archiveTurn', input.result.session_id, () => this.calls.archiveTurn.push(input)),
      mirrorSession: async (input: MirrorSessionInput) => {
        if (input.by_reference && !this.options.byReference) {
          this.refused.mirrorSession.push(input);
          refuseReferences();
        }
        return this.store('mirrorSession', input.snapshot.session_id, () => this.calls.mirrorSession.push(input));
      },
      publishEvents: (input: PublishEventsInput) =>
        this.store('publishEvents', input.session_id, () => this.calls.publishEvents.push(input)),
      // As the real one: the archive (once per turn_id, as the real archive is idempotent), then the mirror.
      finishTurn: async ({ archive, mirror }: FinishTurnInput) => {
        const { session_id, turn_id } = archive.result;
        const archivedAlready = this.archived(session_id).some((a) => a.result.turn_id === turn_id);
        await this.store('archiveTurn', session_id, () => archivedAlready || this.calls.archiveTurn.push(archive));
        await this.store('mirrorSession', session_id, () => this.calls.mirrorSession.push(mirror));
      },
      recordSessionEnd: (input: RecordSessionEndInput) =>
        this.store('recordSessionEnd', input.session_id, () => this.calls.recordSessionEnd.push(input)),
      // Answers by range whatever the references: the stubs keep no turns to read.
      summarizeConversation: (input: SummarizeConversationInput): Promise<ConversationSummary> => {
        this.calls.summarizeConversation.push(input);
        const { from, to } = input.range;
        return Promise.resolve({ through: to, text: `stub summary of turns ${from}-${to}` });
      },
    };
  }

  /** What callModel does with a final answer and `finish`: archive (result as TurnUsage makes it), then `done`. */
  private async finishTurn(input: CallModelInput, answer: CallModelResult): Promise<CallModelResult> {
    const finish = input.finish as NonNullable<CallModelInput['finish']>;
    const usage = TurnUsage.from(finish.usage);
    usage.recordAnswer(input.step, {
      result: answer,
      attempts: [{ model: input.model, outcome: 'answered' }],
      offlineFallback: !!input.offline_fallback,
      spent: [],
    });
    const result = usage.resultOf(
      { session_id: input.session_id, turn_id: input.turn_id, created_at: new Date().toISOString() },
      { status: 'completed', response: answer.content, steps: input.step },
    );
    // The stubs keep no messages: the user's text (the first of the turn's, by reference) is not known here.
    const archive = { ...finish.archive, user_message: '', result };
    await this.store('archiveTurn', input.session_id, () => this.calls.archiveTurn.push(archive));
    const snapshot = { ...finish.snapshot, last_activity_at: result.created_at };
    await this.store('mirrorSession', input.session_id, () =>
      this.calls.mirrorSession.push({ snapshot, events: [{ type: 'done', data: result }] }),
    );
    this.doneIds += 1;
    const { response: _response, ...slim } = result;
    return { ...answer, finished: { result: slim, done_id: `${this.doneIds}-0` } };
  }

  /** One store call: fails while its outage lasts, waits while held, else records its input. */
  private async store(name: StoreActivityName, sessionId: string, record: () => void): Promise<void> {
    const key = `${name}:${sessionId}`;
    this.storeAttempts.set(key, (this.storeAttempts.get(key) ?? 0) + 1);
    const outage = this.outages.get(key);
    if (outage && outage.remaining > 0) {
      outage.remaining -= 1;
      throw outage.error();
    }
    const hold = this.storeHolds.get(key);
    if (hold) {
      this.storeHolds.delete(key);
      hold.markStarted();
      await hold.released;
    }
    record();
  }

  private async wait(hold: Hold): Promise<void> {
    hold.markStarted();
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), 100);
    try {
      await Promise.race([hold.released, context.cancelled]);
    } catch (err) {
      if (err instanceof CancelledFailure) throw new CancelledFailure(err.message, [hold.partial]);
      throw err;
    } finally {
      clearInterval(beat);
    }
  }
}
