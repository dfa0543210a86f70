import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import type { SessionCreated } from './api-responses';
import { timedPost } from './http-client';
import { startBenchStack } from './stack';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The data bytes of every payload (inputs, results, details) in an event. */
function payloadBytes(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return 0;
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && 'metadata' in record) return record.data.byteLength;
  return Object.values(record).reduce<number>((n, v) => n + payloadBytes(v), 0);
}

/** Events, encoded bytes and payload bytes of each turn of a history: from one signal up to the next. */
function perTurn(events: HistoryEvent[]): Array<{ events: number; bytes: number; payload: number }> {
  const turns: Array<{ events: number; bytes: number; payload: number }> = [];
  for (const e of events) {
    if (e.workflowExecutionSignaledEventAttributes) turns.push({ events: 0, bytes: 0, payload: 0 });
    const turn = turns.at(-1);
    if (!turn) continue;
    turn.events += 1;
    turn.bytes += temporal.api.history.v1.HistoryEvent.encode(e).finish().byteLength;
    turn.payload += payloadBytes(e);
  }
  return turns;
}

/**
 * `node --import tsx bench/history-bytes.ts [--warmup=10]`: on the bench stack, one session runs
 * `warmup` short turns (the window fills), then a plain turn, a one-tool turn, a turn with an
 * 8,000-character message and a plain turn again; prints each measured turn's history events and
 * encoded bytes (signal to the next signal). Sessions continue as new only after 1,000 turns here.
 */
async function main() {
  const argv = process.argv.slice(2);
  const warmup = Number(argv.find((a) => a.startsWith('--warmup='))?.slice(9) ?? 10);
  const stack = await startBenchStack({
    env: { SESSION_CONTINUE_AS_NEW_TURNS: '1000' },
    temporalDynamicConfig: { 'system.enableActivityEagerExecution': true },
    prebuiltBundle: true,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  try {
    await stack.setModel({ toolCalls: 0, answerTokens: 20 });
    const { json: session } = await timedPost<SessionCreated>(`${stack.apiUrl}/api/chat/session`, {});
    const send = (message: string) =>
      timedPost(`${stack.apiUrl}/api/chat/message`, { session_id: session.session_id, message });
    for (let i = 0; i < warmup; i++) await send(`Short message ${i}.`);
    const labels: string[] = [];
    const measure = async (label: string, message: string, toolCalls: number) => {
      await stack.setModel({ toolCalls, answerTokens: 20 });
      await send(message);
      labels.push(label);
    };
    await measure('plain', 'Tell me something short.', 0);
    await measure('one tool', 'Tell me something short.', 1);
    await measure('8,000-char message', 'x'.repeat(8000), 0);
    await measure('plain after it', 'Tell me something short.', 0);
    await measure('plain again', 'Tell me something short.', 0);
    await new Promise((r) => setTimeout(r, 500));
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const history = await new Client({ connection }).workflow
      .getHandle(sessionWorkflowId(session.session_id))
      .fetchHistory();
    const events = history.events ?? [];
    if (argv.includes('--detail')) {
      let from = events.length - 1;
      while (from > 0 && !events[from].workflowExecutionSignaledEventAttributes) from--;
      for (const e of events.slice(from)) {
        const bytes = temporal.api.history.v1.HistoryEvent.encode(e).finish().byteLength;
        const name =
          e.activityTaskScheduledEventAttributes?.activityType?.name ??
          e.markerRecordedEventAttributes?.markerName ??
          '';
        process.stdout.write(
          `  ${String(bytes).padStart(6)} ${String(payloadBytes(e)).padStart(6)} ${temporal.api.enums.v1.EventType[e.eventType ?? 0]} ${name}\n`,
        );
      }
    }
    const turns = perTurn(events).slice(-labels.length);
    for (const [i, t] of turns.entries())
      process.stdout.write(
        `${labels[i].padEnd(22)} ${String(t.events).padStart(4)} events ${String(t.bytes).padStart(8)} bytes ${String(t.payload).padStart(8)} payload bytes\n`,
      );
    await connection.close();
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
