import type { ToolApprovalPolicy, ToolDefinition } from './tool-definition';

/** TOOL_APPROVAL parsed: the fixed policy of each tool it names. */
export type ApprovalOverrides = ReadonlyMap<string, 'never' | 'always'>;

/** `search:never,fs__write_file:always` → a map by tool name (the config schema checked the shape). */
export function parseApprovalOverrides(text: string | undefined): ApprovalOverrides {
  const overrides = new Map<string, 'never' | 'always'>();
  for (const rule of (text ?? '').split(',')) {
    const [name, policy] = rule.split(':').map((s) => s.trim());
    if (name && (policy === 'never' || policy === 'always')) overrides.set(name, policy);
  }
  return overrides;
}

/**
 * Whether one tool call waits for a person's decision: TOOL_APPROVAL's entry for the tool wins over
 * the tool's own policy; absent both, `never`. A rule sees the arguments as the tool's schema parses
 * them (the raw JSON when they do not parse); a rule that throws asks for approval (fail safe).
 */
export class ApprovalPolicy {
  constructor(private readonly overrides: ApprovalOverrides = new Map()) {}

  policyOf(tool: ToolDefinition): ToolApprovalPolicy {
    return this.overrides.get(tool.name) ?? tool.approval ?? 'never';
  }

  needsApproval(tool: ToolDefinition, rawArguments: string): boolean {
    const policy = this.policyOf(tool);
    if (policy === 'never' || policy === 'always') return policy === 'always';
    try {
      return policy(argumentsFor(tool, rawArguments));
    } catch {
      return true;
    }
  }
}

function argumentsFor(tool: ToolDefinition, rawArguments: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawArguments || '{}');
  } catch {
    return rawArguments;
  }
  const checked = tool.schema.safeParse(parsed);
  return checked.success ? checked.data : parsed;
}
