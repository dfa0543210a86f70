import { ApplicationFailure, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ModelToolCall } from '../src/contract/activity-io';
import type { SessionEvent } from '../src/contract/event-catalog';
import { APPROVAL_ALREADY_DECIDED, APPROVAL_NOT_FOUND } from '../src/contract/approval-wait';
import type { ApprovalAnswer, ApprovalDecision, ApprovalOutcome, PendingApproval } from '../src/contract/tool-approval';

/** How a waiting call ended; `arguments` are the edited ones when the approver changed them. */
export interface ApprovalResolution {
  outcome: ApprovalOutcome;
  reason?: string;
  arguments?: string;
}

interface Waiting {
  pending: PendingApproval;
  /** Set once, by a decision, the expiry or a cancel: whichever comes first wins. */
  resolution?: ApprovalResolution;
}

/** Call ids remembered after their resolution, so a late second decision is a 409, not a 404. */
const DECIDED_CALL_IDS = 200;

/** What the session does with the approval state: mirror it (snapshot + events) and show it to operators. */
export interface ApprovalAnnouncer {
  /** The pending list changed (Web UI details, search attribute). Synchronous, no commands but upserts. */
  changed(pending: PendingApproval[]): void;
  /** Mirrors the snapshot with `events` (an activity). */
  announce(events: SessionEvent[]): Promise<void>;
}

/**
 * Tool calls of the running turn that wait for a person's decision. The wait is a `condition` with a
 * timeout — a timer, no activity, no worker slot — so it survives worker and server restarts; a
 * decision arrives as the `decideToolCall` update, whose validator refuses unknown and already
 * resolved calls before anything is written to history. A call is resolved exactly once: the update
 * handler, the expiry and a cancel each only set a resolution that is not set yet.
 */
export class ToolApprovals {
  private readonly waiting = new Map<string, Waiting>();
  /** Resolved calls, newest last (bounded), with how each ended. */
  private decided: Array<{ call_id: string; outcome: ApprovalOutcome }> = [];
  /** The `approval_required` mirror of each call: its `approval_resolved` follows it in the stream. */
  private readonly announced = new Map<string, Promise<void>>();

  constructor(
    private readonly timeout: Duration,
    private readonly announcer: ApprovalAnnouncer,
  ) {}

  /** Calls still waiting, oldest first (state query, snapshot). */
  pending(): PendingApproval[] {
    return [...this.waiting.values()].filter((w) => !w.resolution).map((w) => w.pending);
  }

  /**
   * Records `calls` as pending and mirrors one `approval_required` per call. Each call then waits on
   * `resolutionOf(call.id)`; a decision may arrive while the mirror is still being written.
   */
  open(turnId: string, step: number, calls: ModelToolCall[], now: Date): void {
    const expiresAt = new Date(now.getTime() + msToNumber(this.timeout)).toISOString();
    const opened = calls.map((call): PendingApproval => ({
      call_id: call.id,
      turn_id: turnId,
      tool: call.name,
      arguments: call.arguments,
      step,
      requested_at: now.toISOString(),
      expires_at: expiresAt,
      ...(call.parameters ? { parameters: call.parameters } : {}),
    }));
    for (const pending of opened) this.waiting.set(pending.call_id, { pending });
    this.announcer.changed(this.pending());
    const mirrored = this.announcer.announce(opened.map((data) => ({ type: 'approval_required', data })));
    for (const pending of opened) this.announced.set(pending.call_id, mirrored);
  }

  /**
   * Waits for the call's decision until it expires (denied, reason `timeout`). A cancel of the turn
   * resolves it as `cancelled` (published, not cancellable) and rethrows. Resolves the resolution.
   */
  async resolutionOf(callId: string): Promise<ApprovalResolution> {
    const entry = this.waiting.get(callId);
    if (!entry) throw new Error(`No approval was opened for call ${callId}`);
    const remainingMs = Math.max(1, Date.parse(entry.pending.expires_at) - Date.now());
    try {
      await condition(() => entry.resolution !== undefined, remainingMs);
      // A decision applied in the activation where the timer fired wins: the update already answered it.
      entry.resolution ??= { outcome: 'timeout', reason: 'timeout' };
    } catch (err) {
      if (!isCancellation(err)) throw err;
      entry.resolution ??= { outcome: 'cancelled', reason: 'the turn was cancelled' };
      await CancellationScope.nonCancellable(() => this.close(entry));
      throw err;
    }
    await this.close(entry);
    return entry.resolution;
  }

