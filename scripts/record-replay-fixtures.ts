/**
 * `npm run record-fixtures [-- --prefix v2-]`: records the replay fixtures from the current code
 * (with a prefix, as a new set beside the old ones).
 * Starts a private in-memory Temporal dev server, a worker and API in this process (real Redis,
 * SQLite), a scripted model, drives one session per scenario and records each history.
 * Run it only when a workflow change is meant to be incompatible (then say so in the commit);
 * compatible changes must keep the old fixtures passing, with `patched()` where needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../dev/dev-server';
import { startFakeModelServer, type FakeModelAnswer, type FakeModelRequest } from '../dev/fake-model-server';
import { freePort } from '../dev/free-port';
import { recordHistoryFixture } from '../dev/history-fixture';
import { startInProcessStack, type InProcessStack } from '../dev/in-process-stack';
import { sseFrames } from '../dev/sse-frames';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import { estimateTokens } from '../src/llm/chat-completion-encoder';
import { WORKFLOWS_PATH } from '../src/temporal/worker';

/** Temporal's EventType numbers (temporal.api.enums.v1): completed, continued-as-new, timer started. */
const RESTING_EVENT_TYPES = new Set([2, 17, 28]);
/**
 * Workflow task completed, marker, search attributes upserted: a run that keeps its idle timer
 * across turns (patch one-idle-timer) rests on one of these once its history stops growing.
 */
const QUIET_EVENT_TYPES = new Set([7, 25, 40]);
const say = (line: string) => process.stderr.write(`${line}\n`);
const SLOW = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';

/**
 * model-a fails for messages that ask for a fallback; `slow` streams slowly; "calculate …" calls
 * the calculator and answers from its result; anything else is echoed.
 */
function script(request: FakeModelRequest): FakeModelAnswer {
  const messages = request.messages ?? [];
  const last = messages[messages.length - 1];
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const model = request.model ?? 'model-a';
  const reply = (content: string) => ({
    reply: {
      model,
      content,
      prompt_tokens: estimateTokens(JSON.stringify(messages)),
      completion_tokens: estimateTokens(content),
    },
  });
  if (user.includes('fallback') && model === 'model-a') return { status: 503, message: 'model-a is overloaded' };
  if (user.startsWith('slow')) return { ...reply(SLOW), chunkDelayMs: 150 };
  if (last?.role === 'tool') {
    const parsed = JSON.parse(last.content ?? '{}') as { result?: unknown; error?: string };
    return reply(parsed.error ? `The calculator failed: ${parsed.error}` : `The answer is ${String(parsed.result)}.`);
  }
  const expression = /calculate\s+(.+)$/i.exec(last?.content ?? '')?.[1];
  if (expression && request.tools?.some((t) => t.function?.name === 'calculator')) {
    const arguments_ = JSON.stringify({ expression });
    return {
      reply: {
        model,
        tool_calls: [{ name: 'calculator', arguments: arguments_ }],
        prompt_tokens: estimateTokens(JSON.stringify(messages)),
        completion_tokens: estimateTokens(arguments_),
      },
    };
  }
  return reply(`You said: ${last?.content}`);
}

