import { z } from 'zod';
import { loadConfig } from '../../src/config';
import { createToolRegistry } from '../../src/tools/registry';
import { defineTool, type ToolApprovalPolicy } from '../../src/tools/tool-definition';

/** A tool that moves money: by its own rule, amounts over 100 wait for approval. */
function transferTool(approval?: ToolApprovalPolicy) {
  return defineTool({
    name: 'transfer',
    description: 'moves money',
    schema: z.object({ amount: z.coerce.number() }),
    policy: { maximumAttempts: 1, timeoutSeconds: 5 },
    cacheable: false,
    idempotent: false,
    ...(approval ? { approval } : {}),
    run: () => Promise.resolve({ ok: true, value: null }),
  });
}
const overHundred = (args: unknown) => (args as { amount: number }).amount > 100;
const registryWith = (env: Record<string, string>, approval?: ToolApprovalPolicy) =>
  createToolRegistry(loadConfig({ WEATHER_PROVIDER: 'offline', ...env }), [transferTool(approval)]);

describe('tool approval policy', () => {
  it('when nothing is configured then the built-in read-only tools and a tool without a policy never wait', () => {
    const registry = registryWith({});
    for (const name of ['calculator', 'weather', 'search', 'transfer'])
      expect([name, registry.needsApproval(name, '{}')]).toEqual([name, false]);
  });

  it("when a tool's rule decides then it sees the arguments as its schema parses them", () => {
    const registry = registryWith({}, overHundred);
    expect(registry.needsApproval('transfer', '{"amount":"250"}')).toBe(true);
    expect(registry.needsApproval('transfer', '{"amount":50}')).toBe(false);
  });

  it('when a rule throws then the call waits (fail safe)', () => {
    const registry = registryWith({}, () => {
      throw new Error('bug in the rule');
    });
    expect(registry.needsApproval('transfer', '{"amount":1}')).toBe(true);
  });

  it("when TOOL_APPROVAL names a tool then it overrides the tool's own policy both ways", () => {
    const registry = registryWith({ TOOL_APPROVAL: 'transfer:never, calculator:always' }, 'always');
    expect(registry.needsApproval('transfer', '{"amount":1000}')).toBe(false);
    expect(registry.needsApproval('calculator', '{"expression":"1+1"}')).toBe(true);
  });

  it('when the model calls a tool the registry does not know then it never waits (it never runs)', () => {
    expect(registryWith({ TOOL_APPROVAL: 'nope:always' }).needsApproval('nope', '{}')).toBe(false);
  });

  it('when TOOL_APPROVAL is malformed then the config is refused', () => {
    expect(() => loadConfig({ TOOL_APPROVAL: 'transfer=always' })).toThrow(/TOOL_APPROVAL/);
  });

  it("when a tool's schema is asked for then it is the JSON Schema the model receives", () => {
    const registry = registryWith({});
    const spec = registry.specs().find((s) => s.function.name === 'transfer');
    expect(registry.parametersOf('transfer')).toEqual(spec?.function.parameters);
    expect(registry.parametersOf('transfer')).toEqual(expect.objectContaining({ type: 'object' }));
  });
});
