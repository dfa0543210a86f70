import type { Client } from '@temporalio/client';
import { sessionWorkflowId } from '../../src/contract/session-workflow';

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

/** The user-metadata summary of an event (a JSON-encoded string payload), as the Web UI shows it. */
export function summaryOf(event: HistoryEvent): string | undefined {
  const data = event.userMetadata?.summary?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as string) : undefined;
}

/** Scheduled activities of a session's current run: type and summary, in order. */
export async function scheduledActivities(client: Client, sessionId: string): Promise<Array<{ type: string; summary?: string }>> {
  const history = await client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => ({ type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '', summary: summaryOf(e) }));
}
