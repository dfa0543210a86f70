import type { SessionSnapshot } from '../../src/contract/session';
import type { ApprovalAnswer } from '../../src/contract/tool-approval';
import type { TurnResult } from '../../src/contract/turn';
import {
  APPROVAL_ENV,
  approvalPath,
  approvalScript,
  sideEffectRuns,
  waitForPendingApproval,
} from '../helpers/approval-flow';
import { getJson, postJson } from '../helpers/http';
import { useProcessHarness, type HarnessStack } from '../helpers/process-harness';
import { expectNoUnhandled, killHard, startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { useRestartableDevServer } from '../helpers/restartable-dev-server';

/**
 * A tool call waits for approval across a SIGKILLed-and-replaced worker and across a restart of the
 * Temporal dev server (file database): the decision that comes afterwards is applied, the side
 * effect happens once, and the client gets its answer.
 */
jest.setTimeout(240_000);

const harness = useProcessHarness();
const { stack, fakeModel, track, newSession } = harness;

/** Sends `pay <label>` and resolves once its call waits for approval (polling GET session). */
async function startWaitingTurn(url: string, label: string) {
  const sessionId = await newSession(url);
  const reply = postJson<TurnResult>(`${url}/api/chat/message`, { message: `pay ${label}`, session_id: sessionId });
  const [pending] = await waitForPendingApproval((p) => getJson<SessionSnapshot>(`${url}${p}`), sessionId, 120_000);
  return { sessionId, pending, reply };
}

/** Approves the call, then checks the answer and that the side effect ran exactly once. */
async function approveAndExpectOneRun(
  env: HarnessStack,
  url: string,
  label: string,
  waiting: Awaited<ReturnType<typeof startWaitingTurn>>,
) {
  const decided = await postJson<ApprovalAnswer>(`${url}${approvalPath(waiting.sessionId, waiting.pending.call_id)}`, {
    approve: true,
  });
  expect(decided.status).toBe(200);
  expect(decided.body.outcome).toBe('approved');
  const { status, body } = await waiting.reply;
  expect(status).toBe(200);
  expect(body.response).toMatch(/"recorded":true/);
  expect(await sideEffectRuns(harness.redis(), env.prefix, label)).toBe(1);
}

describe('tool approval across crashes (real processes)', () => {
  it('when the worker is SIGKILLed and replaced while a call waits then a later approval runs it once', async () => {
    const env = await stack(await fakeModel(approvalScript), APPROVAL_ENV);
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const waiting = await startWaitingTurn(url, 'after-kill');
    await killHard(worker1);
    const worker2 = track(await startWorkerProcess(env.env));
    expect(await sideEffectRuns(harness.redis(), env.prefix, 'after-kill')).toBe(0);

    await approveAndExpectOneRun(env, url, 'after-kill', waiting);
    expectNoUnhandled(worker2, api);
  });

  describe('with a Temporal dev server of its own (file database)', () => {
    const devServer = useRestartableDevServer('approval-restart');

    it('when the dev server restarts while a call waits then a later approval runs it once', async () => {
      const env = await stack(await fakeModel(approvalScript), {
        ...APPROVAL_ENV,
        TEMPORAL_ADDRESS: devServer.address(),
      });
      const worker = track(await startWorkerProcess(env.env));
      const { api, url } = await startApiProcess(env.env);
      track(api);
      const waiting = await startWaitingTurn(url, 'after-restart');
      await devServer.restart();

      await approveAndExpectOneRun(env, url, 'after-restart', waiting);
      expect(worker.child.exitCode).toBeNull();
      expectNoUnhandled(worker, api);
    });
  });
});
