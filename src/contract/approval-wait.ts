/**
 * What the workflow's approval wait needs at run time, without zod (tool-approval.ts holds the
 * schemas; workflows import those as types only, so zod stays out of the workflow bundle).
 */

/** Failure types the `decideToolCall` update's validator throws; the API maps them to 404 and 409. */
export const APPROVAL_NOT_FOUND = 'ApprovalNotFound';
export const APPROVAL_ALREADY_DECIDED = 'ApprovalAlreadyDecided';

/** Calls a session waits for when its settings name no timeout. */
export const DEFAULT_TOOL_APPROVAL_TIMEOUT = '24 hours';
