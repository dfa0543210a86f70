import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SessionSnapshot } from '../../src/contract/session';
import type { ApprovalAnswer } from '../../src/contract/tool-approval';
import type { TurnResult } from '../../src/contract/turn';
import { approvalPath, waitForPendingApproval } from '../helpers/approval-flow';
import type { SessionCreated } from '../helpers/http';
import { callsThenEcho, filesystemStdio, toolMessages } from '../helpers/mcp-servers';
import { useScriptedStack } from '../helpers/scripted-stack';
import { caller, type Caller } from '../helpers/session-callers';
import { activityRuns } from '../helpers/workflow-history';

/**
 * server-filesystem (npm) behind approval: write_file (no readOnlyHint) waits for a person, and the
 * file appears only after an approval; read_text_file (readOnlyHint) runs at once.
 */
jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-fs-approval-'));
const scripted = useScriptedStack(() => ({ content: 'unused' }), {
  MCP_SERVERS: JSON.stringify({ fs: filesystemStdio(dir) }),
});
let api: Caller;
beforeAll(() => {
  api = caller(scripted.stack);
});

/** The scripted model asks to write `content` to `file`, then echoes the tool result. */
const scriptWrite = (file: string, content: string) =>
  scripted.model.setScript(
    callsThenEcho([{ id: 'fs-write', name: 'fs__write_file', arguments: JSON.stringify({ path: file, content }) }]),
  );

/** Sends `text` in a new session and resolves once its write waits for approval. */
async function startWaitingWrite(text: string) {
  const { session_id } = (await api<SessionCreated>('POST', '/api/chat/session')).body;
  const reply = api<TurnResult>('POST', '/api/chat/message', { message: text, session_id });
  const pending = await waitForPendingApproval((p) => api<SessionSnapshot>('GET', p), session_id);
  return { sessionId: session_id, pending, reply };
}

describe('MCP server-filesystem writes wait for approval (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when the model writes a file then the turn waits, no file exists, and approval makes it land', async () => {
    const file = path.join(dir, 'approved.txt');
    scriptWrite(file, 'approved content');
    const { sessionId, pending, reply } = await startWaitingWrite('save my note');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toEqual(expect.objectContaining({ tool: 'fs__write_file', step: 1 }));
    expect(JSON.parse(pending[0].arguments)).toEqual({ path: file, content: 'approved content' });
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(file)).toBe(false);

    const decided = await api<ApprovalAnswer>('POST', approvalPath(sessionId, pending[0].call_id), { approve: true });
    expect(decided.status).toBe(200);
    expect(decided.body.outcome).toBe('approved');
    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.tools_used).toEqual(['fs__write_file']);
    expect(readFileSync(file, 'utf8')).toBe('approved content');
    const after = await api<SessionSnapshot>('GET', `/api/chat/session/${sessionId}`);
    expect(after.body.pending_approvals ?? []).toEqual([]);
  });

  it('when the write is denied then the model gets the declined result and the file never appears', async () => {
    const file = path.join(dir, 'denied.txt');
    scriptWrite(file, 'never written');
    const { sessionId, pending, reply } = await startWaitingWrite('save my other note');
    const decided = await api<ApprovalAnswer>('POST', approvalPath(sessionId, pending[0].call_id), {
      approve: false,
      reason: 'not that file',
    });
    expect(decided.body.outcome).toBe('denied');
    const { body } = await reply;
    expect(body.status).toBe('completed');
    const [result] = toolMessages(scripted.model.requests[scripted.model.requests.length - 1]);
    expect(result.content).toMatch(/declined/);
    expect(result.content).toMatch(/not that file/);
    expect(existsSync(file)).toBe(false);
    const types = (await activityRuns(scripted.stack.client, sessionId)).map((r) => r.type);
    expect(types).not.toContain('fs__write_file');
  });

  it('when the model reads a file with read_text_file then it runs at once without approval', async () => {
    const file = path.join(dir, 'read.txt');
    writeFileSync(file, 'read me');
    scripted.model.setScript(
      callsThenEcho([{ id: 'fs-read', name: 'fs__read_text_file', arguments: JSON.stringify({ path: file }) }]),
    );
    const reply = await api<TurnResult>('POST', '/api/chat/message', { message: 'read my note' });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('completed');
    expect(reply.body.response).toContain('read me');
    const snapshot = await api<SessionSnapshot>('GET', `/api/chat/session/${reply.body.session_id}`);
    expect(snapshot.body.pending_approvals ?? []).toEqual([]);
  }, 30_000); // a read that waited for a decision would never answer: fail fast, not at the file's timeout
});
