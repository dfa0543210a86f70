import { z } from 'zod';
import type { ApprovalAnswer } from '../../contract/tool-approval';
import { ValidationError } from '../../errors';
import type { ApprovalRequest } from '../requests/request-schemas';
import type { Principal } from '../security/principal-of';
import type { SessionAccess } from './session-access';
import type { SessionWorkflows } from './session-workflows';

/**
 * Decisions on tool calls waiting for approval. The workflow's update validator is the authority on
 * whether the call still waits (404 unknown, 409 already resolved); edited arguments are checked here,
 * against the JSON Schema the pending call carries, before anything reaches the workflow.
 */
export class ToolCallApprovals {
  constructor(
    private readonly access: SessionAccess,
    private readonly workflows: SessionWorkflows,
  ) {}

  async decide(sessionId: string, callId: string, owner: Principal, request: ApprovalRequest): Promise<ApprovalAnswer> {
    await this.access.authorize(sessionId, owner);
    if (request.arguments !== undefined) await this.checkArguments(sessionId, callId, request.arguments);
    return this.workflows.decideToolCall(sessionId, {
      call_id: callId,
      approve: request.approve,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      ...(request.arguments !== undefined ? { arguments: JSON.stringify(request.arguments) } : {}),
    });
  }

  /** 422 with the schema's issues when the edited arguments do not match the pending call's tool schema. */
  private async checkArguments(sessionId: string, callId: string, args: Record<string, unknown>): Promise<void> {
    const view = await this.workflows.queryState(sessionId);
    const parameters = view.pending_approvals?.find((p) => p.call_id === callId)?.parameters;
    // Not pending (any more): the update refuses it with 404 or 409.
    if (!parameters) return;
    const checked = z.fromJSONSchema(parameters).safeParse(args);
    if (checked.success) return;
    throw new ValidationError(
      "arguments do not match the tool's schema",
      checked.error.issues.map((issue) => ({
        field: ['arguments', ...issue.path].join('.'),
        message: issue.message,
      })),
    );
  }
}
