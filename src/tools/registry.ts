import { z } from 'zod';
import type { Config } from '../config';
import type { SessionActivities } from '../contract/activity-io';
import { ApprovalPolicy, parseApprovalOverrides } from './approval-policy';
import { calculatorTool } from './calculator';
import { createSearchTool } from './search';
import type { ToolDefinition } from './tool-definition';
import { createWeatherTool } from './weather';

export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/**
 * The worker registers each tool as an activity under its name: a tool named like a core activity
 * would replace it. The Record makes a new core activity a compile error until it is listed here.
 */
const CORE_ACTIVITY_NAMES: Record<keyof SessionActivities, true> = {
  callModel: true,
  archiveTurn: true,
  recordSessionEnd: true,
  mirrorSession: true,
  publishEvents: true,
};

/** A tool's name would replace a core activity or another tool: the worker refuses to start. */
export class ToolNameError extends Error {
  override name = 'ToolNameError';
}

function assertToolNames(tools: ToolDefinition[]): void {
  const seen = new Set<string>();
  for (const { name } of tools) {
    if (Object.hasOwn(CORE_ACTIVITY_NAMES, name))
      throw new ToolNameError(`Tool "${name}" is named like a core activity of the worker; rename the tool.`);
    if (seen.has(name)) throw new ToolNameError(`Tool "${name}" is defined more than once; tool names must be unique.`);
    seen.add(name);
  }
}

/** Every tool the agent can call, by name. */
export class ToolRegistry {
  private readonly tools: Map<string, ToolDefinition>;
  private readonly specList: ToolSpec[];

  constructor(
    tools: ToolDefinition[],
    private readonly approval = new ApprovalPolicy(),
  ) {
    assertToolNames(tools);
    this.tools = new Map(tools.map((tool) => [tool.name, tool]));
    this.specList = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters ?? jsonSchemaFor(tool.schema),
      },
    }));
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name);
  }

  all(): ToolDefinition[] {
    return [...this.tools.values()];
  }

  /** Whether this call of tool `name` waits for a person's decision (approval-policy.ts); unknown tools never run. */
  needsApproval(name: string, rawArguments: string): boolean {
    const tool = this.tools.get(name);
    return tool !== undefined && this.approval.needsApproval(tool, rawArguments);
  }

  /** The JSON Schema of tool `name`'s arguments, as the model receives it. */
  parametersOf(name: string): Record<string, unknown> | undefined {
    return this.specList.find((spec) => spec.function.name === name)?.function.parameters;
  }

  /** The OpenAI `tools` array, JSON Schema derived from each zod schema (built once). */
  specs(): ToolSpec[] {
    return this.specList;
  }
}

function jsonSchemaFor(schema: z.ZodType): Record<string, unknown> {
  // `io: 'input'` so defaulted fields stay optional; some providers reject the `$schema` marker.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The registry for a process. Adding a tool: one file, one line here (or a TOOL_MODULES module, passed as `extra`). */
export function createToolRegistry(config: Config, extra: ToolDefinition[] = []): ToolRegistry {
  return new ToolRegistry(
    [
      calculatorTool,
      createWeatherTool({
        provider: config.WEATHER_PROVIDER,
        geocodingUrl: config.WEATHER_GEOCODING_URL,
        forecastUrl: config.WEATHER_FORECAST_URL,
        timeoutMs: config.TOOL_HTTP_TIMEOUT_MS,
      }),
      createSearchTool({
        provider: config.SEARCH_PROVIDER,
        tavilyUrl: config.TAVILY_URL,
        tavilyApiKey: config.TAVILY_API_KEY,
        searxngUrl: config.SEARXNG_URL,
        timeoutMs: config.TOOL_HTTP_TIMEOUT_MS,
      }),
      ...extra,
    ],
    new ApprovalPolicy(parseApprovalOverrides(config.TOOL_APPROVAL)),
  );
}
