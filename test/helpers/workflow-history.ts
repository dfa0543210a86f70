import type { Client } from '@temporalio/client';
import { sessionWorkflowId } from '../../src/contract/session-workflow';

type HistoryEvent = NonNullable<
  Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']
>[number];

/** The user-metadata summary of an event (a JSON-encoded string payload), as the Web UI shows it. */
export function summaryOf(event: HistoryEvent): string | undefined {
  const data = event.userMetadata?.summary?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as string) : undefined;
}

/** Scheduled activities of a session's current run: type and summary, in order. */
export async function scheduledActivities(
  client: Client,
  sessionId: string,
): Promise<Array<{ type: string; summary?: string }>> {
  const history = await client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => ({ type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '', summary: summaryOf(e) }));
}

type Failure = NonNullable<NonNullable<HistoryEvent['activityTaskFailedEventAttributes']>['failure']>;

/** A protobuf Duration ({ seconds: Long | number, nanos }) in milliseconds. */
function durationMs(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

export interface FailureSummary {
  type?: string;
  message?: string;
  /** The retry delay the activity asked for (ApplicationFailure.nextRetryDelay), in ms. */
  nextRetryDelayMs?: number;
}

function summarizeFailure(failure: Failure | null | undefined): FailureSummary | undefined {
  if (!failure) return undefined;
  // Activity failures may arrive wrapped (ActivityFailure → cause ApplicationFailure).
  const app = failure.applicationFailureInfo
    ? failure
    : failure.cause?.applicationFailureInfo
      ? failure.cause
      : failure;
  return {
    type: app.applicationFailureInfo?.type ?? undefined,
    message: app.message ?? undefined,
    nextRetryDelayMs: durationMs(app.applicationFailureInfo?.nextRetryDelay),
  };
}

export interface ActivityRun {
  type: string;
  summary?: string;
  /** Attempt of the last start (Temporal records one started event, of the last attempt). */
  attempt?: number;
  /** The failure of the attempt before the last one: why it was retried. */
  lastFailure?: FailureSummary;
  /** The final failure, when the activity failed for good. */
  failure?: FailureSummary;
  /** What the activity returned (JSON payload), when it completed. */
  result?: unknown;
}

/** Every activity of a session's current run, with its retries as the history records them. */
export async function activityRuns(client: Client, sessionId: string): Promise<ActivityRun[]> {
  const history = await client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  const runs = new Map<string, ActivityRun>();
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) {
      runs.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '', summary: summaryOf(e) });
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const run = runs.get(String(started.scheduledEventId));
      if (run)
        Object.assign(run, {
          attempt: started.attempt ?? undefined,
          lastFailure: summarizeFailure(started.lastFailure),
        });
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const run = runs.get(String(completed.scheduledEventId));
      const payload = completed.result?.payloads?.[0];
      const encoding = payload?.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString() : undefined;
      if (run && encoding === 'json/plain' && payload?.data)
        run.result = JSON.parse(Buffer.from(payload.data).toString());
    }
    const failed = e.activityTaskFailedEventAttributes;
    if (failed) {
      const run = runs.get(String(failed.scheduledEventId));
      if (run) run.failure = summarizeFailure(failed.failure);
    }
  }
  return [...runs.values()];
}

/** The patch ids a session's current run recorded (its `core_patch` markers), in order. */
export async function recordedPatches(client: Client, sessionId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}
