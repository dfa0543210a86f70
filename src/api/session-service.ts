import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SessionSnapshot } from '../contract/session';
import { cancelTurnSignal, endSessionSignal, sessionWorkflowId, SESSION_WORKFLOW_TYPE, stateQuery, userMessageSignal, type ChatSessionWorkflow } from '../contract/session-workflow';
import type { ChatMessage } from '../contract/chat-message';
import type { ChatSessionInput, SessionSettings } from '../contract/session';
import type { TurnResult, UserMessage } from '../contract/turn';
import type { TurnEndingEvent } from '../contract/event-catalog';
import {
  ApiError,
  BudgetExceededError,
  DependencyUnavailableError,
  SessionBusyError,
  SessionEndedError,
  SessionNotFoundError,
  SessionQueueFullError,
  ServerShuttingDownError,
  TurnFailedError,
  TurnTimeoutError,
  ValidationError,
} from '../errors';
import type { ChatHistoryStore } from '../store/chat-history-store';
import { InvalidCursorError, type SessionPage, type SessionRecordStore } from '../store/session-record-store';
import type { SessionRecord } from '../contract/session';
import { ChatLastActivity, ChatOwner, ChatSessionStatus, ChatTurns } from '../contract/search-attributes';
import { snapshotOf, titleOf } from '../contract/session-shapes';
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
  records: SessionRecordStore;
  waiter: TurnWaiter;
  turnWaitTimeoutMs: number;
}

/** Who is calling: the API key's principal (`anonymous` when the API runs open). */
export type Principal = string;

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

/** Maps Temporal transport failures to 503; our own errors pass through. */
async function temporalCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError || err instanceof WorkflowNotFoundError) throw err;
    throw new DependencyUnavailableError('Temporal', (err as Error).message);
  }
}

