import { z } from 'zod';
import { loadConfig } from '../../src/config';
import { createToolRegistry } from '../../src/tools/registry';
import { defineTool } from '../../src/tools/tool-definition';

function toolNamed(name: string) {
  return defineTool({
    name,
    description: 'a tool from TOOL_MODULES',
    schema: z.object({}),
    policy: { maximumAttempts: 1, timeoutSeconds: 5 },
    cacheable: false,
    idempotent: true,
    run: () => Promise.resolve({ ok: true, value: null }),
  });
}

const config = loadConfig({ WEATHER_PROVIDER: 'offline' });

describe('tool names at worker start', () => {
  it.each(['mirrorSession', 'finishTurn', 'callModel', 'archiveTurn', 'publishEvents', 'recordSessionEnd'])(
    'when a tool module adds a tool named %s then the registry refuses it by name',
    (name) => {
      expect(() => createToolRegistry(config, [toolNamed(name)])).toThrow(new RegExp(`"${name}".*core activity`));
    },
  );

  it('when a tool module adds a second tool named like a built-in then the registry refuses it', () => {
    expect(() => createToolRegistry(config, [toolNamed('calculator')])).toThrow(/"calculator".*more than once/);
  });
});
