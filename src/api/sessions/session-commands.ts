import { randomUUID } from 'node:crypto';
import type { SessionRecord, SessionSettings, SessionSnapshot } from '../../contract/session';
import { titleOf } from '../../contract/session-shapes';
import type { UserMessage } from '../../contract/turn';
import { SessionNotFoundError, ValidationError } from '../../errors';
import type { SessionEventStream } from '../../store/session-event-stream';
import type { SessionRecordStore } from '../../store/session-record-store';
import type { SessionSnapshotStore } from '../../store/session-snapshot-store';
import type { ChatRequest } from '../requests/request-schemas';
import type { Principal } from '../security/principal-of';
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
  /** How long ending a session waits for its workflow to complete. */
  endWaitMs: number;
}

/** What changes a session: start it, send it a message, cancel its turn, end it. */
export class SessionCommands {
  constructor(private readonly deps: SessionCommandsDeps) {}

  async createSession(owner: Principal): Promise<{ session_id: string; created_at: string }> {
    const sessionId = randomUUID();
    const createdAt = new Date().toISOString();
    await this.deps.workflows.start({ sessionId, createdAt, owner });
    await this.recordStart(sessionId, createdAt, owner, null);
    return { session_id: sessionId, created_at: createdAt };
  }

  /**
   * Accepts one message: validates the model, signals the session (or starts one when no
   * session_id is given), and returns where its events start in the session's stream.
   */
  async startTurn(request: ChatRequest, owner: Principal, requestId?: string): Promise<TurnTicket> {
    const models = this.deps.settings.models;
    if (request.model && !models.some((m) => m.name === request.model)) {
      throw new ValidationError(`Unknown model "${request.model}"`, [
        { field: 'model', message: `must be one of: ${models.map((m) => m.name).join(', ')}` },
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
      await this.deps.workflows.startWithMessage({ sessionId, createdAt: message.received_at, owner }, message);
      await this.recordStart(sessionId, message.received_at, owner, titleOf(message.text));
    } else {
      await this.deps.access.authorize(sessionId, owner);
      afterId = await this.deps.events.lastId(sessionId);
      await this.deps.workflows.sendMessage(sessionId, message);
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
