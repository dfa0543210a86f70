import { WorkflowNotFoundError } from '@temporalio/client';
import type { SessionSnapshot } from '../../contract/session';
import { snapshotOf } from '../../contract/session-shapes';
import { DependencyUnavailableError, SessionNotFoundError, ValidationError } from '../../errors';
import type { ChatHistoryStore } from '../../store/chat-history-store';
import { InvalidCursorError, type SessionPage, type SessionRecordStore } from '../../store/session-record-store';
import type { SessionSnapshotStore } from '../../store/session-snapshot-store';
import type { Principal } from '../security/principal-of';
import { cachedHistoryIsCurrent } from './cached-history-is-current';
import type { HistoryCache } from './history-cache';
import { historyMessagesOf } from './history-message';
import type { SessionAccess } from './session-access';
import type { SessionWorkflows } from './session-workflows';
import { snapshotFromRecord } from './snapshot-from-record';

export interface SessionReadsDeps {
  access: SessionAccess;
  workflows: SessionWorkflows;
  snapshots: SessionSnapshotStore;
  records: SessionRecordStore;
  history: ChatHistoryStore;
  /** The session's message window: how much of the archive a rebuilt snapshot shows. */
  historyWindowMessages: number;
  /** Archive answers of hot sessions, served while the snapshot shows the archive has not moved. */
  historyCache: HistoryCache;
}

/** What the API reads about sessions: one's list, a session's live snapshot, its archived history. */
export class SessionReads {
  constructor(private readonly deps: SessionReadsDeps) {}

  async listSessions(
    owner: Principal,
    options: { limit: number; cursor?: string; status?: 'active' | 'ended' },
  ): Promise<SessionPage> {
    try {
      return await this.deps.records.list(owner, options);
    } catch (err) {
      if (err instanceof InvalidCursorError)
        throw new ValidationError(`Invalid cursor: ${err.message}`, [{ field: 'cursor', message: err.message }]);
      throw err;
    }
  }

  /**
   * The full history as the archive answers it, as the JSON text of `{ session_id, messages }` (the
   * caller must own the session). A hot session's answer comes from the cache while the snapshot the
   * ownership check read shows the archive holds the same turns (cached-history-is-current.ts).
   */
  async historyBody(sessionId: string, owner: Principal): Promise<string> {
    const read = await this.deps.access.authorizeRead(sessionId, owner);
    const cached = this.deps.historyCache.get(sessionId);
    if (cachedHistoryIsCurrent(cached, read)) return cached.body;
    const rows = await this.deps.history.listTurns(sessionId);
    const body = JSON.stringify({ session_id: sessionId, messages: historyMessagesOf(rows) });
    // Only sessions with a snapshot can be served from the cache later.
    if (read.snapshot) this.deps.historyCache.set(sessionId, { turns: rows.length, body });
    return body;
  }

  /**
   * Live state: the Redis snapshot, else the workflow's `state` query (re-mirrored to Redis),
   * else — for a session whose workflow is gone or while Temporal is down — its row in the archive.
   */
  async session(sessionId: string, owner: Principal): Promise<SessionSnapshot> {
    const cached = await this.deps.access.authorize(sessionId, owner);
    if (cached) return cached;
    try {
      const snapshot = snapshotOf(await this.deps.workflows.queryState(sessionId));
      await this.deps.snapshots.put(snapshot);
      return snapshot;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !(err instanceof DependencyUnavailableError)) throw err;
      const record = await this.deps.records.get(sessionId);
      if (!record) throw err instanceof WorkflowNotFoundError ? new SessionNotFoundError(sessionId) : err;
      return snapshotFromRecord(record, await this.deps.history.listTurns(sessionId), this.deps.historyWindowMessages);
    }
  }
}
