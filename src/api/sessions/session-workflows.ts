import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SessionSettings, SessionView } from '../../contract/session';
import { ApplicationFailure } from '@temporalio/common';
import {
  APPROVAL_ALREADY_DECIDED,
  APPROVAL_NOT_FOUND,
  type ApprovalAnswer,
  type ApprovalDecision,
} from '../../contract/tool-approval';
import {
  cancelTurnSignal,
  decideToolCallUpdate,
  endSessionSignal,
  sessionWorkflowId,
  SESSION_WORKFLOW_TYPE,
  stateQuery,
  userMessageSignal,
  type CancelTurnRequest,
  type ChatSessionWorkflow,
} from '../../contract/session-workflow';
import type { UserMessage } from '../../contract/turn';
import {
  ApprovalAlreadyDecidedError,
  ApprovalNotFoundError,
  SessionEndedError,
  SessionNotFoundError,
} from '../../errors';
import { ANONYMOUS_PRINCIPAL } from '../security/api-key-authenticator';
import { sessionStartOptions, type SessionStart } from './session-start-options';
import { temporalCall } from './temporal-call';

/**
 * The session workflows as the API reaches them through Temporal. Every call maps a transport
 * failure to 503; a signal to a closed or unknown workflow becomes 410 or 404.
 */
export class SessionWorkflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly settings: SessionSettings,
  ) {}

  async start(start: SessionStart): Promise<void> {
    await temporalCall(() =>
      this.client.workflow.start<ChatSessionWorkflow>(
        SESSION_WORKFLOW_TYPE,
        sessionStartOptions(this.taskQueue, this.settings, start),
      ),
    );
  }

  /** Starts the session unless its workflow exists already (running or closed); true when this call started it. */
  async startOnce(start: SessionStart): Promise<boolean> {
    try {
      await this.start(start);
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  /**
   * Starts the session with its first message in one call, so the message cannot be lost between the two.
   * A running session gets the message as a signal; a closed one is not started again (410).
   */
  async startWithMessage(start: Omit<SessionStart, 'firstMessage'>, message: UserMessage): Promise<void> {
    const options = sessionStartOptions(this.taskQueue, this.settings, { ...start, firstMessage: message.text });
    try {
      await temporalCall(() =>
        this.client.workflow.signalWithStart<ChatSessionWorkflow, [UserMessage]>(SESSION_WORKFLOW_TYPE, {
          ...options,
          signal: userMessageSignal,
          signalArgs: [message],
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new SessionEndedError(start.sessionId);
      throw err;
    }
  }

  async sendMessage(sessionId: string, message: UserMessage): Promise<void> {
    await this.signalRunning(sessionId, (handle) => handle.signal(userMessageSignal, message));
  }

  async cancelTurn(sessionId: string, request: CancelTurnRequest): Promise<void> {
    await this.signalRunning(sessionId, (handle) => handle.signal(cancelTurnSignal, request));
  }

  /**
   * The `decideToolCall` update: answers once the workflow applied the decision. Its validator's
   * refusals become 404 (unknown call) and 409 (already resolved); a closed session 410, none 404.
   */
  async decideToolCall(sessionId: string, decision: ApprovalDecision): Promise<ApprovalAnswer> {
    try {
      return await temporalCall(async () => {
        try {
          return await this.handle(sessionId).executeUpdate(decideToolCallUpdate, { args: [decision] });
        } catch (err) {
          throw refusalOf(err, decision.call_id) ?? err;
        }
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      throw (await this.exists(sessionId)) ? new SessionEndedError(sessionId) : new SessionNotFoundError(sessionId);
    }
  }

  /**
   * Signals the end and waits up to `waitMs` for the workflow to complete. A workflow that has
   * already completed (idle timeout, an earlier end) is not an error: ending is idempotent.
   */
  async end(sessionId: string, options: { cancelRunning: boolean; reason: string; waitMs: number }): Promise<void> {
    const handle = this.handle(sessionId);
    try {
      await temporalCall(() =>
        handle.signal(endSessionSignal, { cancel_running: options.cancelRunning, reason: options.reason }),
      );
      await temporalCall(() => withTimeout(handle.result(), options.waitMs));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** The owner in the workflow's memo (a memo without one counts as anonymous); undefined when Temporal does not know the session. */
  async ownerInMemo(sessionId: string): Promise<string | undefined> {
    try {
      const description = await temporalCall(() => this.handle(sessionId).describe());
      const owner = description.memo?.owner;
      return typeof owner === 'string' ? owner : ANONYMOUS_PRINCIPAL;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The running workflow's `state` query; throws WorkflowNotFoundError when it is gone. */
  queryState(sessionId: string): Promise<SessionView> {
    return temporalCall(() => this.handle(sessionId).query(stateQuery));
  }

  private handle(sessionId: string): WorkflowHandle<ChatSessionWorkflow> {
    return this.client.workflow.getHandle<ChatSessionWorkflow>(sessionWorkflowId(sessionId));
  }

  private async signalRunning(
    sessionId: string,
    send: (handle: WorkflowHandle<ChatSessionWorkflow>) => Promise<void>,
  ): Promise<void> {
    try {
      await temporalCall(() => send(this.handle(sessionId)));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      throw (await this.exists(sessionId)) ? new SessionEndedError(sessionId) : new SessionNotFoundError(sessionId);
    }
  }

  /** Whether Temporal knows the session at all, running or closed. */
  private async exists(sessionId: string): Promise<boolean> {
    try {
      await temporalCall(() => this.handle(sessionId).describe());
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}

/** The update validator's refusal as the API's answer; undefined for anything else. */
function refusalOf(err: unknown, callId: string): Error | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type === APPROVAL_NOT_FOUND) return new ApprovalNotFoundError(callId);
  if (err.cause.type === APPROVAL_ALREADY_DECIDED) return new ApprovalAlreadyDecidedError(err.cause.message);
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
