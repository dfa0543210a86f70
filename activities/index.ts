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
import { fillByReference, turnPartKeys } from './mirror-by-reference';
import { classifyStoreErrors } from './store-failure';
import { createToolActivities } from './tool-activities';
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

/** Idempotent by turn_id: a retry never adds a second archive row, and totals are recomputed, not added. */
async function archiveTurn(deps: ActivityDeps, input: ArchiveTurnInput): Promise<void> {
  // Before the row, outside its transaction: history reads served from the API's cache learn that the archive may be ahead.
  await classifyStoreErrors(() => deps.snapshots.markArchiving(input.result.session_id, input.result.turn_id));
  await classifyStoreErrors(() =>
    deps.sessionRecords.transaction(async (trx) => {
      await deps.history.archiveTurn(input, trx);
      await deps.sessionRecords.refreshTotals(input.result.session_id, input.session, trx);
      // A cancelled turn's memories are not kept; the others become visible to later turns.
      const { session_id, turn_id, status } = input.result;
      await deps.memories?.settleTurn(session_id, turn_id, status !== 'cancelled', trx);
    }),
  );
  // After the archive: a turn the conversation store holds is always in the archive too.
  const { messages, result, seq } = input;
  if (messages && seq !== undefined)
    await classifyStoreErrors(() =>
      deps.conversation.putTurn(result.session_id, seq, messages, turnPartKeys(result, messages)),
    );
}

/** The snapshot to Redis (the live partial answer cleared) and the events to the session's stream. */
async function mirror(deps: ActivityDeps, { snapshot, events }: Pick<MirrorSessionInput, 'snapshot' | 'events'>) {
  await classifyStoreErrors(() =>
    Promise.all([
      deps.snapshots.put(snapshot),
      deps.snapshots.clearLive(snapshot.session_id),
      deps.events.append(snapshot.session_id, events),
    ]),
  );
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
