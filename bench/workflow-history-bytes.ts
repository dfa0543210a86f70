import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sessionWorkflowId } from '../src/contract/session-workflow';

/** Events and encoded bytes of each run of a session's workflow, oldest run first. */
export async function historyBytesPerRun(
  address: string,
  sessionId: string,
): Promise<Array<{ events: number; bytes: number }>> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const workflowId = sessionWorkflowId(sessionId);
    const runs: Array<{ runId: string; start: number }> = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
      runs.push({ runId: wf.runId, start: wf.startTime.getTime() });
    runs.sort((a, b) => a.start - b.start);
    const figures: Array<{ events: number; bytes: number }> = [];
    for (const run of runs) {
      const events = (await client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events ?? [];
      const bytes = events.reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().byteLength, 0);
      figures.push({ events: events.length, bytes });
    }
    return figures;
  } finally {
    await connection.close();
  }
}
