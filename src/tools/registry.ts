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
  finishTurn: true,
  publishEvents: true,
  summarizeConversation: true,
};

/**
 * Activity types a tool may not take: the core activities, and `default`, the worker's dynamic
 * activity that runs tools which appeared after it started (MCP servers' list changes).
 */
const RESERVED_ACTIVITY_NAMES = new Set<string>([...Object.keys(CORE_ACTIVITY_NAMES), 'default']);

/** A tool's name would replace a core activity or another tool: the worker refuses to start. */
export class ToolNameError extends Error {
  override name = 'ToolNameError';
}

function reservedNameError(name: string): ToolNameError | undefined {
  return RESERVED_ACTIVITY_NAMES.has(name)
    ? new ToolNameError(`Tool "${name}" is named like a core activity of the worker; rename the tool.`)
    : undefined;
}

function assertToolNames(tools: ToolDefinition[]): void {
  const seen = new Set<string>();
  for (const { name } of tools) {
    const reserved = reservedNameError(name);
    if (reserved) throw reserved;
    if (seen.has(name)) throw new ToolNameError(`Tool "${name}" is defined more than once; tool names must be unique.`);
    seen.add(name);
  }
}

function specOf(tool: ToolDefinition): ToolSpec {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters ?? jsonSchemaFor(tool.schema),
    },
  };
}

/**
 * Every tool the agent can call, by name: the static tools (fixed at start) and live groups (an
 * MCP server's tools) that are replaced whenever their source's list changes.
 */
export class ToolRegistry {
  private readonly tools: Map<string, ToolDefinition>;
  private readonly staticSpecs: ToolSpec[];
  private readonly groups = new Map<string, Map<string, ToolDefinition>>();
  private specList: ToolSpec[];

  constructor(
    tools: ToolDefinition[],
    private readonly approval = new ApprovalPolicy(),
  ) {
    assertToolNames(tools);
    this.tools = new Map(tools.map((tool) => [tool.name, tool]));
    this.staticSpecs = tools.map(specOf);
    this.specList = this.staticSpecs;
  }

  get(name: string): ToolDefinition | undefined {
    const fixed = this.tools.get(name);
    if (fixed) return fixed;
    for (const group of this.groups.values()) {
      const tool = group.get(name);
      if (tool) return tool;
    }
    return undefined;
  }

  all(): ToolDefinition[] {
    return [...this.tools.values(), ...[...this.groups.values()].flatMap((group) => [...group.values()])];
  }

  /** Whether this call of tool `name` waits for a person's decision (approval-policy.ts); unknown tools never run. */
  needsApproval(name: string, rawArguments: string): boolean {
    const tool = this.get(name);
    return tool !== undefined && this.approval.needsApproval(tool, rawArguments);
  }

  /** The JSON Schema of tool `name`'s arguments, as the model receives it. */
  parametersOf(name: string): Record<string, unknown> | undefined {
    return this.specList.find((spec) => spec.function.name === name)?.function.parameters;
  }

  /**
   * Replaces a live group's tools (an empty list removes them). A tool named like a static tool,
   * a reserved activity or another group's tool is left out; the errors say which and why.
   */
  replaceGroup(groupName: string, tools: ToolDefinition[]): ToolNameError[] {
    const rejected: ToolNameError[] = [];
    const group = new Map<string, ToolDefinition>();
    for (const tool of tools) {
      const taken =
        reservedNameError(tool.name) ??
        (this.tools.has(tool.name) || group.has(tool.name) || this.inOtherGroup(groupName, tool.name)
          ? new ToolNameError(`Tool "${tool.name}" is defined more than once; this one is left out.`)
          : undefined);
      if (taken) rejected.push(taken);
      else group.set(tool.name, tool);
    }
    if (group.size === 0) this.groups.delete(groupName);
    else this.groups.set(groupName, group);
    this.specList = [...this.staticSpecs, ...[...this.groups.values()].flatMap((g) => [...g.values()].map(specOf))];
    return rejected;
  }

  private inOtherGroup(groupName: string, toolName: string): boolean {
    for (const [name, group] of this.groups) if (name !== groupName && group.has(toolName)) return true;
    return false;
  }

  /** The OpenAI `tools` array as of now: JSON Schema derived from each zod schema, or the tool's own. */
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
