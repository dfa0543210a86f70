import type OpenAI from 'openai';
import type { ChatHistoryStore } from '../src/store/chat-history-store';
import type { SessionEventStream } from '../src/store/session-event-stream';
import type { SessionSnapshotStore } from '../src/store/session-snapshot-store';
import { toolRegistry } from '../src/tools/registry';
import { createCallModel } from './call-model';
import { createToolActivities } from './tool-activities';
import type { ArchiveTurnInput, MirrorSessionInput, ToolInput, ToolResult } from './types';

export interface ActivityDeps {
  openai: OpenAI;
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
  history: ChatHistoryStore;
  priceInputPer1M: number;
  priceOutputPer1M: number;
}

/** Activities built from their dependencies, so tests and processes wire real clients explicitly. */
export function createActivities(deps: ActivityDeps) {
  return {
    callModel: createCallModel(deps),
    /** Idempotent by turn_id: a retry never adds a second archive row. */
    async archiveTurn(input: ArchiveTurnInput): Promise<void> {
      await deps.history.archiveTurn(input);
    },
    /** Mirrors the session snapshot to Redis and publishes turn events (done, error, ended). */
    async mirrorSession(input: MirrorSessionInput): Promise<void> {
      await Promise.all([deps.snapshots.put(input.snapshot), deps.events.append(input.snapshot.session_id, input.events)]);
    },
    ...createToolActivities(toolRegistry.values(), deps.events),
  };
}

export type ChatActivities = ReturnType<typeof createActivities>;
export type ToolActivity = (input: ToolInput) => Promise<ToolResult>;
