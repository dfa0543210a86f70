import type { ChatMessage } from '../contract/chat-message';

/** Leads every summarisation request; the offline model recognises a request by it. */
export const SUMMARY_SYSTEM_PROMPT =
  'You summarise a chat conversation for the assistant that continues it. Keep every fact the user stated (names, numbers, preferences, decisions) and drop small talk.';

const LINE_CHARS = 200;
const LIMIT = /at most (\d+) characters/;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > LINE_CHARS ? `${flat.slice(0, LINE_CHARS - 1)}…` : flat;
}

/** The request that turns the previous summary and the turns that left the window into a new summary. */
export function summaryRequest(
  previous: string | undefined,
  turns: ChatMessage[],
  maxChars: number,
): Array<{ role: 'system' | 'user'; content: string }> {
  const transcript = turns.flatMap((m) => {
    if (!m.content) return [];
    if (m.role === 'user') return [`User: ${shorten(m.content)}`];
    if (m.role === 'assistant') return [`Assistant: ${shorten(m.content)}`];
    return m.role === 'tool' ? [`Tool result: ${shorten(m.content)}`] : [];
  });
  return [
    { role: 'system', content: `${SUMMARY_SYSTEM_PROMPT} Answer with at most ${maxChars} characters.` },
    { role: 'user', content: `Previous summary:\n${previous ?? '(none)'}\n\nConversation:\n${transcript.join('\n')}` },
  ];
}

/** The request's length limit, when `system` is a summarisation prompt. */
export function summaryLimitOf(system: string): number | undefined {
  if (!system.startsWith(SUMMARY_SYSTEM_PROMPT)) return undefined;
  const match = LIMIT.exec(system);
  return match ? Number(match[1]) : undefined;
}

/**
 * The offline model's summary, deterministic and extractive: the previous summary's lines and each
 * new user line (assistant and tool lines are dropped: they restate or derive from what the user said).
 * Over the limit, questions go first (oldest first), then statements from the middle, so the
 * earliest facts and the latest ones stay.
 */
export function extractiveSummary(request: string, maxChars: number): string {
  const [previousPart = '', conversation = ''] = request.split('\n\nConversation:\n');
  const previous = previousPart
    .replace(/^Previous summary:\n/, '')
    .split('\n')
    .filter((l) => l && l !== '(none)');
  const fresh = conversation
    .split('\n')
    .filter((l) => l.startsWith('User: '))
    .map((l) => `- ${l.slice(6)}`);
  const lines = [...previous, ...fresh];
  const size = () => lines.join('\n').length;
  while (lines.length > 0 && size() > maxChars) {
    const question = lines.findIndex((l) => l.trimEnd().endsWith('?'));
    lines.splice(question >= 0 ? question : Math.floor(lines.length / 2), 1);
  }
  return lines.join('\n');
}
