import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TurnResult } from '../../src/contract/turn';
import { postJson } from '../helpers/http';
import { containing } from '../helpers/matchers';
import { callsThenEcho, filesystemStdio, memoryStdio, toolMessages } from '../helpers/mcp-servers';
import { useScriptedStack } from '../helpers/scripted-stack';
import { activityRuns } from '../helpers/workflow-history';

/** server-filesystem and server-memory (npm) through whole turns: their read-only tools run at once. */
jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-fs-'));
const memoryFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-memory-')), 'memory.jsonl');
writeFileSync(
  memoryFile,
  `${JSON.stringify({ type: 'entity', name: 'Temporal', entityType: 'project', observations: ['durable'] })}\n`,
);
const scripted = useScriptedStack(() => ({ content: 'unused' }), {
  MCP_SERVERS: JSON.stringify({ fs: filesystemStdio(dir), mem: memoryStdio(memoryFile) }),
});
const ask = (message: string) => postJson<TurnResult>(scripted.stack.url('/api/chat/message'), { message });

describe('MCP server-filesystem and server-memory in turns (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when the model reads a file with read_text_file then it runs at once and the model gets the text', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'remember the milk');
    scripted.model.setScript(
      callsThenEcho([{ id: 'fs-read', name: 'fs__read_text_file', arguments: JSON.stringify({ path: file }) }]),
    );
    const reply = await ask('read my notes');
    expect(reply.status).toBe(200);
    expect(JSON.parse(toolMessages(scripted.model.requests[1])[0].content ?? '{}')).toMatchObject({
      text: 'remember the milk',
    });
    const run = (await activityRuns(scripted.stack.client, reply.body.session_id)).find(
      (r) => r.type === 'fs__read_text_file',
    );
    expect(run?.attempt).toBe(1);
  });

  it('when the model reads outside the allowed directory then it sees the server error and the turn completes', async () => {
    scripted.model.setScript(
      callsThenEcho([{ id: 'fs-out', name: 'fs__read_text_file', arguments: '{"path":"/etc/hostname"}' }]),
    );
    const reply = await ask('read outside');
    expect(reply.body.status).toBe('completed');
    expect(JSON.parse(toolMessages(scripted.model.requests[1])[0].content ?? '{}')).toMatchObject({
      error: containing('outside allowed directories'),
    });
  });

  it('when the model reads the memory graph then it gets the stored entities', async () => {
    scripted.model.setScript(callsThenEcho([{ id: 'mem-read', name: 'mem__read_graph', arguments: '{}' }]));
    expect((await ask('what do you remember?')).status).toBe(200);
    const result = JSON.parse(toolMessages(scripted.model.requests[1])[0].content ?? '{}') as {
      structured_content?: { entities: Array<{ name: string }> };
    };
    expect(result.structured_content?.entities.map((e) => e.name)).toEqual(['Temporal']);
  });
});
