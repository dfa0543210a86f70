import type { Client } from '@temporalio/client';
import type { SessionSettings } from '../../contract/session';
import type { ChatHistoryStore } from '../../store/chat-history-store';
import type { ConversationStore } from '../../store/conversation-store';
import type { IdempotencyStore } from '../../store/idempotency-store';
import type { SessionEventStream } from '../../store/session-event-stream';
import type { SessionRecordStore } from '../../store/session-record-store';
import type { SessionSnapshotStore } from '../../store/session-snapshot-store';
import { SessionAccess } from './session-access';
import { SessionCommands } from './session-commands';
import { HistoryCache } from './history-cache';
import { SessionReads } from './session-reads';
import { SessionWorkflows } from './session-workflows';
import { ToolCallApprovals } from './tool-call-approvals';
import { TurnResultWaiter, type TurnEndings } from './turn-result-waiter';

export interface SessionServiceDeps {
  client: Client;
  taskQueue: string;
  settings: SessionSettings;
  snapshots: SessionSnapshotStore;
  events: SessionEventStream;
  history: ChatHistoryStore;
  conversation: ConversationStore;
  records: SessionRecordStore;
  idempotency: IdempotencyStore;
  turnEndings: TurnEndings;
  turnWaitTimeoutMs: number;
  /** Bound of the history cache (HISTORY_CACHE_MAX_BYTES; 0 = none). */
  historyCacheMaxBytes: number;
}

/** The sessions feature as routes use it: who may act, what changes a session, what reads it, and waiting for a turn's answer. */
export interface SessionService {
  access: SessionAccess;
  commands: SessionCommands;
  reads: SessionReads;
  turnResults: TurnResultWaiter;
  approvals: ToolCallApprovals;
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const workflows = new SessionWorkflows(deps.client, deps.taskQueue, deps.settings);
  const access = new SessionAccess(deps.snapshots, deps.records, workflows);
  return {
    access,
    commands: new SessionCommands({
      workflows,
      access,
      settings: deps.settings,
      records: deps.records,
      snapshots: deps.snapshots,
      events: deps.events,
      idempotency: deps.idempotency,
      history: deps.history,
      conversation: deps.conversation,
      endWaitMs: deps.turnWaitTimeoutMs,
    }),
    reads: new SessionReads({
      access,
      workflows,
      snapshots: deps.snapshots,
      records: deps.records,
      history: deps.history,
      historyWindowMessages: deps.settings.history_window_messages,
      historyCache: new HistoryCache(deps.historyCacheMaxBytes),
    }),
    turnResults: new TurnResultWaiter(deps.turnEndings, deps.turnWaitTimeoutMs, deps.history),
    approvals: new ToolCallApprovals(access, workflows),
  };
}
