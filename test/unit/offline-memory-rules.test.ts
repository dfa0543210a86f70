import { decideOfflineReply } from '../../src/llm/offline-rules';
import { recalledMemoriesNote } from '../../src/contract/recalled-memories-note';

const tools = new Set(['calculator', 'remember', 'recall']);
const { role, content } = recalledMemoriesNote([
  { id: 7, content: 'I prefer metric units', created_at: '2026-12-03T06:00:00Z' },
]);
const note = { role, content };

describe('offline model memory rules', () => {
  it('when asked to remember that something is so then it calls remember with the fact', () => {
    expect(
      decideOfflineReply([{ role: 'user', content: 'Please remember that I prefer metric units.' }], tools),
    ).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'remember', arguments: { content: 'I prefer metric units' } }],
    });
  });

  it('when asked whether it remembers something then it does not store the question', () => {
    const reply = decideOfflineReply([{ role: 'user', content: 'Do you remember what units I prefer?' }], tools);
    expect(reply.kind).toBe('text');
  });

  it('when a question comes with recalled memories then it answers from them and says so', () => {
    const reply = decideOfflineReply(
      [{ role: 'system', content: 'You are helpful.' }, note, { role: 'user', content: 'What units do I prefer?' }],
      tools,
    );
    expect(reply).toEqual({
      kind: 'text',
      content: '[offline model] From what you asked me to remember: you prefer metric units.',
    });
  });

  it('when remember has stored the fact then it confirms it in the second person', () => {
    const reply = decideOfflineReply(
      [
        { role: 'user', content: 'remember that I prefer metric units' },
        { role: 'assistant', tool_calls: [{ id: 'c1', function: { name: 'remember', arguments: '{}' } }] },
        {
          role: 'tool',
          tool_call_id: 'c1',
          content: JSON.stringify({ remembered: 'I prefer metric units', memory_id: 7 }),
        },
      ],
      tools,
    );
    expect(reply).toEqual({
      kind: 'text',
      content: '[offline model] I will remember that you prefer metric units (memory 7).',
    });
  });

  it('when the remember tool is not offered then the request is answered in text', () => {
    const reply = decideOfflineReply([{ role: 'user', content: 'remember that I prefer metric units' }], new Set());
    expect(reply.kind).toBe('text');
  });
});
