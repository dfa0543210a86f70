import type { ChatMessage } from '../../src/contract/chat-message';
import { summaryNote, turnRangeOf } from '../../src/contract/conversation';
import type { SessionSettings } from '../../src/contract/session';
import { extractiveSummary, summaryLimitOf, summaryRequest } from '../../src/llm/conversation-summary';
import { turnsAfter } from '../../workflows/context-window';
import { summaryDue, summaryMaxChars, windowTokenBudget } from '../../workflows/conversation-summaries';

/** Turn n: user, a tool exchange, the answer (turn ids t1, t2, …). */
function turn(n: number, text = `question ${n}`): ChatMessage[] {
  const turn_id = `t${n}`;
  return [
    { role: 'user', content: text, turn_id },
    { role: 'assistant', content: null, tool_calls: [{ id: `c${n}`, name: 'calculator', arguments: '{}' }], turn_id },
    { role: 'tool', content: '{"result":1}', tool_call_id: `c${n}`, turn_id },
    { role: 'assistant', content: `answer ${n}`, turn_id },
  ];
}
const turns = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => turn(from + i)).flat();
const settings = (budget: number, windowMessages = 500) =>
  ({ history_token_budget: budget, history_window_messages: windowMessages }) as SessionSettings;

describe('summary window', () => {
  it('when the window holds turns 3-6 of 6 then its range is 3-6', () => {
    expect(turnRangeOf(turns(3, 6), 6)).toEqual({ from: 3, to: 6 });
  });

  it('when turns up to 4 are summarised then only turns 5 and 6 are left, whole', () => {
    expect(turnsAfter(turns(3, 6), 6, 4)).toEqual(turns(5, 6));
  });

  it('when every turn after the summary fits then no summary is due', () => {
    expect(summaryDue(turns(1, 3), 3, 0, settings(10_000))).toBeUndefined();
  });

  it('when turns fell out of the window then they and the older half of the window are due, never splitting a tool pair', () => {
    const messages = turns(1, 20);
    const due = summaryDue(messages, 20, 0, settings(400));
    expect(due?.from).toBe(1);
    const left = turnsAfter(messages, 20, due?.to ?? 0);
    expect(left[0].role).toBe('user');
    expect(due?.to).toBeLessThan(20);
  });

  it('when turns dropped out of the kept messages by count then the summary still starts right after the previous one', () => {
    expect(summaryDue(turns(15, 20), 20, 8, settings(10_000, 8))?.from).toBe(9);
  });

  it('when the summary is as long as allowed then its note and the window stay within the token budget', () => {
    const s = settings(400);
    const note = summaryNote({ through: 123, text: 'x'.repeat(summaryMaxChars(s)) });
    const noteTokens = Math.ceil((note.content?.length ?? 0) / 4) + 4;
    expect(noteTokens + windowTokenBudget(s)).toBeLessThanOrEqual(400);
  });
});

describe('extractive summary (the offline model)', () => {
  const request = (previous: string | undefined, texts: string[], max: number) =>
    summaryRequest(
      previous,
      texts.map((content) => ({ role: 'user', content })),
      max,
    );

  it('when asked then it keeps the previous summary and each new user line, and the limit is read from the prompt', () => {
    const [system, user] = request('- My name is Zorblax.', ['I live in Busan.'], 500);
    expect(summaryLimitOf(system.content)).toBe(500);
    expect(extractiveSummary(user.content, 500)).toBe('- My name is Zorblax.\n- I live in Busan.');
  });

  it('when over the limit then questions go first and the earliest fact stays', () => {
    const [, user] = request('- My name is Zorblax.', ['What time is it?', 'I like tea.', 'I like coffee.'], 60);
    const summary = extractiveSummary(user.content, 60);
    expect(summary).toContain('My name is Zorblax.');
    expect(summary).not.toContain('What time is it?');
    expect(summary.length).toBeLessThanOrEqual(60);
  });
});