async function post(stack: InProcessStack, pathname: string, body: unknown): Promise<Response> {
  return fetch(stack.url(pathname), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function send(stack: InProcessStack, message: string, sessionId?: string): Promise<string> {
  const reply = await post(stack, '/api/chat/message', { message, ...(sessionId ? { session_id: sessionId } : {}) });
  const body = (await reply.json()) as { session_id: string };
  if (reply.status !== 200) throw new Error(`turn "${message}" answered ${reply.status}: ${JSON.stringify(body)}`);
  return body.session_id;
}

/** Streams a slow turn and cancels it once its third word has arrived; returns the session id. */
async function sendAndCancel(stack: InProcessStack, message: string): Promise<string> {
  const response = await post(stack, '/api/chat/message/stream', { message });
  if (response.status !== 200 || !response.body) throw new Error(`stream answered ${response.status}`);
  let sessionId = '';
  for await (const frame of sseFrames(response.body)) {
    const data = JSON.parse(frame.data) as { session_id?: string; content?: string };
    if (frame.event === 'metadata') sessionId = data.session_id ?? '';
    if (frame.event === 'message' && data.content?.startsWith('three'))
      await post(stack, `/api/chat/session/${sessionId}/cancel`, {});
  }
  return sessionId;
}

/**
 * Sends a message whose tool call waits for approval (`approval: always`), then decides it
 * (`approve` true or false) once the session lists it, or not at all (`undefined`: it times out).
 */
async function sendWithApproval(stack: InProcessStack, message: string, approve?: boolean): Promise<string> {
  const created = (await (await post(stack, '/api/chat/session', {})).json()) as { session_id: string };
  const sessionId = created.session_id;
  const reply = post(stack, '/api/chat/message', { message, session_id: sessionId, approval: 'always' });
  if (approve !== undefined) {
    let callId: string | undefined;
    for (let i = 0; i < 100 && callId === undefined; i++) {
      const view = (await (await fetch(stack.url(`/api/chat/session/${sessionId}`))).json()) as {
        pending_approvals?: Array<{ call_id: string }>;
      };
      callId = view.pending_approvals?.[0]?.call_id;
      if (callId === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    if (callId === undefined) throw new Error(`no pending approval in session ${sessionId}`);
    const decided = await post(stack, `/api/chat/session/${sessionId}/tool-calls/${callId}/approval`, {
      approve,
      ...(approve ? {} : { reason: 'not now' }),
    });
    if (decided.status !== 200) throw new Error(`the approval answered ${decided.status}`);
  }
  if ((await reply).status !== 200) throw new Error(`turn "${message}" did not complete`);
  return sessionId;
}

/** Waits until the run rests (idle timer started, or closed), so a fixture holds whole turns. */
async function settled(stack: InProcessStack, workflowId: string, runId?: string): Promise<void> {
  let length = -1;
  for (let i = 0; i < 100; i++) {
    const events = (await stack.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const last = Number(events[events.length - 1]?.eventType ?? 0);
    if (RESTING_EVENT_TYPES.has(last)) return;
    if (QUIET_EVENT_TYPES.has(last) && events.length === length) return;
    length = events.length;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${workflowId} did not come to rest`);
}

/** The session's run that continued as new (the one that ran its first turns). */
async function firstRunId(stack: InProcessStack, sessionId: string): Promise<string> {
  const runs: Array<{ runId: string; status: string }> = [];
  for (let i = 0; i < 50 && !runs.some((r) => r.status === 'CONTINUED_AS_NEW'); i++) {
    runs.length = 0;
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${sessionWorkflowId(sessionId)}"` }))
      runs.push({ runId: wf.runId, status: wf.status.name });
    await new Promise((r) => setTimeout(r, 100));
  }
  const first = runs.find((r) => r.status === 'CONTINUED_AS_NEW');
  if (!first) throw new Error(`no continued-as-new run of ${sessionId}: ${JSON.stringify(runs)}`);
  return first.runId;
}

async function main(): Promise<void> {
  // `--prefix v2-` records a second set beside the old one (after a patched() change both must replay).
  const { values } = parseArgs({
    options: { prefix: { type: 'string', default: '' }, only: { type: 'string', multiple: true } },
  });
  const prefix = values.prefix ?? '';
  /** `--only name` (repeatable): record only these fixtures (a new set for one change). */
  const wanted = (name: string) => !values.only?.length || values.only.includes(name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'record-fixtures-'));
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, say);
  const server = await startDevServer({ cliPath, port: await freePort(), log: say });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const workflowBundlePath = path.join(tmp, 'bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  const model = await startFakeModelServer({ answer: script });
  const stack = await startInProcessStack({
    temporalAddress: server.address,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    workflowBundlePath,
    llmBaseUrl: model.baseUrl,
    env: {
      LLM_MODELS: 'model-a,model-b',
      LLM_MAX_ATTEMPTS: '1',
      LLM_RETRY_INITIAL_MS: '50',
      SESSION_CONTINUE_AS_NEW_TURNS: '2',
      // Short, so the approval-timeout session expires while the script waits; the others are decided at once.
      TOOL_APPROVAL_TIMEOUT: '4s',
    },
  });
  const record = async (name: string, sessionId: string, runId?: string) => {
    if (!wanted(name)) return;
    await settled(stack, sessionWorkflowId(sessionId), runId);
    say(
      `  ${name}: ${await recordHistoryFixture(stack.client, { workflowId: sessionWorkflowId(sessionId), runId, name: `${prefix}${name}` })}`,
    );
  };
  try {
    await record('plain-turn', await send(stack, 'Hello there'));
    await record('tool-turn', await send(stack, 'Calculate (2 + 3) * 4'));
    await record('fallback-turn', await send(stack, 'Please answer even if a fallback is needed'));
    // The cancel is a signal that ran no turn: with 2 turns per run the session continues as new after it.
    const cancelled = await sendAndCancel(stack, 'slow story, cancelled midway');
    await record('cancelled-turn', cancelled, await firstRunId(stack, cancelled));

    const long = await send(stack, 'Calculate 1 + 1');
    await send(stack, 'Calculate 2 + 2', long);
    await send(stack, 'and one more', long);
    await record('continue-as-new', long, await firstRunId(stack, long));
    await record('continued-run', long);

    const ended = await send(stack, 'Calculate 9 * 9');
    const deleted = await fetch(stack.url(`/api/chat/session/${ended}`), { method: 'DELETE' });
    if (deleted.status !== 200) throw new Error(`DELETE answered ${deleted.status}`);
    await record('ended-session', ended);

    await record('approval-approved', await sendWithApproval(stack, 'Calculate 6 * 7', true));
    await record('approval-denied', await sendWithApproval(stack, 'Calculate 6 * 8', false));
    await record('approval-timeout', await sendWithApproval(stack, 'Calculate 6 * 9'));

    if (wanted('summarised-run')) {
      // 20 messages in the window: the 11th turn pushes the first out, and it is summarised.
      const summarised = await send(stack, 'My name is Zorblax.');
      for (let i = 2; i <= 11; i++) await send(stack, `Message number ${i}.`, summarised);
      await record('summarised-run', summarised);
    }
  } finally {
    await stack.stop();
    await model.close();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  say(`[record-fixtures] ${err.stack ?? err.message}`);
  process.exit(1);
});
