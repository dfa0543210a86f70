import { containing } from '../helpers/matchers';
import { decideOfflineReply } from '../../src/llm/offline-rules';

const fsTools = new Set(['calculator', 'fs__read_file', 'fs__read_text_file', 'fs__write_file']);
const user = (content: string) => [{ role: 'user', content }];

describe('offline model file rules', () => {
  it('when asked to read a file then it calls the filesystem server read_text_file tool with the path', () => {
    expect(decideOfflineReply(user('Please read the file /tmp/notes/notes.txt.'), fsTools)).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'fs__read_text_file', arguments: { path: '/tmp/notes/notes.txt' } }],
    });
  });

  it('when the server lists only read_file then it calls that', () => {
    expect(decideOfflineReply(user('read the file /a/b.txt'), new Set(['docs__read_file']))).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'docs__read_file', arguments: { path: '/a/b.txt' } }],
    });
  });

  it('when asked to write text to a file then it calls write_file with that content and path', () => {
    expect(decideOfflineReply(user('write "buy 2 + 3 apples" to the file /tmp/notes/todo.txt'), fsTools)).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'fs__write_file', arguments: { path: '/tmp/notes/todo.txt', content: 'buy 2 + 3 apples' } }],
    });
  });

  it('when no file tool is offered then a file request is answered in text', () => {
    expect(decideOfflineReply(user('read the file /a/b.txt'), new Set(['calculator'])).kind).toBe('text');
  });

  it('when the read tool answered then the reply quotes the file text', () => {
    const reply = decideOfflineReply(
      [
        ...user('read the file /a/b.txt'),
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', function: { name: 'fs__read_text_file', arguments: '{"path":"/a/b.txt"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: JSON.stringify({ text: 'hello from disk' }) },
      ],
      fsTools,
    );
    expect(reply).toEqual({ kind: 'text', content: containing('The file says: hello from disk') });
  });

  it('when the write tool reported an error then the reply says so', () => {
    const reply = decideOfflineReply(
      [
        ...user('write "x" to the file /etc/passwd'),
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', function: { name: 'fs__write_file', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: JSON.stringify({ text: 'denied', error: 'Access denied' }) },
      ],
      fsTools,
    );
    expect(reply).toEqual({ kind: 'text', content: containing('reported an error: Access denied') });
  });
});
