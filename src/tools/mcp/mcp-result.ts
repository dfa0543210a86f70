import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { ToolOutcome } from '../tool-definition';

/** A binary or resource block as the model sees it: what it is, never its bytes. */
export interface McpAttachment {
  type: string;
  mime_type?: string;
  /** Bytes of the payload (decoded base64) or characters of an embedded text resource. */
  size?: number;
  uri?: string;
  name?: string;
}

/** What an MCP tool's result becomes in the model's tool message. */
export interface McpResultValue {
  text?: string;
  structured_content?: unknown;
  attachments?: McpAttachment[];
  /** Present when the result was longer than the cap: what was cut. */
  truncated?: string;
}

function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function attachmentOf(block: Exclude<ContentBlock, { type: 'text' }>): McpAttachment {
  switch (block.type) {
    case 'image':
    case 'audio':
      return { type: block.type, mime_type: block.mimeType, size: base64Bytes(block.data) };
    case 'resource_link':
      return {
        type: 'resource_link',
        uri: block.uri,
        name: block.name,
        ...(block.mimeType ? { mime_type: block.mimeType } : {}),
        ...(block.size !== undefined ? { size: block.size } : {}),
      };
    case 'resource': {
      const { resource } = block;
      const size = 'blob' in resource ? base64Bytes(resource.blob) : resource.text.length;
      return {
        type: 'resource',
        uri: resource.uri,
        size,
        ...(resource.mimeType ? { mime_type: resource.mimeType } : {}),
      };
    }
  }
}

/**
 * Maps a tools/call result to the tool outcome: text and structured content go to the model,
 * images, audio and resources become short references (never megabytes in workflow history),
 * and the whole is capped at `maxChars` of JSON, saying so when cut. `isError` is a tool error.
 */
export function mcpResultToOutcome(result: CallToolResult, maxChars: number, provider: string): ToolOutcome {
  const texts: string[] = [];
  const attachments: McpAttachment[] = [];
  for (const block of result.content ?? []) {
    if (block.type === 'text') texts.push(block.text);
    else attachments.push(attachmentOf(block));
  }
  const text = texts.join('\n');
  // A server that also sends its structured content serialised as text (as the spec asks) says it once.
  const textRepeatsStructured = result.structuredContent !== undefined && sameJson(text, result.structuredContent);
  const value: McpResultValue = {
    ...(texts.length > 0 && !textRepeatsStructured ? { text } : {}),
    ...(result.structuredContent !== undefined ? { structured_content: result.structuredContent } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
  const capped = capResult(value, maxChars);
  if (result.isError) {
    const message = capped.text ?? 'The tool reported an error';
    return { ok: false, value: capped, error: message, provider };
  }
  return { ok: true, value: capped, provider };
}

function sameJson(text: string, structured: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(structured);
  } catch {
    return false;
  }
}

/** Keeps the serialised result within `maxChars`: structured content first goes, then text is cut. */
export function capResult(value: McpResultValue, maxChars: number): McpResultValue {
  const full = JSON.stringify(value).length;
  if (full <= maxChars) return value;
  const note = `result cut to ${maxChars} of ${full} characters`;
  let kept: McpResultValue = { ...value, truncated: note };
  if (kept.structured_content !== undefined && kept.text !== undefined) {
    // The text usually carries the same content; the structured copy is the first to go.
    const { structured_content: _dropped, ...rest } = kept;
    kept = { ...rest, truncated: `${note} (structured content dropped)` };
  }
  if (kept.attachments && kept.attachments.length > 20) {
    kept = { ...kept, attachments: kept.attachments.slice(0, 20) };
  }
  if (kept.structured_content !== undefined && JSON.stringify(kept).length > maxChars) {
    const { structured_content: structured, ...rest } = kept;
    kept = { ...rest, text: JSON.stringify(structured), truncated: `${note} (structured content as text)` };
  }
  const overflow = JSON.stringify(kept).length - maxChars;
  if (overflow > 0 && kept.text !== undefined) {
    // Cut by the overflow of the escaped form, and once more if escapes made the cut too small.
    let text = kept.text.slice(0, Math.max(0, kept.text.length - overflow - 1));
    while (text.length > 0 && JSON.stringify({ ...kept, text }).length > maxChars) {
      text = text.slice(
        0,
        Math.max(0, text.length - Math.max(16, JSON.stringify({ ...kept, text }).length - maxChars)),
      );
    }
    kept = { ...kept, text };
  }
  return kept;
}
