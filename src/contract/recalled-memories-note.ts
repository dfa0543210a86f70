import type { ChatMessage } from './chat-message';

/** The first words of the system note; the offline model recognises recalled memories by them. */
export const RECALLED_MEMORIES_HEADING = 'Recalled memories';

/** One recalled memory as the note lists it. */
export interface NotedMemory {
  id: number;
  content: string;
  created_at: string;
}

const LINE = /^- (.*) \(memory (\d+), saved ([\d-]+)\)$/;

/** The system note the model gets: one line per memory, best first, and how to use them. */
export function recalledMemoriesNote(memories: readonly NotedMemory[]): ChatMessage {
  const lines = memories.map(
    (m) => `- ${m.content.replace(/\s+/g, ' ')} (memory ${m.id}, saved ${m.created_at.slice(0, 10)})`,
  );
  return {
    role: 'system',
    content:
      `${RECALLED_MEMORIES_HEADING} (facts this user asked you to keep, most relevant first; when your answer ` +
      `uses one, say it comes from what they asked you to remember):\n${lines.join('\n')}`,
  };
}

/** The memories' texts of a recalled-memories note, best first; empty for any other text. */
export function memoriesInNote(text: string): string[] {
  if (!text.startsWith(RECALLED_MEMORIES_HEADING)) return [];
  return text
    .split('\n')
    .map((line) => LINE.exec(line)?.[1])
    .filter((content): content is string => content !== undefined);
}
