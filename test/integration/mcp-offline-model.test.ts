import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SessionSnapshot } from '../../src/contract/session';
import type { TurnResult } from '../../src/contract/turn';
import { approvalPath, waitForPendingApproval } from '../helpers/approval-flow';
import { getJson, postJson, type SessionCreated } from '../helpers/http';
import { filesystemStdio } from '../helpers/mcp-servers';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { activityRuns } from '../helpers/workflow-history';

/** Out of the box, no key: the built-in offline model reads a file through the filesystem MCP server. */
jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-offline-'));
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    // No provider settings: the worker runs the built-in offline model.
    llmBaseUrl: '',
    env: {
      LLM_BASE_URL: '',
      LLM_API_KEY: '',
      LLM_MODEL: '',
      OFFLINE_MODEL_PORT: '0',
      MCP_SERVERS: JSON.stringify({ fs: filesystemStdio(dir) }),
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('offline model with the filesystem MCP server (real Temporal, Redis, SQLite)', () => {
  it('when asked to read a file then it calls fs__read_text_file and answers from the file', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'the meeting moved to Friday');
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: `read the file ${file}` });
    expect(reply.status).toBe(200);
    expect(reply.body.model_used).toBe('offline-rules');
    expect(reply.body.tools_used).toEqual(['fs__read_text_file']);
    expect(reply.body.response).toContain('The file says: the meeting moved to Friday');
    const types = (await activityRuns(stack.client, reply.body.session_id)).map((r) => r.type);
    expect(types).toContain('fs__read_text_file');
  });

  it('when asked to write a file then the write waits for approval, and once approved the file lands', async () => {
    const file = path.join(dir, 'written.txt');
    const { session_id } = (await postJson<SessionCreated>(stack.url('/api/chat/session'), {})).body;
    const reply = postJson<TurnResult>(stack.url('/api/chat/message'), {
      session_id,
      message: `write "buy oat milk" to the file ${file}`,
    });
    const [pending] = await waitForPendingApproval((p) => getJson<SessionSnapshot>(stack.url(p)), session_id);
    expect(pending.tool).toBe('fs__write_file');
    expect(existsSync(file)).toBe(false);

    const decided = await postJson(stack.url(approvalPath(session_id, pending.call_id)), { approve: true });
    expect(decided.status).toBe(200);
    const { body } = await reply;
    expect(body.status).toBe('completed');
    expect(body.tools_used).toEqual(['fs__write_file']);
    expect(readFileSync(file, 'utf8')).toBe('buy oat milk');
    expect(body.response).toContain('Done.');
    expect(body.response).toContain('written.txt');
  });
});
