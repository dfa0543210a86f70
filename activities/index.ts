import type { MemoryRecall } from '../src/memory/memory-recall';
import type { MemoryStore } from '../src/memory/memory-store';
import type { ModelRouter } from '../src/llm/model-router';
import type { ChatHistoryStore } from '../src/store/chat-history-store';
import type { ConversationStore } from '../src/store/conversation-store';
import type { SessionRecordStore } from '../src/store/session-record-store';
import type { SessionEventStream } from '../src/store/session-event-stream';
import type { SessionSnapshotStore } from '../src/store/session-snapshot-store';
import type { ToolResultCache } from '../src/store/tool-result-cache';
import type { ToolRunLedger } from '../src/store/tool-run-ledger';
import type { ToolRegistry } from '../src/tools/registry';
import { createCallModel } from './call-model';
import { createSummarizeConversation } from './summarize-conversation';
import { fillByReference } from './mirror-by-reference';
import { classifyStoreErrors } from './store-failure';
import { createToolActivities } from './tool-activities';
import { archiveTurn, mirror } from './turn-end';
import type {
  ArchiveTurnInput,
  FinishTurnInput,
  MirrorSessionInput,
  PublishEventsInput,
  RecordSessionEndInput,
  SessionActivities,
} from '../src/contract/activity-io';

export interface ActivityDeps {
  models: ModelRouter;
  tools: ToolRegistry;
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
  history: ChatHistoryStore;
  /** Each message once, by reference (history by reference; contract/conversation.ts). */
  conversation: ConversationStore;
  sessionRecords: SessionRecordStore;
  toolCache?: ToolResultCache;
  /** Runs non-idempotent tools at most once per call; required when such a tool is registered. */
  toolRuns?: ToolRunLedger;
  /** Long-term memory: settled with each archived turn; recalled into model calls when `recall` is set. */
  memories?: MemoryStore;
  recall?: MemoryRecall;
}

/** Activities built from their dependencies, so tests and processes wire real clients explicitly. */
export function createActivities(deps: ActivityDeps) {
  /** Store activities retry until the dependency is back; only a bug (store-failure.ts) is non-retryable. */
  const sessionActivities: SessionActivities = {
    callModel: createCallModel(deps),
    summarizeConversation: createSummarizeConversation(deps),
    archiveTurn: (input: ArchiveTurnInput) => archiveTurn(deps, input),
    /** Marks the session row ended (idempotent). */
    async recordSessionEnd(input: RecordSessionEndInput): Promise<void> {
      await classifyStoreErrors(() =>
        deps.sessionRecords.markEnded(input.session_id, input.session, input.ended_at, input.reason),
      );
    },
    /** Mirrors the session snapshot to Redis and publishes turn events (done, error, ended). */
    async mirrorSession(input: MirrorSessionInput): Promise<void> {
      await mirror(deps, await fillByReference(deps, input));
    },
    /** Archive, then publish: a retry after the archive re-archives nothing (by turn_id) and publishes again. */
    async finishTurn(input: FinishTurnInput): Promise<void> {
      await archiveTurn(deps, input.archive);
      await mirror(deps, input.mirror);
    },
    /** Publishes events that need no snapshot change (e.g. a rejected double text). */
    async publishEvents(input: PublishEventsInput): Promise<void> {
      await classifyStoreErrors(() => deps.events.append(input.session_id, input.events));
    },
  };
  return {
    ...sessionActivities,
    ...createToolActivities(deps.tools, deps.events, deps.toolCache, deps.toolRuns, deps.conversation),
  };
}

export type ChatActivities = ReturnType<typeof createActivities>;
