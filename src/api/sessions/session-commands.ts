import { randomUUID } from 'node:crypto';
import type { SessionRecord, SessionSettings, SessionSnapshot } from '../../contract/session';
import { titleOf } from '../../contract/session-shapes';
import { userChatMessage, userMessageKey } from '../../contract/conversation';
import type { UserMessage } from '../../contract/turn';
import { IdempotencyKeyReusedError, SessionNotFoundError, ValidationError } from '../../errors';
import type { ChatHistoryStore } from '../../store/chat-history-store';
import type { ConversationStore } from '../../store/conversation-store';
import type { IdempotencyStore, IdempotentRequest } from '../../store/idempotency-store';
import type { SessionEventStream } from '../../store/session-event-stream';
import type { SessionRecordStore } from '../../store/session-record-store';
import type { SessionSnapshotStore } from '../../store/session-snapshot-store';
import type { ChatRequest } from '../requests/request-schemas';
import type { Principal } from '../security/principal-of';
import { idempotencyScope, idempotentId, requestFingerprint } from './idempotency';
import type { SessionAccess } from './session-access';
import type { SessionWorkflows } from './session-workflows';
import type { TurnTicket } from './turn-ticket';

export interface SessionCommandsDeps {
  workflows: SessionWorkflows;
  access: SessionAccess;
  settings: SessionSettings;
  records: SessionRecordStore;
  snapshots: SessionSnapshotStore;
  events: SessionEventStream;
  /** What requests with an Idempotency-Key did; the archive tells whether their turn already ran. */
  idempotency: IdempotencyStore;
  history: ChatHistoryStore;
  /** The user message is stored here once, before the signal: the workflow passes only its key on. */
  conversation: ConversationStore;
  /** How long ending a session waits for its workflow to complete. */
  endWaitMs: number;
}

/** What changes a session: start it, send it a message, cancel its turn, end it. */
export class SessionCommands {
  constructor(private readonly deps: SessionCommandsDeps) {}

  /**
   * With an Idempotency-Key, the session id comes from the key and a retry answers the same session;
   * the workflow is started once (by the first request, or by a retry when the first one failed).
   */
  async createSession(owner: Principal, idempotencyKey?: string): Promise<{ session_id: string; created_at: string }> {
    let sessionId: string = randomUUID();
    let createdAt = new Date().toISOString();
    if (idempotencyKey === undefined) {
      await this.deps.workflows.start({ sessionId, createdAt, owner });
    } else {
      sessionId = idempotentId('session', owner, idempotencyKey);
      const earlier = await this.claimKey(owner, idempotencyKey, {
        fingerprint: requestFingerprint('session', {}),
        session_id: sessionId,
        received_at: createdAt,
      });
      createdAt = earlier?.received_at ?? createdAt;
      await this.deps.workflows.startOnce({ sessionId, createdAt, owner });
    }
    // Idempotent: the row is ensured, and the empty snapshot never replaces a newer one.
    await this.recordStart(sessionId, createdAt, owner, null);
    return { session_id: sessionId, created_at: createdAt };
  }

  /**
   * Accepts one message: validates the model, signals the session (or starts one when no
   * session_id is given), and returns where its events start in the session's stream.
   */
  async startTurn(
    request: ChatRequest,
    owner: Principal,
    requestId?: string,
    idempotencyKey?: string,
  ): Promise<TurnTicket> {
    const models = this.deps.settings.models;
    if (request.model && !models.some((m) => m.name === request.model)) {
      throw new ValidationError(`Unknown model "${request.model}"`, [
        { field: 'model', message: `must be one of: ${models.map((m) => m.name).join(', ')}` },
      ]);
    }
    if (idempotencyKey !== undefined) return this.startIdempotentTurn(request, owner, idempotencyKey, requestId);
    const message = this.userMessage(request, randomUUID(), new Date().toISOString(), requestId);
    let sessionId = request.session_id;
    let afterId = '0-0';
    if (sessionId === undefined) {
      sessionId = randomUUID();
      await this.storeMessage(sessionId, message);
      await this.deps.workflows.startWithMessage({ sessionId, createdAt: message.received_at, owner }, message);
      await this.recordStart(sessionId, message.received_at, owner, titleOf(message.text));
    } else {
      // Both reads at once (one round trip's wait): the stream's last id is harmless to read before the
      // owner is checked, and nothing is written until it is.
      [, afterId] = await Promise.all([
        this.deps.access.authorize(sessionId, owner),
        this.deps.events.lastId(sessionId),
      ]);
      await this.storeMessage(sessionId, message);
      // Where the stream stood: a message sent after the running turn's `done` is not refused as busy.
      await this.deps.workflows.sendMessage(sessionId, { ...message, after_id: afterId });
    }
    return {
      session_id: sessionId,
      turn_id: message.turn_id,
      after_id: afterId,
      model: request.model ?? models[0]?.name,
      received_at: message.received_at,
    };
  }

