import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMcpServers, McpConfigError, parseMcpServers } from '../../src/tools/mcp/mcp-server-config';

describe('MCP server configuration', () => {
  it('when a stdio and an HTTP server are given then both parse with default timeout and attempts', () => {
    const servers = parseMcpServers(
      JSON.stringify({
        fs: { command: 'node', args: ['server.js', '/tmp'], env: { A: '1' } },
        remote: { url: 'http://127.0.0.1:3001/mcp', headers: { Authorization: 'Bearer x' }, timeout_seconds: 5 },
      }),
      'MCP_SERVERS',
    );
    expect(servers.fs).toEqual({
      command: 'node',
      args: ['server.js', '/tmp'],
      env: { A: '1' },
      timeout_seconds: 60,
      max_attempts: 3,
    });
    expect(servers.remote).toEqual({
      url: 'http://127.0.0.1:3001/mcp',
      headers: { Authorization: 'Bearer x' },
      timeout_seconds: 5,
      max_attempts: 3,
    });
  });

  it('when the text is not JSON then the error names the source', () => {
    expect(() => parseMcpServers('{fs:', 'MCP_SERVERS')).toThrow(/MCP_SERVERS is not valid JSON/);
  });

  it('when a server has neither command nor url then the error names the server', () => {
    expect(() => parseMcpServers('{"fs":{"args":[]}}', 'MCP_SERVERS')).toThrow(
      /MCP_SERVERS\.fs: expected a stdio server .* or a Streamable HTTP server/,
    );
  });

  it('when a server name contains a double underscore then it is refused', () => {
    expect(() => parseMcpServers('{"my__fs":{"command":"node"}}', 'MCP_SERVERS')).toThrow(McpConfigError);
  });

  it('when a field has the wrong type then the error names its path', () => {
    expect(() => parseMcpServers('{"fs":{"command":"node","timeout_seconds":"soon"}}', 'MCP_SERVERS')).toThrow(
      /MCP_SERVERS\.fs/,
    );
  });

  it('when only MCP_SERVERS_FILE is set then the servers come from that file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-config-')), 'servers.json');
    writeFileSync(file, JSON.stringify({ mem: { command: 'node', args: ['memory.js'] } }));
    expect(Object.keys(loadMcpServers({ MCP_SERVERS_FILE: file }))).toEqual(['mem']);
  });

  it('when MCP_SERVERS_FILE names a missing file then the error says it cannot be read', () => {
    expect(() => loadMcpServers({ MCP_SERVERS_FILE: '/nonexistent/servers.json' })).toThrow(/cannot be read/);
  });

  it('when neither key is set then there are no servers', () => {
    expect(loadMcpServers({})).toEqual({});
  });
});