  /** Resolves every waiting call as cancelled (the session is ending but lets its turn finish). */
  cancelAll(reason: string): void {
    for (const entry of this.waiting.values()) entry.resolution ??= { outcome: 'cancelled', reason };
  }

  /** The update's validator: throws APPROVAL_NOT_FOUND or APPROVAL_ALREADY_DECIDED (never writes history). */
  validate(decision: ApprovalDecision): void {
    const entry = this.waiting.get(decision.call_id);
    if (entry && !entry.resolution) return;
    const earlier = entry?.resolution?.outcome ?? this.decided.find((d) => d.call_id === decision.call_id)?.outcome;
    if (earlier) {
      throw ApplicationFailure.create({
        type: APPROVAL_ALREADY_DECIDED,
        message: `Tool call ${decision.call_id} was already resolved (${earlier}).`,
        nonRetryable: true,
      });
    }
    throw ApplicationFailure.create({
      type: APPROVAL_NOT_FOUND,
      message: `No tool call ${decision.call_id} waits for approval in this session.`,
      nonRetryable: true,
    });
  }

  /** The update's handler: records the decision; the waiting call wakes in this activation. */
  decide(decision: ApprovalDecision): ApprovalAnswer {
    this.validate(decision);
    const entry = this.waiting.get(decision.call_id) as Waiting;
    const { tool, turn_id, call_id } = entry.pending;
    const edited = decision.approve && decision.arguments !== undefined;
    entry.resolution = {
      outcome: decision.approve ? 'approved' : 'denied',
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(edited ? { arguments: decision.arguments } : {}),
    };
    this.announcer.changed(this.pending());
    const next = decision.approve
      ? `${tool} runs now${edited ? ' with the edited arguments' : ''}; the model then gets its result.`
      : `${tool} does not run; the model is told the user declined${decision.reason ? ` (${decision.reason})` : ''} and the turn goes on.`;
    return {
      call_id,
      turn_id,
      tool,
      outcome: decision.approve ? 'approved' : 'denied',
      arguments_edited: edited,
      next,
    };
  }

  /** Forgets the resolved call (remembering its id) and mirrors `approval_resolved` after its `approval_required`. */
  private async close(entry: Waiting): Promise<void> {
    const { call_id, turn_id, tool } = entry.pending;
    const resolution = entry.resolution as ApprovalResolution;
    this.waiting.delete(call_id);
    this.decided = [...this.decided, { call_id, outcome: resolution.outcome }].slice(-DECIDED_CALL_IDS);
    this.announcer.changed(this.pending());
    await this.announced.get(call_id)?.catch(() => undefined);
    this.announced.delete(call_id);
    await this.announcer.announce([
      {
        type: 'approval_resolved',
        data: {
          turn_id,
          call_id,
          tool,
          outcome: resolution.outcome,
          ...(resolution.reason ? { reason: resolution.reason } : {}),
          ...(resolution.outcome === 'approved' ? { arguments_edited: resolution.arguments !== undefined } : {}),
        },
      },
    ]);
  }
}

/** The tool message the model receives for a call that did not run because it was not approved. */
export function declinedToolResult(resolution: ApprovalResolution): string {
  if (resolution.outcome === 'cancelled') return JSON.stringify({ error: 'cancelled', reason: resolution.reason });
  const message =
    resolution.outcome === 'timeout'
      ? 'No decision came in time: the user did not approve this tool call, so it was not run.'
      : 'The user declined this tool call, so it was not run.';
  return JSON.stringify({ error: 'declined', message, ...(resolution.reason ? { reason: resolution.reason } : {}) });
}
