import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type {
  ArchiveTurnInput,
  FinishTurnInput,
  ModelToolCall,
  SessionActivities,
  ToolActivity,
  ToolResult,
} from '../src/contract/activity-io';
import type { SessionSettings } from '../src/contract/session';
import { STORE_BUG_FAILURE_TYPE_LIST } from '../src/contract/store-failure';
import { MESSAGES_MISSING_FAILURE_TYPE } from '../src/contract/conversation';

/** The store activities' retry cap when the session's settings name none. */
const STORE_RETRY_MAX_INTERVAL_MS = 30_000;
const STORE_RETRY_INITIAL_MS = 200;

/**
 * Retries of the store activities: no attempt limit, so an outage of Redis or SQLite delays the
 * session until the store is back instead of failing it; only a bug (a declared failure type) is
 * not retried. `callModel` is proxied by the model chain (its options depend
 * on the session's settings); tools are one activity type each, with their registry's policy.
 */
function storeOptions(settings: SessionSettings): ActivityOptions & LocalActivityOptions {
  const maximumIntervalMs = settings.store_retry_max_interval_ms ?? STORE_RETRY_MAX_INTERVAL_MS;
  return {
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: Math.min(STORE_RETRY_INITIAL_MS, maximumIntervalMs),
      maximumInterval: maximumIntervalMs,
      nonRetryableErrorTypes: STORE_BUG_FAILURE_TYPE_LIST,
    },
  };
}

type StoreActivities = Pick<SessionActivities, 'archiveTurn' | 'mirrorSession' | 'publishEvents' | 'recordSessionEnd'>;

/** Marks histories that archive through the local activity; histories without it use the regular one. */
const ARCHIVE_LOCAL_PATCH = 'archive-turn-local-activity';

/** A session's store activities, with its retry settings. */
export interface SessionStore extends StoreActivities {
  /** Archives one turn (idempotent by turn_id). */
  archiveTurnOnce(input: ArchiveTurnInput): Promise<void>;
  /**
   * Archives one turn, then publishes its ending event and the snapshot, inside the workflow task
   * that received the turn's last answer: no activity or workflow task follows the turn.
   */
  finishTurn(input: FinishTurnInput): Promise<void>;
}

export function sessionStore(settings: SessionSettings): SessionStore {
  const options = storeOptions(settings);
  /** Archive, mirror and publish: regular activities, each a task of its own in the history. */
  const store = proxyActivities<StoreActivities>(options);
  /**
   * The turn's end as a local activity, run inside the workflow task that received the model's
   * answer. Search attributes and Web UI details are recorded when that task completes, just after
   * the `done` event: visibility may trail the answer by one workflow task.
   */
  const localStore = proxyLocalActivities<Pick<SessionActivities, 'archiveTurn' | 'finishTurn'>>(options);
  // The proxy has no own keys to spread: name each activity.
  return {
    archiveTurn: store.archiveTurn,
    mirrorSession: store.mirrorSession,
    publishEvents: store.publishEvents,
    recordSessionEnd: store.recordSessionEnd,
    archiveTurnOnce: (input) =>
      patched(ARCHIVE_LOCAL_PATCH) ? localStore.archiveTurn(input) : store.archiveTurn(input),
    finishTurn: localStore.finishTurn,
  };
}

/**
 * Tools heartbeat while they run: a cancel reaches a running tool only through a heartbeat's
 * answer (the SDK sends them at most every 80% of this), and a dead worker is noticed this soon.
 */
const TOOL_HEARTBEAT_TIMEOUT = '5 seconds';

/** Room after the tool's own timeout (which the activity enforces) for its result's writes. */
const TOOL_WRITE_MARGIN_SECONDS = 10;
const TOOL_RETRY_MAX_INTERVAL = '10 seconds';

const tools = proxyActivities<Record<string, ToolActivity>>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: TOOL_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '500 milliseconds', maximumInterval: TOOL_RETRY_MAX_INTERVAL },
});

const SUMMARY_ARGUMENT_CHARS = 80;

/**
 * Runs one tool call as its own activity type, with the timeout the registry gave it (the activity
 * counts the tool's failures against the registry's attempts). A tool the registry does not know
 * schedules nothing: the model sees an error result.
 */
export function runToolCall(
  sessionId: string,
  turnId: string,
  call: ModelToolCall,
  requestId?: string,
): Promise<ToolResult> {
  if (!call.known || !call.policy) {
    return Promise.resolve({
      ok: false,
      content: JSON.stringify({ error: `Unknown tool "${call.name}"` }),
      error: 'unknown tool',
    });
  }
  const args =
    call.arguments.length > SUMMARY_ARGUMENT_CHARS
      ? `${call.arguments.slice(0, SUMMARY_ARGUMENT_CHARS - 3)}...`
      : call.arguments;
  return tools[call.name].executeWithOptions(
    {
      startToCloseTimeout: `${call.policy.timeout_seconds + TOOL_WRITE_MARGIN_SECONDS} seconds`,
      heartbeatTimeout: TOOL_HEARTBEAT_TIMEOUT,
      // No attempt limit here: the activity counts the tool's own failures against `maximum_attempts`
      // (a dead worker or a restarted server does not use them up) and fails for good at the limit.
      retry: { initialInterval: '500 milliseconds', maximumInterval: TOOL_RETRY_MAX_INTERVAL },
      summary: `${call.name} ${args}`,
    },
    [{ session_id: sessionId, turn_id: turnId, request_id: requestId, call_id: call.id, arguments: call.arguments }],
  );
}

/**
 * The summary activity of a session: a few attempts (it walks the whole model chain in each), and a
 * lost reference is not retried (the workflow resends the previous summary inline).
 */
export function summarizer(settings: SessionSettings): Pick<SessionActivities, 'summarizeConversation'> {
  return proxyActivities<Pick<SessionActivities, 'summarizeConversation'>>({
    startToCloseTimeout: `${settings.model_timeout_seconds * Math.max(1, settings.models.length + 1) + 30} seconds`,
    retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: [MESSAGES_MISSING_FAILURE_TYPE] },
  });
}
