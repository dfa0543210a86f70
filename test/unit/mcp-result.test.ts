import { containing } from '../helpers/matchers';
import { capResult, mcpResultToOutcome } from '../../src/tools/mcp/mcp-result';

const megabyteOfBase64 = 'A'.repeat(1_400_000);

describe('MCP result mapping', () => {
  it('when the result has text and structured content then both reach the model', () => {
    expect(
      mcpResultToOutcome(
        {
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
          structuredContent: { n: 1 },
        },
        1000,
        'mcp:x',
      ),
    ).toEqual({ ok: true, value: { text: 'a\nb', structured_content: { n: 1 } }, provider: 'mcp:x' });
  });

  it('when the text is the structured content serialised then only the structured content is kept', () => {
    expect(
      mcpResultToOutcome({ content: [{ type: 'text', text: '{"n": 1}' }], structuredContent: { n: 1 } }, 1000, 'mcp:x')
        .value,
    ).toEqual({ structured_content: { n: 1 } });
  });

  it('when the result has an image, audio and resources then they become short references without bytes', () => {
    const outcome = mcpResultToOutcome(
      {
        content: [
          { type: 'image', data: megabyteOfBase64, mimeType: 'image/png' },
          { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
          { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt', mimeType: 'text/plain' },
          { type: 'resource', resource: { uri: 'mem://b', blob: 'AAAAAA==', mimeType: 'application/gzip' } },
        ],
      },
      1000,
      'mcp:x',
    );
    expect(outcome.value).toEqual({
      attachments: [
        { type: 'image', mime_type: 'image/png', size: 1_050_000 },
        { type: 'audio', mime_type: 'audio/wav', size: 3 },
        { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt', mime_type: 'text/plain' },
        { type: 'resource', uri: 'mem://b', size: 4, mime_type: 'application/gzip' },
      ],
    });
    expect(JSON.stringify(outcome.value).length).toBeLessThan(1000);
  });

  it('when the server flags isError then the outcome is a tool error with its text', () => {
    expect(
      mcpResultToOutcome({ content: [{ type: 'text', text: 'no such file' }], isError: true }, 1000, 'mcp:x'),
    ).toEqual({
      ok: false,
      value: { text: 'no such file' },
      error: 'no such file',
      provider: 'mcp:x',
    });
  });

  it('when the text is longer than the cap then it is cut to fit and the result says so', () => {
    const value = capResult({ text: 'x'.repeat(5000) }, 500);
    expect(JSON.stringify(value).length).toBeLessThanOrEqual(500);
    expect(value.truncated).toBe('result cut to 500 of 5011 characters');
    expect(value.text?.length).toBeGreaterThan(400);
  });

  it('when text with escapes is cut then the serialised result still fits the cap', () => {
    const value = capResult({ text: '"\n'.repeat(3000) }, 400);
    expect(JSON.stringify(value).length).toBeLessThanOrEqual(400);
  });

  it('when both text and structured content are too long then the structured copy is dropped first', () => {
    const value = capResult({ text: 'short', structured_content: { big: 'y'.repeat(2000) } }, 300);
    expect(value).toEqual({ text: 'short', truncated: containing('structured content dropped') });
  });

  it('when only structured content is too long then it becomes cut text', () => {
    const value = capResult({ structured_content: { big: 'y'.repeat(2000) } }, 300);
    expect(JSON.stringify(value).length).toBeLessThanOrEqual(300);
    expect(value.truncated).toContain('structured content as text');
  });

  it('when the result fits then it is unchanged', () => {
    expect(capResult({ text: 'ok' }, 100)).toEqual({ text: 'ok' });
  });
});
