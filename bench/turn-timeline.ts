import { Client, Connection } from '@temporalio/client';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import type { SessionCreated } from './api-responses';
import { timedPost } from './http-client';
import { startBenchStack } from './stack';

/** Names of the history event types a turn produces (temporal.api.enums.v1.EventType). */
const EVENT_NAMES: Record<number, string> = {
  5: 'WorkflowTaskScheduled',
  6: 'WorkflowTaskStarted',
  7: 'WorkflowTaskCompleted',
  10: 'ActivityTaskScheduled',
  11: 'ActivityTaskStarted',
  12: 'ActivityTaskCompleted',
  25: 'MarkerRecorded',
  26: 'WorkflowExecutionSignaled',
};

/**
 * Profiling aid: `node --import tsx bench/turn-timeline.ts [--no-eager] [--turns=5] [--tools=1] [--cpu-prof-dir=dir]` runs a few
 * turns on the bench stack and prints the last turn's workflow history as a timeline (ms after
 * the signal), so each workflow task and activity round trip can be seen and counted.
 */
async function main() {
  const argv = process.argv.slice(2);
  const turns = Number(argv.find((a) => a.startsWith('--turns='))?.slice(8) ?? 5);
  const eager = !argv.includes('--no-eager');
  const dynamic: Record<string, unknown> = eager ? { 'system.enableActivityEagerExecution': true } : {};
  const prof = argv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice(15);
  const stack = await startBenchStack({
    env: {},
    nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    temporalDynamicConfig: dynamic,
    prebuiltBundle: true,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  try {
    await stack.setModel({ toolCalls: Number(argv.find((a) => a.startsWith('--tools='))?.slice(8) ?? 0) });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    const times: number[] = [];
    for (let i = 0; i < turns; i++)
      times.push(
        (await timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: session.session_id, message: 'hi' })).ms,
      );
    process.stdout.write(`turn latencies (ms): ${times.map((t) => Math.round(t)).join(', ')}\n`);
    await new Promise((r) => setTimeout(r, 500));
    const address = stack.temporalAddress;
    const connection = await Connection.connect({ address });
    const history = await new Client({ connection }).workflow
      .getHandle(sessionWorkflowId(session.session_id))
      .fetchHistory();
    const events = history.events ?? [];
    let from = events.length - 1;
    while (from > 0 && !events[from].workflowExecutionSignaledEventAttributes) from--;
    const t0 = Number(events[from].eventTime?.seconds) * 1000 + (events[from].eventTime?.nanos ?? 0) / 1e6;
    for (const e of events.slice(from)) {
      const t = Number(e.eventTime?.seconds) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      const type = EVENT_NAMES[Number(e.eventType)] ?? String(e.eventType);
      const name =
        e.activityTaskScheduledEventAttributes?.activityType?.name ?? e.markerRecordedEventAttributes?.markerName ?? '';
      process.stdout.write(`${(t - t0).toFixed(1).padStart(8)} ms  ${type} ${name}\n`);
    }
    await connection.close();
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
