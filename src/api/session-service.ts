import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SessionSnapshot } from '../../activities/types';
import type { chatSessionWorkflow } from '../../workflows/chat-session-workflow';
import {
  cancelTurnSignal,
  sessionWorkflowId,
  stateQuery,
  userMessageSignal,
  type ChatMessage,
  type ChatSessionInput,
  type SessionSettings,
  type TurnResult,
  type UserMessage,
} from '../../workflows/messages';
import { ApiError, DependencyUnavailableError, SessionBusyError, SessionEndedError, SessionNotFoundError, TurnFailedError, ValidationError } from '../errors';
import type { ChatHistoryStore } from '../store/chat-history-store';
import type { SessionEventStream } from '../store/session-event-stream';
import type { SessionSnapshotStore } from '../store/session-snapshot-store';
import type { ChatRequest } from './schemas';
import type { TurnWaiter } from './turn-waiter';

export interface SessionServiceDeps {
  client: Client;
  taskQueue: string;
  settings: SessionSettings;
  snapshots: SessionSnapshotStore;
  events: SessionEventStream;
  history: ChatHistoryStore;
  waiter: TurnWaiter;
  turnWaitTimeoutMs: number;
}

/** Where a started turn's events begin in the session's stream. */
export interface TurnTicket {
  session_id: string;
  turn_id: string;
  after_id: string;
  model: string | undefined;
  received_at: string;
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
  turn_id: string;
  created_at: string;
  tools_used?: string[];
  model_used?: string | null;
  status?: string;
}

/** Workflow type by name, so the API never loads workflow code. */
const SESSION_WORKFLOW_TYPE = 'chatSessionWorkflow';

/** Maps Temporal transport failures to 503; our own errors pass through. */
async function temporalCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError || err instanceof WorkflowNotFoundError) throw err;
    throw new DependencyUnavailableError('Temporal', (err as Error).message);
  }
}

