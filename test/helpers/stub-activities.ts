import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type {
  ArchiveTurnInput,
  CallModelInput,
  CallModelResult,
  MirrorSessionInput,
  PublishEventsInput,
  RecordSessionEndInput,
  ToolInput,
  ToolResult,
} from '../../src/contract/activity-io';
import type { SessionEvent } from '../../src/contract/event-catalog';

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
  };
  /** The workflow run that made each turn's (last) model call, by turn_id. */
  readonly modelCallRuns = new Map<string, string>();
  private readonly holds = new Map<string, Hold>();

  constructor(private readonly script: ModelScript = echo) {}

  /** The model call(s) of turn `turnId` wait until `release()`; a cancel ends them with `partial` as the streamed text. */
  hold(turnId: string, partial = ''): { started: Promise<void>; release(): void } {
    const started = deferred();
    const released = deferred();
    const hold = {
      started: started.promise,
      markStarted: started.resolve,
      released: released.promise,
      release: released.resolve,
      partial,
    };
    this.holds.set(turnId, hold);
    return { started: hold.started, release: hold.release };
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
        this.calls.callModel.push(input);
        this.modelCallRuns.set(input.turn_id, Context.current().info.workflowExecution?.runId ?? '');
        const hold = this.holds.get(input.turn_id);
        if (hold) await this.wait(hold);
        return modelAnswer(input, this.script);
      },
      calculator: (input: ToolInput): Promise<ToolResult> => {
        this.calls.calculator.push(input);
        return Promise.resolve({ ok: true, content: JSON.stringify({ result: 2 }) });
      },
      archiveTurn: (input: ArchiveTurnInput) => Promise.resolve(void this.calls.archiveTurn.push(input)),
      mirrorSession: (input: MirrorSessionInput) => Promise.resolve(void this.calls.mirrorSession.push(input)),
      publishEvents: (input: PublishEventsInput) => Promise.resolve(void this.calls.publishEvents.push(input)),
      recordSessionEnd: (input: RecordSessionEndInput) => Promise.resolve(void this.calls.recordSessionEnd.push(input)),
    };
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