/** What the API does with sessions: start them, send them messages, read them back, end them. */
export class SessionService {
  /** Aborted when the API shuts down: waiting requests answer 503 at once (their turns go on). */
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: SessionServiceDeps) {}

  /** Ends every synchronous wait with ServerShuttingDownError; called first when the API stops. */
  beginShutdown(): void {
    this.shutdown.abort();
  }

  private startInput(sessionId: string, createdAt: string, owner: Principal): ChatSessionInput {
    return { session_id: sessionId, created_at: createdAt, owner, settings: this.deps.settings };
  }

  /** Workflow start options every session gets: owner in memo, search attributes, Web UI summary. */
  private startOptions(sessionId: string, createdAt: string, owner: Principal, firstMessage?: string) {
    return {
      taskQueue: this.deps.taskQueue,
      workflowId: sessionWorkflowId(sessionId),
      args: [this.startInput(sessionId, createdAt, owner)] as [ChatSessionInput],
      memo: { owner },
      ...(this.deps.settings.search_attributes
        ? {
            typedSearchAttributes: [
              { key: ChatSessionStatus, value: 'active' },
              { key: ChatOwner, value: owner },
              { key: ChatTurns, value: 0 },
              { key: ChatLastActivity, value: new Date(createdAt) },
            ],
          }
        : {}),
      staticSummary: firstMessage ? titleOf(firstMessage) : `New chat session ${sessionId.slice(0, 8)}`,
      staticDetails: `Chat session \`${sessionId}\` of **${owner}**, started ${createdAt}.`,
    };
  }

  private emptySnapshot(sessionId: string, createdAt: string, owner: Principal, title: string | null): SessionSnapshot {
    return {
      session_id: sessionId,
      owner,
      title,
      status: 'active',
      created_at: createdAt,
      last_activity_at: createdAt,
      turns: 0,
      tokens_used: 0,
      cost: 0,
      messages: [],
      current_turn: null,
    };
  }

  /** Records the new session (row and live snapshot) before the caller learns its id. */
  private async recordStart(sessionId: string, createdAt: string, owner: Principal, title: string | null): Promise<void> {
    await this.deps.records.ensure(sessionId, { owner, created_at: createdAt, title });
    await this.deps.snapshots.put(this.emptySnapshot(sessionId, createdAt, owner, title));
  }

  async createSession(owner: Principal): Promise<{ session_id: string; created_at: string }> {
    const sessionId = randomUUID();
    const createdAt = new Date().toISOString();
    await temporalCall(() => this.deps.client.workflow.start<ChatSessionWorkflow>(SESSION_WORKFLOW_TYPE, this.startOptions(sessionId, createdAt, owner)));
    await this.recordStart(sessionId, createdAt, owner, null);
    return { session_id: sessionId, created_at: createdAt };
  }

  /**
   * Accepts one message: validates the model, signals the session (or starts one when no
   * session_id is given), and returns where its events start in the session's stream.
   */
  async startTurn(request: ChatRequest, owner: Principal, requestId?: string): Promise<TurnTicket> {
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
      const options = this.startOptions(sessionId, message.received_at, owner, message.text);
      await temporalCall(() =>
        this.deps.client.workflow.signalWithStart<ChatSessionWorkflow, [UserMessage]>(SESSION_WORKFLOW_TYPE, {
          ...options,
          signal: userMessageSignal,
          signalArgs: [message],
        }),
      );
      await this.recordStart(sessionId, message.received_at, owner, titleOf(message.text));
    } else {
      await this.authorize(sessionId, owner);
      afterId = await this.deps.events.lastId(sessionId);
      await this.signal(sessionId, message);
    }
    return { session_id: sessionId, turn_id: message.turn_id, after_id: afterId, model: request.model ?? this.deps.settings.models[0]?.name, received_at: message.received_at };
  }

  /** Waits for a started turn through the session's event stream. */
  async waitForTurn(ticket: TurnTicket, signal?: AbortSignal): Promise<TurnResult> {
    const stop = signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal;
    let ending: TurnEndingEvent;
    try {
      ending = await this.deps.waiter.wait(ticket.session_id, ticket.turn_id, ticket.after_id, this.deps.turnWaitTimeoutMs, stop, Date.parse(ticket.received_at));
    } catch (err) {
      if (err instanceof TurnTimeoutError && this.shutdown.signal.aborted) throw new ServerShuttingDownError(ticket.session_id, ticket.turn_id);
      throw err;
    }
    const result = turnResultOf(ticket.session_id, ending);
    if (result.status === 'failed') {
      throw new TurnFailedError(result.response, { session_id: ticket.session_id, turn_id: result.turn_id, error: result.error });
    }
    return result;
  }

  /** Asks the session to cancel its running turn; answers which turn was running, if any. */
  async cancelTurn(sessionId: string, owner: Principal, reason = 'requested by client'): Promise<{ session_id: string; turn_id: string | null; cancelled: boolean }> {
    const live = await this.authorize(sessionId, owner);
    await this.signalOrExplain(sessionId, (handle) => handle.signal(cancelTurnSignal, { reason }));
    const turnId = live?.current_turn?.turn_id ?? null;
    return { session_id: sessionId, turn_id: turnId, cancelled: turnId !== null };
  }

  /**
   * Ends the session and waits (up to the turn wait timeout) for its workflow to complete. The running turn
   * is cancelled (its partial answer archived) unless `finishRunning`; queued messages do not run.
   * Ending an ended session is not an error: DELETE is idempotent.
   */
  async endSession(sessionId: string, owner: Principal, options: { finishRunning: boolean }): Promise<SessionRecord> {
    await this.authorize(sessionId, owner);
    const handle = this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId));
    try {
      await temporalCall(() => handle.signal(endSessionSignal, { cancel_running: !options.finishRunning, reason: 'deleted by client' }));
      await temporalCall(() => withTimeout(handle.result(), this.deps.turnWaitTimeoutMs));
    } catch (err) {
      // Already completed (idle timeout, an earlier DELETE): nothing left to end.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const record = await this.deps.records.get(sessionId);
    if (!record) throw new SessionNotFoundError(sessionId);
    return record;
  }

  async listSessions(owner: Principal, options: { limit: number; cursor?: string; status?: 'active' | 'ended' }): Promise<SessionPage> {
    try {
      return await this.deps.records.list(owner, options);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ValidationError(`Invalid cursor: ${err.message}`, [{ field: 'cursor', message: err.message }]);
      throw err;
    }
  }

  /**
   * 404 unless the session exists and belongs to `owner` (the same answer for both, so ids of
   * other principals' sessions leak nothing). Returns the live snapshot when Redis has it.
   */
  async authorize(sessionId: string, owner: Principal): Promise<SessionSnapshot | null> {
    const live = await this.deps.snapshots.get(sessionId);
    const recordedOwner = live?.owner ?? (await this.deps.records.get(sessionId))?.owner ?? (await this.ownerFromTemporal(sessionId));
    if (recordedOwner !== owner) throw new SessionNotFoundError(sessionId);
    return live;
  }

  /** The owner in the workflow's memo (sessions whose row and snapshot are gone), or undefined. */
  private async ownerFromTemporal(sessionId: string): Promise<string | undefined> {
    try {
      const description = await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).describe());
      const owner = description.memo?.owner;
      return typeof owner === 'string' ? owner : 'anonymous';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private async signal(sessionId: string, message: UserMessage): Promise<void> {
    await this.signalOrExplain(sessionId, (handle) => handle.signal(userMessageSignal, message));
  }

  /** Signals the running workflow; a closed or unknown one becomes 410 or 404. */
  private async signalOrExplain(sessionId: string, send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>): Promise<void> {
    try {
      await temporalCall(() => send(this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId))));
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

  /** Full history from the archive (the caller must own the session). */
  async history(sessionId: string, owner: Principal): Promise<HistoryMessage[]> {
    await this.authorize(sessionId, owner);
    const rows = await this.deps.history.listTurns(sessionId);
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

  /**
   * Live state: the Redis snapshot, else the workflow's `state` query (re-mirrored to Redis),
   * else — for a session whose workflow is gone — its row in the archive.
   */
  async session(sessionId: string, owner: Principal): Promise<SessionSnapshot> {
    const cached = await this.authorize(sessionId, owner);
    if (cached) return cached;
    try {
      const view = await temporalCall(() => this.deps.client.workflow.getHandle(sessionWorkflowId(sessionId)).query(stateQuery));
      const snapshot = snapshotOf(view);
      await this.deps.snapshots.put(snapshot);
      return snapshot;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !(err instanceof DependencyUnavailableError)) throw err;
      const record = await this.deps.records.get(sessionId);
      if (!record) throw err instanceof WorkflowNotFoundError ? new SessionNotFoundError(sessionId) : err;
      return this.snapshotFromRecord(record);
    }
  }

  private async snapshotFromRecord(record: SessionRecord): Promise<SessionSnapshot> {
    const rows = await this.deps.history.listTurns(record.session_id);
    const messages = rows.slice(-Math.ceil(this.deps.settings.history_window_messages / 2)).flatMap((row): ChatMessage[] => [
      { role: 'user', content: row.user_message, turn_id: row.turn_id },
      { role: 'assistant', content: row.assistant_message, turn_id: row.turn_id, created_at: row.created_at },
    ]);
    return {
      session_id: record.session_id,
      owner: record.owner,
      title: record.title,
      status: record.status,
      created_at: record.created_at,
      last_activity_at: record.last_activity_at,
      turns: record.turns,
      tokens_used: record.tokens_used,
      cost: record.cost,
      messages,
      current_turn: null,
    };
  }
}

/** The turn's result from its ending event; a refusal (busy, ended, queue full, over budget) becomes its API error. */
function turnResultOf(sessionId: string, event: TurnEndingEvent): TurnResult {
  if (event.type !== 'error') return event.data;
  const data = event.data;
  if ('status' in data && data.status === 'rejected' && 'message' in data) {
    if (data.code === 'session_ended') throw new SessionEndedError(sessionId);
    if (data.code === 'session_queue_full') throw new SessionQueueFullError(sessionId, data.message);
    throw new SessionBusyError(sessionId);
  }
  if (!('session_id' in data)) throw new DependencyUnavailableError('Redis', data.message);
  if (data.status === 'failed' && data.code === 'budget_exceeded') {
    throw new BudgetExceededError(data.response, { session_id: sessionId, turn_id: data.turn_id });
  }
  return data;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