/** What the API does with sessions: start them, send them messages, read them back. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  private startInput(sessionId: string, createdAt: string): ChatSessionInput {
    return { session_id: sessionId, created_at: createdAt, settings: this.deps.settings };
  }

  private emptySnapshot(sessionId: string, createdAt: string): SessionSnapshot {
    return { session_id: sessionId, status: 'active', created_at: createdAt, last_activity_at: createdAt, turns: 0, tokens_used: 0, cost: 0, messages: [], current_turn: null };
  }

  async createSession(): Promise<{ session_id: string; created_at: string }> {
    const sessionId = randomUUID();
    const createdAt = new Date().toISOString();
    await temporalCall(() =>
      this.deps.client.workflow.start<typeof chatSessionWorkflow>(SESSION_WORKFLOW_TYPE, {
        taskQueue: this.deps.taskQueue,
        workflowId: sessionWorkflowId(sessionId),
        args: [this.startInput(sessionId, createdAt)],
      }),
    );
    await this.deps.snapshots.put(this.emptySnapshot(sessionId, createdAt));
    return { session_id: sessionId, created_at: createdAt };
  }

  /**
   * Accepts one message: validates the model, signals the session (or starts one when no
   * session_id is given), and returns where its events start in the session's stream.
   */
  async startTurn(request: ChatRequest, requestId?: string): Promise<TurnTicket> {
    if (request.model && !this.deps.settings.models.some((m) => m.name === request.model)) {
      throw new ValidationError(`Unknown model "${request.model}"`, [
        { field: 'model', message: `must be one of: ${this.deps.settings.models.map((m) => m.name).join(', ')}` },
      ]);
    }
    const message: UserMessage = {
      turn_id: randomUUID(),
      text: request.message,
      options: {
        use_tools: request.use_tools,
        model: request.model,
        temperature: request.temperature,
        max_tokens: request.max_tokens,
        double_texting: request.double_texting,
      },
      received_at: new Date().toISOString(),
      ...(requestId ? { request_id: requestId } : {}),
    };
    let sessionId = request.session_id;
    let afterId = '0-0';
    if (sessionId === undefined) {
      sessionId = randomUUID();
      const input = this.startInput(sessionId, message.received_at);
      await temporalCall(() =>
        this.deps.client.workflow.signalWithStart<typeof chatSessionWorkflow, [UserMessage]>(SESSION_WORKFLOW_TYPE, {
          taskQueue: this.deps.taskQueue,
          workflowId: sessionWorkflowId(sessionId as string),
          args: [input],
          signal: userMessageSignal,
          signalArgs: [message],
        }),
      );
      await this.deps.snapshots.put(this.emptySnapshot(sessionId, message.received_at));
    } else {
      afterId = await this.deps.events.lastId(sessionId);
      await this.signal(sessionId, message);
    }
    return { session_id: sessionId, turn_id: message.turn_id, after_id: afterId, model: request.model ?? this.deps.settings.models[0]?.name, received_at: message.received_at };
  }

  /** Waits for a started turn through the session's event stream. */
  async waitForTurn(ticket: TurnTicket, signal?: AbortSignal): Promise<TurnResult> {
    const result = await this.deps.waiter.wait(ticket.session_id, ticket.turn_id, ticket.after_id, this.deps.turnWaitTimeoutMs, signal, Date.parse(ticket.received_at));
    if (result.status === 'rejected') throw new SessionBusyError(ticket.session_id);
    if (result.status === 'failed') {
      throw new TurnFailedError(result.response, { session_id: ticket.session_id, turn_id: result.turn_id, error: result.error });
    }
    return result;
  }

  /** Sends one message and waits for its turn's result. No session_id starts a new session. */
  async sendMessage(request: ChatRequest, signal?: AbortSignal): Promise<TurnResult> {
    return this.waitForTurn(await this.startTurn(request), signal);
  }

  /** Asks the session to cancel its running turn; answers which turn was running, if any. */
  async cancelTurn(sessionId: string, reason = 'requested by client'): Promise<{ session_id: string; turn_id: string | null; cancelled: boolean }> {
    const live = await this.deps.snapshots.get(sessionId);
    await this.signalCancel(sessionId, reason);
    const turnId = live?.current_turn?.turn_id ?? null;
    return { session_id: sessionId, turn_id: turnId, cancelled: turnId !== null };
  }

  private async signalCancel(sessionId: string, reason: string): Promise<void> {
    try {
      await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).signal(cancelTurnSignal, { reason }));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      throw (await this.exists(sessionId)) ? new SessionEndedError(sessionId) : new SessionNotFoundError(sessionId);
    }
  }

  /** 404 unless the session is known (live snapshot first, then Temporal). */
  async ensureExists(sessionId: string): Promise<void> {
    if (await this.deps.snapshots.get(sessionId)) return;
    if (!(await this.exists(sessionId))) throw new SessionNotFoundError(sessionId);
  }

  private async signal(sessionId: string, message: UserMessage): Promise<void> {
    try {
      await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).signal(userMessageSignal, message));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      throw (await this.exists(sessionId)) ? new SessionEndedError(sessionId) : new SessionNotFoundError(sessionId);
    }
  }

  /** Whether Temporal knows the session at all (running or closed). */
  private async exists(sessionId: string): Promise<boolean> {
    try {
      await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).describe());
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Full history from the archive, plus the turn in progress from the live snapshot. */
  async history(sessionId: string): Promise<HistoryMessage[]> {
    const rows = await this.deps.history.listTurns(sessionId);
    if (rows.length === 0 && !(await this.deps.snapshots.get(sessionId)) && !(await this.exists(sessionId))) {
      throw new SessionNotFoundError(sessionId);
    }
    return rows.flatMap((row): HistoryMessage[] => [
      { role: 'user', content: row.user_message, turn_id: row.turn_id, created_at: String(row.extra_metadata.received_at ?? row.created_at) },
      {
        role: 'assistant',
        content: row.assistant_message ?? '',
        turn_id: row.turn_id,
        created_at: row.created_at,
        tools_used: row.tools_used,
        model_used: row.model_used,
        status: String(row.extra_metadata.status ?? 'completed'),
      },
    ]);
  }

  /** Live state: the Redis snapshot, else the workflow's `state` query (and re-mirror it). */
  async session(sessionId: string): Promise<SessionSnapshot> {
    const cached = await this.deps.snapshots.get(sessionId);
    if (cached) return cached;
    try {
      const view = await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).query(stateQuery));
      const { pending: _pending, ...rest } = view;
      const snapshot: SessionSnapshot = {
        ...rest,
        messages: view.messages.filter((m: ChatMessage) => m.role === 'user' || (m.role === 'assistant' && !m.tool_calls?.length)),
      };
      await this.deps.snapshots.put(snapshot);
      return snapshot;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new SessionNotFoundError(sessionId);
      throw err;
    }
  }
}
