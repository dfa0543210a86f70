// Test-only stdio tap: `node mcp-stdio-tap.mjs <log-file> <command> [args...]`.
// Configured as an MCP server command, it runs the real server as its child, forwards both directions byte for byte
// and appends every JSON-RPC message it forwards to <log-file>, one JSON line each:
// {"to":"server"|"client","message":{...}}. Logging never alters or delays the forwarded bytes.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const [logFile, command, ...args] = process.argv.slice(2);
if (!logFile || !command) {
  process.stderr.write('usage: mcp-stdio-tap.mjs <log-file> <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });

/** MCP stdio frames are newline-delimited JSON; a chunk may hold part of a line, so keep the rest per direction. */
function logger(to) {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        message = { unparsed: line };
      }
      appendFileSync(logFile, `${JSON.stringify({ to, message })}\n`);
    }
  };
}

const toServer = logger('server');
const toClient = logger('client');
process.stdin.on('data', (chunk) => {
  toServer(chunk);
  child.stdin.write(chunk);
});
process.stdin.on('end', () => {
  child.stdin.end();
  // The client has gone: do not leave the real server behind if it ignores end of input.
  setTimeout(() => child.kill('SIGTERM'), 2_000).unref();
});
child.stdout.on('data', (chunk) => {
  toClient(chunk);
  process.stdout.write(chunk);
});
// The client closing the pipe to the server must not crash the tap with EPIPE; the exit below ends it.
child.stdin.on('error', () => {});
process.stdout.on('error', () => {});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
