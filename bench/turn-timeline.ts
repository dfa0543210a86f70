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
 * Profiling aid: `node --import tsx bench/turn-timeline.ts [--no-eager] [--turns=5] [--tools=1] [--latency=ms] [--median=N] [--partitions=N] [--env=KEY=VALUE] [--dynamic=KEY=JSON] [--all] [--message=text] [--cpu-prof-dir=dir]` runs a few
 * turns on the bench stack and prints the last turn's workflow history as a timeline (ms after
 * the signal), so each workflow task and activity round trip can be seen and counted.
 */
async function main() {
  const argv = process.argv.slice(2);
  const turns = Number(argv.find((a) => a.startsWith('--turns='))?.slice(8) ?? 5);
  const eager = !argv.includes('--no-eager');
  const dynamic: Record<string, unknown> = eager ? { 'system.enableActivityEagerExecution': true } : {};
  const prof = argv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice(15);
  const partitions = argv.find((a) => a.startsWith('--partitions='))?.slice(13);
  if (partitions) {
    dynamic['matching.numTaskqueueReadPartitions'] = Number(partitions);
    dynamic['matching.numTaskqueueWritePartitions'] = Number(partitions);
  }
  // Extra dev server dynamic config: --dynamic=KEY=JSON.
  for (const a of argv.filter((x) => x.startsWith('--dynamic=')))
    dynamic[a.slice(10, a.indexOf('=', 10))] = JSON.parse(a.slice(a.indexOf('=', 10) + 1)) as unknown;
  // Worker and API environment, as bench/run.ts takes it: --env=KEY=VALUE.
  const env = Object.fromEntries(
    argv
      .filter((a) => a.startsWith('--env='))
      .map((a) => [a.slice(6, a.indexOf('=', 6)), a.slice(a.indexOf('=', 6) + 1)]),
  );
  const stack = await startBenchStack({
    env,
    nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    temporalDynamicConfig: dynamic,
    prebuiltBundle: true,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  try {
    await stack.setModel({
      toolCalls: Number(argv.find((a) => a.startsWith('--tools='))?.slice(8) ?? 0),
      latencyMs: Number(argv.find((a) => a.startsWith('--latency='))?.slice(10) ?? 0),
    });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    const times: number[] = [];
    for (let i = 0; i < turns; i++)
      times.push(
        (
          await timedPost(`${stack.apiUrl}/api/chat/message`, {
            session_id: session.session_id,
            message: argv.find((a) => a.startsWith('--message='))?.slice(10) ?? 'hi',
          })
        ).ms,
      );
    process.stdout.write(`turn latencies (ms): ${times.map((t) => Math.round(t)).join(', ')}\n`);
    await new Promise((r) => setTimeout(r, 500));
    const address = stack.temporalAddress;
    const connection = await Connection.connect({ address });
    const history = await new Client({ connection }).workflow
      .getHandle(sessionWorkflowId(session.session_id))
      .fetchHistory();
    const events = history.events ?? [];
    const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
    const activityNames = new Map(
      events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '']),
    );
    const label = (e: (typeof events)[number]) =>
      `${EVENT_NAMES[Number(e.eventType)] ?? String(e.eventType)} ${e.activityTaskScheduledEventAttributes?.activityType?.name ?? e.markerRecordedEventAttributes?.markerName ?? activityNames.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')) ?? ''}`;
    // Each turn from its signal to the next one; the last `--median=N` turns of the same shape give a median timeline.
    const starts = events.flatMap((e, i) => (e.workflowExecutionSignaledEventAttributes ? [i] : []));
    const shapes = starts.map((from, k) => events.slice(from, starts[k + 1] ?? events.length));
    const last = shapes[shapes.length - 1];
    const sameShape = shapes
      .filter((t) => t.map(label).join() === last.map(label).join())
      .slice(-Number(argv.find((a) => a.startsWith('--median='))?.slice(9) ?? 1));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Every step between consecutive events, over all turns but the first (warm-up): median and count by step.
    const steps = new Map<string, number[]>();
    for (const turn of shapes.slice(1))
      for (let j = 1; j < turn.length; j++) {
        // A workflow task's wait for a poller is told apart by what scheduled it.
        const cause = j >= 2 && Number(turn[j - 1].eventType) === 5 ? `${label(turn[j - 2]).trim()} → ` : '';
        const key = `${cause}${label(turn[j - 1]).trim()} → ${label(turn[j]).trim()}`;
        steps.set(key, [...(steps.get(key) ?? []), at(turn[j]) - at(turn[j - 1])]);
      }
    process.stdout.write(`steps over ${shapes.length - 1} turns (median / p90 ms, count):\n`);
    for (const [key, gaps] of steps) {
      const sorted = [...gaps].sort((a, b) => a - b);
      const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))];
      process.stdout.write(
        `${median(gaps).toFixed(1).padStart(8)} ${p90.toFixed(1).padStart(8)} ${String(gaps.length).padStart(4)}  ${key}${argv.includes('--all') ? `  [${sorted.map((g) => g.toFixed(0)).join(' ')}]` : ''}\n`,
      );
    }
    process.stdout.write(`median of the last ${sameShape.length} turns of this shape (ms after the signal):\n`);
    last.forEach((e, j) => {
      const t = median(sameShape.map((turn) => at(turn[j]) - at(turn[0])));
      process.stdout.write(`${t.toFixed(1).padStart(8)} ms  ${label(e)}\n`);
    });
    await connection.close();
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
