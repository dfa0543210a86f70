import path from 'node:path';
import Redis from 'ioredis';
import type { SessionSnapshot } from '../../src/contract/session';
import type { PendingApproval } from '../../src/contract/tool-approval';
import type { FakeReply, RecordedRequest } from './fake-openai-server';
import type { JsonResponse } from './http';
import { SIDE_EFFECT_TOOL, sideEffectCounterKey } from './side-effect-tool';
import { waitUntil } from './wait-for';

/** The side-effect tool (TOOL_MODULES) set to wait for approval (TOOL_APPROVAL). */
export const APPROVAL_ENV = {
  TOOL_MODULES: path.resolve(__dirname, 'side-effect-tool.ts'),
  TOOL_APPROVAL: `${SIDE_EFFECT_TOOL}:always`,
};

/**
 * `pay <label>` asks for the side-effect tool, `calc <expr>` for the calculator; after a tool result
 * the model answers `Tool said: <result>`; anything else is echoed.
 */
export function approvalScript(request: RecordedRequest): FakeReply {
  const last = request.body.messages[request.body.messages.length - 1];
  if (last.role === 'tool') return { content: `Tool said: ${last.content}` };
  const text = last.content ?? '';
  const pay = /^pay (\S+)/.exec(text);
  if (pay) return { tool_calls: [{ name: SIDE_EFFECT_TOOL, arguments: JSON.stringify({ label: pay[1] }) }] };
  const calc = /^calc (.+)/.exec(text);
  if (calc) return { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: calc[1] }) }] };
  return { content: `Echo: ${text}` };
}

/** How many times the side-effect tool ran for `label` (0: never). */
export async function sideEffectRuns(redis: Redis, prefix: string, label: string): Promise<number> {
  return Number((await redis.get(sideEffectCounterKey(prefix, label))) ?? 0);
}

type Get = (path: string) => Promise<JsonResponse<SessionSnapshot>>;

/** Polls GET /api/chat/session/{id} until a tool call waits for approval; returns the pending calls. */
export async function waitForPendingApproval(
  get: Get,
  sessionId: string,
  timeoutMs = 60_000,
): Promise<PendingApproval[]> {
  const snapshot = await waitUntil(
    async () => (await get(`/api/chat/session/${sessionId}`)).body,
    (s) => (s?.pending_approvals ?? []).length > 0,
    { timeoutMs, intervalMs: 200, what: `a pending approval in session ${sessionId}` },
  );
  return snapshot.pending_approvals ?? [];
}

/** The path of a call's approval endpoint. */
export function approvalPath(sessionId: string, callId: string): string {
  return `/api/chat/session/${sessionId}/tool-calls/${encodeURIComponent(callId)}/approval`;
}
