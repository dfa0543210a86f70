import type { SessionSnapshot } from '../../contract/session';
import { SessionNotFoundError } from '../../errors';
import type { SessionRecordStore } from '../../store/session-record-store';
import type { SessionSnapshotStore, SnapshotRead } from '../../store/session-snapshot-store';
import type { Principal } from '../security/principal-of';
import type { SessionWorkflows } from './session-workflows';

/**
 * Who may touch a session: its owner only. The owner is looked up where it is cheapest first —
 * the Redis snapshot, then the archive row, then the workflow's memo (sessions whose row and
 * snapshot are gone).
 */
export class SessionAccess {
  constructor(
    private readonly snapshots: SessionSnapshotStore,
    private readonly records: SessionRecordStore,
    private readonly workflows: SessionWorkflows,
  ) {}

  /**
   * 404 unless the session exists and belongs to `principal`: the same answer for both, so ids of
   * other principals' sessions leak nothing. Returns the live snapshot when Redis has it.
   */
  async authorize(sessionId: string, principal: Principal): Promise<SessionSnapshot | null> {
    const live = await this.snapshots.get(sessionId);
    await this.checkOwner(sessionId, principal, live);
    return live;
  }

  /** As `authorize`, with whether a turn is being archived (the snapshot may lag the archive). */
  async authorizeRead(sessionId: string, principal: Principal): Promise<SnapshotRead> {
    const read = await this.snapshots.getWithArchiving(sessionId);
    await this.checkOwner(sessionId, principal, read.snapshot);
    return read;
  }

  private async checkOwner(sessionId: string, principal: Principal, live: SessionSnapshot | null): Promise<void> {
    const owner =
      live?.owner ?? (await this.records.get(sessionId))?.owner ?? (await this.workflows.ownerInMemo(sessionId));
    if (owner !== principal) throw new SessionNotFoundError(sessionId);
  }
}
