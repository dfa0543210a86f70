import type { ModelToolCall } from '../../src/contract/activity-io';
import { echo, type ModelScript } from './stub-activities';

/** The JSON Schema the stub model's gated calls carry (as callModel sets it for calls that may wait). */
export const CALCULATOR_PARAMETERS = {
  type: 'object',
  properties: { expression: { type: 'string' } },
  required: ['expression'],
};
const policy = { maximum_attempts: 1, timeout_seconds: 10 };

/**
 * For the workflow unit tests: "gated …" asks for one calculator call that needs approval
 * ("ask-<turn>"); "gated and free …" adds one that does not ("free-<turn>"). After the tools the
 * model answers with the tool messages it got; anything else is echoed.
 */
export const approvalStubScript: ModelScript = (input) => {
  const last = input.messages.at(-1);
  if (last?.role === 'tool') {
    const results = input.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    return { content: `tools said ${JSON.stringify(results)}` };
  }
  if (last?.role === 'user' && last.content?.startsWith('gated')) {
    const ask: ModelToolCall = {
      id: `ask-${input.turn_id}`,
      name: 'calculator',
      arguments: '{"expression":"1+1"}',
      known: true,
      policy,
      needs_approval: true,
      parameters: CALCULATOR_PARAMETERS,
    };
    const free: ModelToolCall = {
      id: `free-${input.turn_id}`,
      name: 'calculator',
      arguments: '{}',
      known: true,
      policy,
    };
    return { tool_calls: last.content.startsWith('gated and free') ? [ask, free] : [ask] };
  }
  return echo(input);
};
