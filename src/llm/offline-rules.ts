/**
 * The built-in offline model's brain: fixed rules, no model. A calculation becomes
 * a `calculator` call, weather a `weather` call, search a `search` call (each only when the
 * request offers that tool), a file read or write the filesystem MCP server's tool
 * (offline-file-rules.ts), "remember that …" the `remember` tool (offline-memory-rules.ts), tool results become a short answer, anything else a plain reply.
 */
import { extractiveSummary, summaryLimitOf } from './conversation-summary';
import { fileToolCall, summariseFileResult } from './offline-file-rules';
import { answerFromMemories, rememberToolCall, summariseRemembered } from './offline-memory-rules';

export interface OfflineMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export type OfflineDecision =
  | { kind: 'text'; content: string }
  | { kind: 'tool_calls'; calls: Array<{ name: string; arguments: Record<string, unknown> }> };

export const OFFLINE_LABEL = '[offline model]';

const CALC_WORDS = /\b(calculate|compute|calc|what is|what's|evaluate|solve|sum|multiply|divide|계산)\b/i;
const MATH_RUN = /(?:sqrt|cbrt|abs|sin|cos|tan|log|exp|pi|[\d.]+|[\s+\-*/^()%,])+/gi;
const WEATHER_WORDS = /\b(weather|forecast|temperature|rain|sunny)\b|날씨/i;
const SEARCH_WORDS = /\b(search|look up|lookup|find|google)\b|검색/i;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return (content as unknown[])
      .map((part) =>
        typeof part === 'object' && part && 'text' in part && typeof part.text === 'string' ? part.text : '',
      )
      .join(' ');
  }
  return '';
}

/** The longest run that looks like arithmetic and has both a number and an operator or function. */
export function extractExpression(text: string): string | undefined {
  const runs = (text.match(MATH_RUN) ?? [])
    .map((run) => run.trim().replace(/^[,\s]+|[,\s?]+$/g, ''))
    .filter((run) => /\d/.test(run) && (/[+\-*/^%]/.test(run) || /[a-z]+\s*\(/i.test(run)));
  runs.sort((a, b) => b.length - a.length);
  return runs[0];
}

function extractCity(text: string): string {
  const match = text.match(/\b(?:in|at|for)\s+([A-Z][\p{L}'-]*(?:\s+[A-Z][\p{L}'-]*)*)/u);
  return match ? match[1] : 'Seoul';
}

function extractQuery(text: string): string {
  const stripped = text
    .replace(/^.*?\b(search(?: for)?|look up|lookup|find|google)\b\s*/i, '')
    .replace(/[?.!]+$/, '')
    .trim();
  return stripped || text.trim();
}

function summariseToolResult(name: string | undefined, content: string): string {
  try {
    const parsed = JSON.parse(content) as Record<string, unknown>;
    if (typeof parsed.error === 'string') return `The ${name ?? 'tool'} reported an error: ${parsed.error}.`;
    const fromFile = summariseFileResult(name, parsed);
    if (fromFile) return fromFile;
    const remembered = name === 'remember' ? summariseRemembered(parsed) : undefined;
    if (remembered) return remembered;
    if (name === 'calculator' && 'result' in parsed)
      return `The result of ${String(parsed.expression)} is ${String(parsed.result)}.`;
    if (name === 'weather' && 'temperature_c' in parsed) {
      const source = parsed.note ? ' (offline sample data, not a real observation)' : '';
      return `Weather in ${String(parsed.city)}: ${String(parsed.temperature_c)} °C, ${String(parsed.condition)}, wind ${String(parsed.wind_kmh)} km/h${source}.`;
    }
    if (name === 'search' && Array.isArray(parsed.results)) {
      const hits = (parsed.results as Array<{ title?: string; url?: string }>).map((r) => `${r.title} (${r.url})`);
      return hits.length
        ? `Top results for "${String(parsed.query)}": ${hits.join('; ')}.`
        : `No results for "${String(parsed.query)}".`;
    }
  } catch {
    // Not JSON: quote it as it is.
  }
  return `The ${name ?? 'tool'} returned: ${content}`;
}

export function decideOfflineReply(messages: OfflineMessage[], toolNames: ReadonlySet<string>): OfflineDecision {
  const last = messages[messages.length - 1];
  // A summarisation request (summarizeConversation): an extractive summary, no label.
  const limit = messages[0]?.role === 'system' ? summaryLimitOf(textOf(messages[0].content)) : undefined;
  if (limit !== undefined) return { kind: 'text', content: extractiveSummary(textOf(last?.content), limit) };
  if (last?.role === 'tool') {
    // Answer from the results of the latest tool-calling assistant message.
    let i = messages.length - 1;
    while (i >= 0 && messages[i].role === 'tool') i--;
    const calls = messages[i]?.tool_calls ?? [];
    const answers = messages.slice(i + 1).map((toolMsg) => {
      const call = calls.find((c) => c.id === toolMsg.tool_call_id);
      return summariseToolResult(call?.function.name, textOf(toolMsg.content));
    });
    return { kind: 'text', content: `${OFFLINE_LABEL} ${answers.join(' ')}` };
  }

  const userText = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
  const rememberCall = rememberToolCall(userText, toolNames);
  if (rememberCall) return { kind: 'tool_calls', calls: [rememberCall] };
  const fileCall = fileToolCall(userText, toolNames);
  if (fileCall) return { kind: 'tool_calls', calls: [fileCall] };
  const expression = extractExpression(userText);
  if (
    toolNames.has('calculator') &&
    expression &&
    (CALC_WORDS.test(userText) || /^[\d\s+\-*/^().%]+\??$/.test(userText.trim()))
  ) {
    return { kind: 'tool_calls', calls: [{ name: 'calculator', arguments: { expression } }] };
  }
  if (toolNames.has('weather') && WEATHER_WORDS.test(userText)) {
    return { kind: 'tool_calls', calls: [{ name: 'weather', arguments: { city: extractCity(userText) } }] };
  }
  if (toolNames.has('search') && SEARCH_WORDS.test(userText)) {
    return { kind: 'tool_calls', calls: [{ name: 'search', arguments: { query: extractQuery(userText) } }] };
  }
  const fromMemories = answerFromMemories(
    userText,
    messages.filter((m) => m.role === 'system').map((m) => textOf(m.content)),
  );
  if (fromMemories) return { kind: 'text', content: `${OFFLINE_LABEL} ${fromMemories}` };
  return {
    kind: 'text',
    content: `${OFFLINE_LABEL} I am the built-in offline model, so my answers are rule-based. You said: "${userText.slice(0, 200)}". Ask me to calculate something to see a tool call, or configure a real model (see README).`,
  };
}
