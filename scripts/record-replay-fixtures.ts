/**
 * `npm run record-fixtures [-- --prefix v2-]`: records the replay fixtures from the current code
 * (with a prefix, as a new set beside the old ones).
 * Starts a private in-memory Temporal dev server, a worker and API on the test stack (real
 * Redis, SQLite), a scripted model, drives one session per scenario and records each history.
 * Run it only when a workflow change is meant to be incompatible (then say so in the commit);
 * compatible changes must keep the old fixtures passing, with `patched()` where needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { recordHistoryFixture } from '../src/replay/history-fixture';
import { startDevServer } from '../src/temporal/dev-server';
import { ensureTemporalCli } from '../src/temporal/temporal-cli';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import { calculatorScript, startFakeOpenAiServer, type RecordedRequest } from '../test/helpers/fake-openai-server';
import { freePort } from '../src/free-port';
import { readSse } from '../test/helpers/sse-client';
import { postJson, startTestStack, type TestStack } from '../test/helpers/test-stack';

/** Temporal's EventType numbers (temporal.api.enums.v1): completed, continued-as-new, timer started. */
const RESTING_EVENT_TYPES = new Set([2, 17, 28]);
const say = (line: string) => process.stderr.write(`${line}\n`);
const SLOW = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';

/** model-a fails for messages that ask for a fallback; `slow` streams slowly; the rest is the calculator script. */
function script(request: RecordedRequest) {
  const user = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  if (user.includes('fallback') && request.body.model === 'model-a') return { status: 503, error: 'model-a is overloaded' };
  if (user.startsWith('slow')) return { content: SLOW, chunkDelayMs: 150 };
  return calculatorScript(request);
}

async function send(stack: TestStack, message: string, sessionId?: string): Promise<string> {
  const reply = await postJson(stack.url('/api/chat/message'), { message, ...(sessionId ? { session_id: sessionId } : {}) });
  if (reply.status !== 200) throw new Error(`turn "${message}" answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.session_id as string;
}

/** Waits until the run rests (idle timer started, or closed), so a fixture holds whole turns. */
async function settled(stack: TestStack, workflowId: string, runId?: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const events = (await stack.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const last = events[events.length - 1]?.eventType;
    if (last !== undefined && last !== null && RESTING_EVENT_TYPES.has(Number(last))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} did not come to rest`);
}

async function main(): Promise<void> {
  // `--prefix v2-` records a second set beside the old one (after a patched() change both must replay).
  const { values } = parseArgs({ options: { prefix: { type: 'string', default: '' } } });
  const prefix = values.prefix ?? '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'record-fixtures-'));
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, say);
  const server = await startDevServer({ cliPath, port: await freePort(), log: say });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const bundlePath = path.join(tmp, 'bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  Object.assign(process.env, {
    TEST_TEMPORAL_ADDRESS: server.address,
    TEST_REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TEST_WORKFLOW_BUNDLE: bundlePath,
    TEST_TMP_DIR: tmp,
  });
  const model = await startFakeOpenAiServer(script);
  const stack = await startTestStack({
    llmBaseUrl: model.baseUrl,
    env: { LLM_MODELS: 'model-a,model-b', LLM_MAX_ATTEMPTS: '1', LLM_RETRY_INITIAL_MS: '50', SESSION_CONTINUE_AS_NEW_TURNS: '2' },
  });
  const record = async (name: string, sessionId: string, runId?: string) => {
    await settled(stack, sessionWorkflowId(sessionId), runId);
    say(`  ${name}: ${await recordHistoryFixture(stack.client, { workflowId: sessionWorkflowId(sessionId), runId, name: `${prefix}${name}` })}`);
  };
  try {
    await record('plain-turn', await send(stack, 'Hello there'));
    await record('tool-turn', await send(stack, 'Calculate (2 + 3) * 4'));
    await record('fallback-turn', await send(stack, 'Please answer even if a fallback is needed'));

    let cancelled = '';
    await readSse(stack.url('/api/chat/message/stream'), { body: { message: 'slow story, cancelled midway' } }, {
      onEvent: async (e) => {
        if (e.event === 'metadata') cancelled = e.data.session_id;
        if (e.event === 'message' && e.data.content.startsWith('three')) await postJson(stack.url(`/api/chat/session/${cancelled}/cancel`), {});
      },
    });
    await record('cancelled-turn', cancelled);

    const long = await send(stack, 'Calculate 1 + 1');
    await send(stack, 'Calculate 2 + 2', long);
    await send(stack, 'and one more', long);
    const runs: Array<{ runId: string; status: string }> = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${sessionWorkflowId(long)}"` })) runs.push({ runId: wf.runId, status: wf.status.name });
    const first = runs.find((r) => r.status === 'CONTINUED_AS_NEW');
    if (!first) throw new Error(`no continued-as-new run yet: ${JSON.stringify(runs)}`);
    await record('continue-as-new', long, first.runId);
    await record('continued-run', long);

    const ended = await send(stack, 'Calculate 9 * 9');
    const deleted = await fetch(stack.url(`/api/chat/session/${ended}`), { method: 'DELETE' });
    if (deleted.status !== 200) throw new Error(`DELETE answered ${deleted.status}`);
    await record('ended-session', ended);
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
