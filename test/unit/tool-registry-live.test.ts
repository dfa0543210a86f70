import { z } from 'zod';
import { ToolRegistry } from '../../src/tools/registry';
import { defineTool } from '../../src/tools/tool-definition';

function toolNamed(name: string, parameters?: Record<string, unknown>) {
  return defineTool({
    name,
    description: `tool ${name}`,
    schema: z.object({ q: z.string() }),
    policy: { maximumAttempts: 1, timeoutSeconds: 5 },
    cacheable: false,
    idempotent: true,
    ...(parameters ? { parameters } : {}),
    run: () => Promise.resolve({ ok: true, value: null }),
  });
}

const names = (registry: ToolRegistry) => registry.specs().map((s) => s.function.name);

describe('live tool groups (MCP servers)', () => {
  it('when a group is added, replaced and emptied then specs() and get() follow each list', () => {
    const registry = new ToolRegistry([toolNamed('calculator')]);
    registry.replaceGroup('mcp:fs', [toolNamed('fs__read'), toolNamed('fs__write')]);
    expect(names(registry)).toEqual(['calculator', 'fs__read', 'fs__write']);
    registry.replaceGroup('mcp:fs', [toolNamed('fs__read')]);
    expect(names(registry)).toEqual(['calculator', 'fs__read']);
    expect(registry.get('fs__write')).toBeUndefined();
    registry.replaceGroup('mcp:fs', []);
    expect(names(registry)).toEqual(['calculator']);
    expect(registry.all().map((t) => t.name)).toEqual(['calculator']);
  });

  it('when a tool carries its own JSON Schema then the model gets it as is', () => {
    const schema = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };
    const registry = new ToolRegistry([]);
    registry.replaceGroup('mcp:fs', [toolNamed('fs__read', schema)]);
    expect(registry.specs()[0].function.parameters).toBe(schema);
  });

  it('when a group tool is named like a static tool, another group tool or the dynamic activity then it is left out', () => {
    const registry = new ToolRegistry([toolNamed('calculator')]);
    registry.replaceGroup('mcp:a', [toolNamed('shared')]);
    const rejected = registry.replaceGroup('mcp:b', [
      toolNamed('calculator'),
      toolNamed('shared'),
      toolNamed('default'),
      toolNamed('b__ok'),
    ]);
    expect(rejected.map((e) => e.message)).toEqual([
      expect.stringContaining('"calculator"') as unknown,
      expect.stringContaining('"shared"') as unknown,
      expect.stringContaining('"default"') as unknown,
    ]);
    expect(names(registry)).toEqual(['calculator', 'shared', 'b__ok']);
  });

  it('when a static tool is named default then the registry refuses it', () => {
    expect(() => new ToolRegistry([toolNamed('default')])).toThrow(/"default".*core activity/);
  });
});
