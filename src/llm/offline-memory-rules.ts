/**
 * The offline model's memory rules: "remember that …" calls the `remember` tool, its result
 * becomes a short confirmation, and a question asked while memories were recalled into the
 * context (the recalled-memories system note) is answered from them, saying so.
 */
import { memoriesInNote } from '../contract/recalled-memories-note';
import type { OfflineToolCall } from './offline-file-rules';

const REMEMBER_REQUEST = /^\s*(?:please\s+)?(?:remember|don'?t forget|do not forget)(?:\s+that|\s*:)\s+(.+?)[\s.!]*$/is;
const QUESTION = /\?\s*$|^\s*(?:what|which|who|where|when|how|do|does|did|is|are|can|should)\b/i;

export function rememberToolCall(userText: string, toolNames: ReadonlySet<string>): OfflineToolCall | undefined {
  const match = REMEMBER_REQUEST.exec(userText);
  if (!match || !toolNames.has('remember')) return undefined;
  return { name: 'remember', arguments: { content: match[1] } };
}

/** The user's words said back to them: "I prefer my tea" → "you prefer your tea". */
function toSecondPerson(text: string): string {
  const swaps: Record<string, string> = { i: 'you', "i'm": "you're", me: 'you', my: 'your', mine: 'yours', am: 'are' };
  return text.replace(/\b(I'm|I|me|my|mine|am)\b/gi, (word) => swaps[word.toLowerCase()] ?? word);
}

/** The answer to a question from the memories recalled into `systemTexts`, or undefined when none were. */
export function answerFromMemories(userText: string, systemTexts: readonly string[]): string | undefined {
  if (!QUESTION.test(userText)) return undefined;
  const memories = systemTexts.flatMap(memoriesInNote).slice(0, 3);
  if (memories.length === 0) return undefined;
  return `From what you asked me to remember: ${memories.map(toSecondPerson).join('; ')}.`;
}

/** The confirmation after a `remember` call stored a memory. */
export function summariseRemembered(parsed: Record<string, unknown>): string | undefined {
  if (typeof parsed.remembered !== 'string') return undefined;
  return `I will remember that ${toSecondPerson(parsed.remembered)} (memory ${String(parsed.memory_id)}).`;
}
