/**
 * The offline model's file rules: `read the file /a/b.txt` calls the filesystem MCP server's read
 * tool and `write "text" to the file /a/b.txt` its write tool, picked by name from the tools the
 * request offers (`<server>__read_text_file`, `<server>__read_file`, `<server>__write_file`).
 */
export interface OfflineToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

const WRITE_REQUEST = /\bwrite\s+"([^"]*)"\s+(?:to|into|in)\s+(?:the\s+)?file\s+(\S+)/i;
const READ_REQUEST = /\b(?:read|show|open|cat)\s+(?:me\s+)?(?:the\s+)?file\s+(\S+)/i;

/** A path as typed in a sentence: without the quotes or the final punctuation around it. */
function cleanPath(raw: string): string {
  return raw.replace(/^["'`]+/, '').replace(/["'`]*[.,;:!?]*$/, '');
}

/** The offered tool named `suffix` (bare or as `<server>__suffix`), by preference order; first match wins. */
function toolNamed(toolNames: ReadonlySet<string>, suffixes: string[]): string | undefined {
  const names = [...toolNames].sort();
  for (const suffix of suffixes) {
    const found = names.find((n) => n === suffix || n.endsWith(`__${suffix}`));
    if (found) return found;
  }
  return undefined;
}

export function fileToolCall(userText: string, toolNames: ReadonlySet<string>): OfflineToolCall | undefined {
  const write = WRITE_REQUEST.exec(userText);
  if (write) {
    const name = toolNamed(toolNames, ['write_file']);
    return name ? { name, arguments: { path: cleanPath(write[2]), content: write[1] } } : undefined;
  }
  const read = READ_REQUEST.exec(userText);
  if (read) {
    const name = toolNamed(toolNames, ['read_text_file', 'read_file']);
    return name ? { name, arguments: { path: cleanPath(read[1]) } } : undefined;
  }
  return undefined;
}

/** An answer from a file tool's result (the MCP result's `text`), or undefined for other tools. */
export function summariseFileResult(name: string | undefined, result: Record<string, unknown>): string | undefined {
  if (!name || typeof result.text !== 'string') return undefined;
  if (/(^|__)read_(text_)?file$/.test(name)) return `The file says: ${result.text}`;
  if (/(^|__)write_file$/.test(name)) return `Done. ${result.text}`;
  return `The ${name} tool returned: ${result.text}`;
}
