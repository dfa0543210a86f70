import { runTool } from '../../activities/tool-activities';
import { calculatorTool } from '../../src/tools/calculator';
import { loadConfig } from '../../src/config';
import { createToolRegistry } from '../../src/tools/registry';
import { parseJson } from '../helpers/http';

const registry = createToolRegistry(loadConfig({ WEATHER_PROVIDER: 'offline' }));

describe('tool execution and registry', () => {
  it('when arguments are not JSON then the model gets an error result', async () => {
    const result = await runTool(calculatorTool, {
      session_id: 's',
      turn_id: 't',
      call_id: 'c',
      arguments: '{"expression": ',
    });
    expect(result.ok).toBe(false);
    expect(parseJson<{ error?: string }>(result.content).error).toMatch(/not valid JSON/);
  });

  it('when arguments fail the schema then the error names the field', async () => {
    const result = await runTool(calculatorTool, {
      session_id: 's',
      turn_id: 't',
      call_id: 'c',
      arguments: '{"expression": 42}',
    });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/expression/);
  });

  it('when arguments are valid then the content is the JSON result', async () => {
    const result = await runTool(calculatorTool, {
      session_id: 's',
      turn_id: 't',
      call_id: 'c',
      arguments: '{"expression": "6*7"}',
    });
    expect(result).toMatchObject({ ok: true, provider: 'mathjs' });
    expect(JSON.parse(result.content)).toEqual({ expression: '6*7', result: 42 });
  });

  it('when specs are built then each registered tool has a JSON Schema without $schema', () => {
    const specs = registry.specs();
    expect(specs.map((s) => s.function.name)).toEqual(['calculator', 'weather', 'search']);
    const calc = specs.find((s) => s.function.name === 'calculator');
    expect(calc?.function.parameters).toMatchObject({ type: 'object', required: ['expression'] });
    expect(calc?.function.parameters).not.toHaveProperty('$schema');
  });
});
