import type { SessionSnapshot } from '../../src/contract/session';
import type { TurnResult } from '../../src/contract/turn';
import { extractiveSummary, SUMMARY_SYSTEM_PROMPT, summaryLimitOf } from '../../src/llm/conversation-summary';
import type { RecordedRequest } from '../helpers/fake-openai-server';
import { getJson, postJson, type SessionCreated } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';

const BUDGET = 400;

const isSummaryRequest = (request: RecordedRequest) =>
  request.body.messages[0]?.content?.startsWith(SUMMARY_SYSTEM_PROMPT) ?? false;

/** Summaries as the offline model makes them; "What is my name?" answered from the context's system notes only. */
function script(request: RecordedRequest) {
  const messages = request.body.messages;
  const last = messages[messages.length - 1];
  const limit = summaryLimitOf(messages[0]?.content ?? '');
  if (limit !== undefined) return { content: extractiveSummary(last.content ?? '', limit) };
  if (last.content === 'What is my name?') {
    const notes = messages.filter((m) => m.role === 'system').map((m) => m.content ?? '');
    const name = notes.map((n) => /name is (\w+)/.exec(n)?.[1]).find(Boolean);
    return { content: name ? `Your name is ${name}.` : 'I do not know.' };
  }
  return { content: `Noted: ${(last.content ?? '').slice(0, 30)}` };
}

const scripted = useScriptedStack(script, {
  HISTORY_TOKEN_BUDGET: String(BUDGET),
  HISTORY_WINDOW_MESSAGES: '12',
  SESSION_CONTINUE_AS_NEW_TURNS: '15',
});

const estimate = (m: { content: string | null }) => Math.ceil((m.content?.length ?? 0) / 4) + 4;

describe('conversation summaries (real Temporal, Redis, SQLite; scripted model)', () => {
  it('when a session reaches turn 40 then a fact from turn 1 is answered through the summary within the token budget', async () => {
    const id = (await postJson<SessionCreated>(scripted.stack.url('/api/chat/session'), {})).body.session_id;
    const send = async (message: string) =>
      (await postJson<TurnResult>(scripted.stack.url('/api/chat/message'), { session_id: id, message })).body;
    await send('My name is Zorblax.');
    for (let turn = 2; turn < 40; turn++)
      await send(`Is question number ${turn} a long enough question to fill the window?`);
    const answer = await send('What is my name?');

    expect(answer.response).toBe('Your name is Zorblax.');
    const last = scripted.model.requests.filter((r) => !isSummaryRequest(r)).at(-1) as RecordedRequest;
    const [, note, ...window] = last.body.messages;
    expect(note.content).toMatch(/^Summary of the earlier conversation \(turns 1-\d+\):/);
    // The fact reached the model only through the summary: turn 1 left the window long ago.
    expect(window.some((m) => m.content === 'My name is Zorblax.')).toBe(false);
    expect([note, ...window.slice(0, -1)].reduce((n, m) => n + estimate(m), 0)).toBeLessThanOrEqual(BUDGET);

    // Incremental: each turn is summarised once, with the previous summary, not the whole history again.
    const summaries = scripted.model.requests.filter(isSummaryRequest);
    expect(summaries.length).toBeGreaterThan(1);
    expect(summaries.length).toBeLessThan(20);
    expect(summaries.filter((r) => r.body.messages[1].content?.includes('User: My name is Zorblax.'))).toHaveLength(1);

    // Visible in the snapshot and the archive.
    const snapshot = await getJson<SessionSnapshot>(scripted.stack.url(`/api/chat/session/${id}`));
    expect(snapshot.body.summary?.text).toContain('My name is Zorblax.');
    const archived = await scripted.stack.infra.history.listSummaries(id);
    expect(archived.map((s) => s.through)).toEqual(summaries.map((_, i) => archived[i]?.through));
    expect(archived.at(-1)?.text).toContain('My name is Zorblax.');
  });
});
