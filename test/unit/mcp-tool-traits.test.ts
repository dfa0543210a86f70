import { mcpToolTraits, RECONNECT_ALLOWANCE_SECONDS } from '../../src/tools/mcp/mcp-tool-traits';

const server = { command: 'node', args: [], env: {}, timeout_seconds: 20, max_attempts: 4 };

describe('MCP annotations to tool traits', () => {
  it('when a tool is read-only then it is idempotent, needs no approval and uses the server retry policy', () => {
    expect(mcpToolTraits({ readOnlyHint: true }, server)).toEqual({
      idempotent: true,
      cacheable: false,
      approval: 'never',
      policy: { maximumAttempts: 4, timeoutSeconds: 20 + RECONNECT_ALLOWANCE_SECONDS },
    });
  });

  it('when a tool is idempotent but writes then it is retried freely and still needs approval', () => {
    expect(mcpToolTraits({ readOnlyHint: false, idempotentHint: true }, server)).toMatchObject({
      idempotent: true,
      approval: 'always',
    });
  });

  it('when a tool has no annotations then it runs at most once and needs approval', () => {
    expect(mcpToolTraits(undefined, server)).toMatchObject({ idempotent: false, cacheable: false, approval: 'always' });
  });

  it('when a tool is destructive and not idempotent then it is not idempotent', () => {
    expect(mcpToolTraits({ destructiveHint: true, idempotentHint: false }, server).idempotent).toBe(false);
  });
});
