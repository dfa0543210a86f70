import { temporal } from '@temporalio/proto';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import type { RecordedRequest } from '../helpers/fake-openai-server';
import { getJson, postJson, type SessionCreated } from '../helpers/http';
import type { SessionSnapshot } from '../../src/contract/session';
import { useScriptedStack } from '../helpers/scripted-stack';
import { activityRuns } from '../helpers/workflow-history';

/** "calculate …" calls the calculator once; anything else is echoed. */
function script(request: RecordedRequest) {
  const messages = request.body.messages;
  const last = messages[messages.length - 1];
  if (last.role === 'tool') return { content: `tool said ${last.content}` };
  const text = last.content ?? '';
  if (text.startsWith('calculate '))
    return { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: text.slice(10) }) }] };
  return { content: `Echo: ${text.slice(0, 20)}` };
}

const scripted = useScriptedStack(script);

async function newSession(): Promise<string> {
  return (await postJson<SessionCreated>(scripted.stack.url('/api/chat/session'), {})).body.session_id;
}

async function send(sessionId: string, message: string): Promise<TurnResult> {
  const reply = await postJson<TurnResult>(scripted.stack.url('/api/chat/message'), { session_id: sessionId, message });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** The session's whole workflow history, encoded as the server stores it. */
async function historyBytes(sessionId: string): Promise<Buffer> {
  const history = await scripted.stack.client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  return Buffer.concat((history.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish()));
}

function occurrences(haystack: Buffer, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

const contextOf = (request: RecordedRequest) =>
  request.body.messages.map((m) => `${m.role}:${m.content ?? ''}${m.tool_calls ? ':calls' : ''}`);

describe('history by reference (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when a session has a tool turn behind it then the model sees the whole window, tool exchange included', async () => {
    const id = await newSession();
    await send(id, 'calculate 2 + 3');
    await send(id, 'second');
    const before = scripted.model.requests.length;
    await send(id, 'third');
    const context = contextOf(scripted.model.requests[before]);
    expect(context.slice(1)).toEqual([
      'user:calculate 2 + 3',
      'assistant::calls',
      'tool:{"expression":"2 + 3","result":5}',
      'assistant:tool said {"expression":"2 + 3","result":5}',
      'user:second',
      'assistant:Echo: second',
      'user:third',
    ]);
    // The mirrored snapshot, filled from the store: user messages and final answers only.
    const snapshot = await getJson<SessionSnapshot>(scripted.stack.url(`/api/chat/session/${id}`));
    expect(snapshot.body.messages.map((m) => `${m.role}:${m.content}`)).toEqual([
      'user:calculate 2 + 3',
      'assistant:tool said {"expression":"2 + 3","result":5}',
      'user:second',
      'assistant:Echo: second',
      'user:third',
      'assistant:Echo: third',
    ]);
  });

  it('when an 8,000-character message was sent then its text is in the workflow history once, whatever turns follow', async () => {
    const id = await newSession();
    const long = Array.from({ length: 800 }, (_, i) => `w${String(i).padStart(8, '0')}`).join('');
    await send(id, long);
    await send(id, 'short one');
    await send(id, 'short two');
    expect(scripted.model.requests.at(-1)?.body.messages.some((m) => m.content === long)).toBe(true);
    expect(occurrences(await historyBytes(id), long)).toBe(1);
  });

  it('when Redis lost the conversation between turns then the next turn loads the window from the archive', async () => {
    const id = await newSession();
    await send(id, 'first');
    await send(id, 'second');
    await scripted.stack.infra.redis.del(`${scripted.stack.infra.keys.snapshot(id)}:conversation`);
    const before = scripted.model.requests.length;
    const third = await send(id, 'third');
    expect(third.response).toBe('Echo: third');
    expect(contextOf(scripted.model.requests[before]).slice(1)).toEqual([
      'user:first',
      'assistant:Echo: first',
      'user:second',
      'assistant:Echo: second',
      'user:third',
    ]);
    // Loaded from the archive, not resent inline.
    const runs = await activityRuns(scripted.stack.client, id);
    expect(runs.filter((r) => r.failure)).toEqual([]);
  });

  it("when Redis lost the running turn's messages then the model is called again with them inline", async () => {
    const id = await newSession();
    const conversation = `${scripted.stack.infra.keys.snapshot(id)}:conversation`;
    scripted.model.setScript((request) => {
      const reply = script(request);
      // Gone after callModel read the user message and before the next step refers to it.
      if (reply.tool_calls) void scripted.stack.infra.redis.del(conversation);
      return reply;
    });
    const result = await send(id, 'calculate 1 + 1');
    expect(result.response).toBe('tool said {"expression":"1 + 1","result":2}');
    expect(contextOf(scripted.model.requests.at(-1) as RecordedRequest).slice(1)).toEqual([
      'user:calculate 1 + 1',
      'assistant::calls',
      'tool:{"expression":"1 + 1","result":2}',
    ]);
    const runs = await activityRuns(scripted.stack.client, id);
    expect(runs.filter((r) => r.type === 'callModel').map((r) => r.failure?.type)).toEqual([
      undefined,
      'ConversationMessagesMissing',
      undefined,
    ]);
  });
});
