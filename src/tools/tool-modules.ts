import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config';
import type { ToolDefinition } from './tool-definition';

/** A module named in TOOL_MODULES does not export `createTools`, or it returned no tool list. */
export class ToolModuleError extends Error {
  override name = 'ToolModuleError';
}

/**
 * Extra tools from TOOL_MODULES: each module exports `createTools(config)` returning tool
 * definitions. Lets a deployment (or a test) add tools without editing the registry.
 */
export async function loadToolModules(config: Config): Promise<ToolDefinition[]> {
  const specs = (config.TOOL_MODULES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const tools: ToolDefinition[] = [];
  for (const spec of specs) {
    const url = spec.startsWith('.') || path.isAbsolute(spec) ? pathToFileURL(path.resolve(spec)).href : spec;
    const loaded = (await import(url)) as { createTools?: unknown; default?: { createTools?: unknown } };
    const createTools = loaded.createTools ?? loaded.default?.createTools;
    if (typeof createTools !== 'function')
      throw new ToolModuleError(`Tool module ${spec} does not export createTools(config)`);
    const created: unknown = await (createTools as (config: Config) => unknown)(config);
    if (!Array.isArray(created)) throw new ToolModuleError(`createTools in ${spec} did not return an array of tools`);
    tools.push(...(created as ToolDefinition[]));
  }
  return tools;
}
