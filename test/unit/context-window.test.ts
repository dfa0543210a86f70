import { trimConversation } from '../../workflows/context-window';
import type { ChatMessage } from '../../src/contract/chat-message';

const u = (n: number): ChatMessage => ({ role: 'user', content: `u${n}` });
const a = (n: number): ChatMessage => ({ role: 'assistant', content: `a${n}` });
const call = (id: string): ChatMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, name: 'calculator', arguments: '{}' }],
});
const result = (id: string): ChatMessage => ({ role: 'tool', content: '{}', tool_call_id: id });

describe('trimConversation', () => {
  it('when under the cap then nothing is dropped', () => {
    const messages = [u(1), a(1)];
    expect(trimConversation(messages, 4)).toBe(messages);
  });

  it('when over the cap then the oldest whole exchanges go', () => {
    expect(trimConversation([u(1), a(1), u(2), a(2), u(3), a(3)], 4)).toEqual([u(2), a(2), u(3), a(3)]);
  });

  it('when the cut would land inside a tool exchange then it moves to the next user message', () => {
    const messages = [u(1), call('c1'), result('c1'), a(1), u(2), a(2)];
    const trimmed = trimConversation(messages, 4);
    expect(trimmed[0].role).toBe('user');
    expect(trimmed).toEqual([u(2), a(2)]);
  });

  it('when one exchange is longer than the window then it is kept whole and never starts at a tool result', () => {
    const messages = [u(1), a(1), u(2), call('c1'), result('c1'), call('c2'), result('c2'), a(2)];
    const trimmed = trimConversation(messages, 3);
    expect(trimmed[0]).toEqual(u(2));
    const ids = new Set(trimmed.flatMap((m) => m.tool_calls?.map((c) => c.id) ?? []));
    for (const m of trimmed.filter((m) => m.role === 'tool')) expect(ids.has(m.tool_call_id as string)).toBe(true);
  });
});

describe('trimConversation with a token budget', () => {
  const long = (role: 'user' | 'assistant', n: number): ChatMessage => ({ role, content: 'x'.repeat(400) + n });

  it('when the budget is smaller than the window then older exchanges go first', () => {
    const messages = [
      long('user', 1),
      long('assistant', 1),
      long('user', 2),
      long('assistant', 2),
      long('user', 3),
      long('assistant', 3),
    ];
    const trimmed = trimConversation(messages, 20, 250);
    expect(trimmed.map((m) => m.content?.slice(-1))).toEqual(['3', '3']);
  });

  it('when a tool exchange does not fit the budget then it is dropped whole, never half', () => {
    const messages = [u(1), call('c1'), { ...result('c1'), content: 'y'.repeat(2000) }, a(1), u(2), a(2)];
    const trimmed = trimConversation(messages, 20, 100);
    expect(trimmed).toEqual([u(2), a(2)]);
  });
});