  /**
   * A message with an Idempotency-Key: its turn id (and, without session_id, its session id) come from
   * the key, so a retry names the same turn and the workflow ignores it as a repeat. The first request
   * is remembered (with where its events start) and a retry reuses it; a turn already archived is not
   * signalled again (its session may have ended since).
   */
  private async startIdempotentTurn(
    request: ChatRequest,
    owner: Principal,
    key: string,
    requestId?: string,
  ): Promise<TurnTicket> {
    const turnId = idempotentId('turn', owner, key);
    const newSession = request.session_id === undefined;
    const sessionId = request.session_id ?? idempotentId('session', owner, key);
    if (!newSession) await this.deps.access.authorize(sessionId, owner);
    const first: IdempotentRequest = {
      fingerprint: requestFingerprint('message', request),
      session_id: sessionId,
      turn_id: turnId,
      after_id: newSession ? '0-0' : await this.deps.events.lastId(sessionId),
      model: request.model ?? this.deps.settings.models[0]?.name,
      received_at: new Date().toISOString(),
    };
    const claimed = (await this.claimKey(owner, key, first)) ?? first;
    const ticket: TurnTicket = {
      session_id: sessionId,
      turn_id: turnId,
      after_id: claimed.after_id ?? '0-0',
      model: claimed.model,
      received_at: claimed.received_at,
      idempotent: true,
    };
    if ((await this.deps.history.countTurns(turnId)) > 0) return ticket;
    const message = this.userMessage(request, turnId, claimed.received_at, requestId);
    await this.storeMessage(sessionId, message);
    if (newSession) {
      await this.deps.workflows.startWithMessage({ sessionId, createdAt: message.received_at, owner }, message);
      await this.recordStart(sessionId, message.received_at, owner, titleOf(message.text));
    } else {
      await this.deps.workflows.sendMessage(sessionId, { ...message, after_id: ticket.after_id });
    }
    return ticket;
  }

  /** Before the signal, so the turn's activities find the message by its key (idempotent: same turn, same body). */
  private async storeMessage(sessionId: string, message: UserMessage): Promise<void> {
    await this.deps.conversation.putMessage(sessionId, userMessageKey(message.turn_id), userChatMessage(message));
  }

  private userMessage(request: ChatRequest, turnId: string, receivedAt: string, requestId?: string): UserMessage {
    return {
      turn_id: turnId,
      text: request.message,
      options: {
        use_tools: request.use_tools,
        model: request.model,
        temperature: request.temperature,
        max_tokens: request.max_tokens,
        double_texting: request.double_texting,
        // Absent means auto: the signal of a message without the option stays as it was.
        ...(request.approval === 'always' ? { approval: request.approval } : {}),
      },
      received_at: receivedAt,
      ...(requestId ? { request_id: requestId } : {}),
    };
  }

  /** Remembers the first request with this key; returns the earlier one, or 422 when the key was used for another request. */
  private async claimKey(owner: Principal, key: string, first: IdempotentRequest): Promise<IdempotentRequest | null> {
    const earlier = await this.deps.idempotency.claim(idempotencyScope(owner, key), first);
    if (earlier && (earlier.fingerprint !== first.fingerprint || earlier.session_id !== first.session_id))
      throw new IdempotencyKeyReusedError();
    return earlier;
  }

  /**
   * Asks the session to cancel its running turn, or only `turnId` when given (the workflow ignores a
   * cancel for a turn that is not running). Answers the turn meant and whether it was running.
   */
  async cancelTurn(
    sessionId: string,
    owner: Principal,
    options: { turnId?: string; reason?: string } = {},
  ): Promise<{ session_id: string; turn_id: string | null; cancelled: boolean }> {
    const live = await this.deps.access.authorize(sessionId, owner);
    await this.deps.workflows.cancelTurn(sessionId, {
      ...(options.turnId ? { turn_id: options.turnId } : {}),
      reason: options.reason ?? 'requested by client',
    });
    const running = live?.current_turn?.turn_id ?? null;
    const turnId = options.turnId ?? running;
    return { session_id: sessionId, turn_id: turnId, cancelled: running !== null && running === turnId };
  }

  /**
   * Ends the session and waits (up to the turn wait timeout) for its workflow to complete. The running turn
   * is cancelled (its partial answer archived) unless `finishRunning`; queued messages do not run.
   * Ending an ended session is not an error: DELETE is idempotent.
   */
  async endSession(sessionId: string, owner: Principal, options: { finishRunning: boolean }): Promise<SessionRecord> {
    await this.deps.access.authorize(sessionId, owner);
    await this.deps.workflows.end(sessionId, {
      cancelRunning: !options.finishRunning,
      reason: 'deleted by client',
      waitMs: this.deps.endWaitMs,
    });
    const record = await this.deps.records.get(sessionId);
    if (!record) throw new SessionNotFoundError(sessionId);
    return record;
  }

  /** Records the new session (row and live snapshot) before the caller learns its id. */
  private async recordStart(
    sessionId: string,
    createdAt: string,
    owner: Principal,
    title: string | null,
  ): Promise<void> {
    await this.deps.records.ensure(sessionId, { owner, created_at: createdAt, title });
    await this.deps.snapshots.put(newSessionSnapshot(sessionId, createdAt, owner, title));
  }
}

function newSessionSnapshot(
  sessionId: string,
  createdAt: string,
  owner: Principal,
  title: string | null,
): SessionSnapshot {
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
