import type { SearchAttributePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  ChatAwaitingApproval,
  ChatLastActivity,
  ChatModel,
  ChatSessionStatus,
  ChatTurns,
} from '../src/contract/search-attributes';
import type { SessionState } from '../src/contract/session';
import type { PendingApproval } from '../src/contract/tool-approval';
import { sessionDetails } from './session-details';

/** The Web UI's current-details pane: title, status, totals, last exchange. */
export function showSessionDetails(state: SessionState): void {
  setCurrentDetails(sessionDetails(state));
}

/**
 * What operators see in the Web UI after a turn or at the end: the details pane and, when the
 * namespace has them (`searchAttributes`), the Chat* search attributes; `ChatModel` only when
 * `lastModel` is given (after a turn).
 */
export function publishToOperators(
  state: SessionState,
  searchAttributes: boolean,
  lastModel?: string,
  onlyChanged = false,
): void {
  showSessionDetails(state);
  if (!searchAttributes) return;
  const pairs: SearchAttributePair[] = [
    { key: ChatSessionStatus, value: state.status },
    { key: ChatTurns, value: state.turns },
    { key: ChatLastActivity, value: new Date(state.last_activity_at) },
    ...(lastModel ? [{ key: ChatModel, value: lastModel }] : []),
  ];
  // An upsert is a command in history: only the values that differ from what the run shows.
  const changed = onlyChanged ? pairs.filter((pair) => !isShown(pair)) : pairs;
  if (changed.length > 0) upsertSearchAttributes(changed);
}

/** The run's search attribute already holds this value (carried across continue-as-new too). */
function isShown({ key, value }: SearchAttributePair): boolean {
  const shown: unknown = workflowInfo().typedSearchAttributes.get(key);
  return shown instanceof Date && value instanceof Date ? shown.getTime() === value.getTime() : shown === value;
}

/**
 * While tool calls wait for a decision: the details pane says which, and `ChatAwaitingApproval` lets
 * an operator find every waiting session (`ChatAwaitingApproval = true`).
 */
export function showAwaitingApproval(
  state: SessionState,
  pending: PendingApproval[],
  searchAttributes: boolean,
  wasAwaiting: boolean,
): void {
  setCurrentDetails(sessionDetails(state, pending));
  // An upsert is a command in history: only when the answer to "is it waiting?" changes.
  const awaiting = pending.length > 0;
  if (searchAttributes && awaiting !== wasAwaiting)
    upsertSearchAttributes([{ key: ChatAwaitingApproval, value: awaiting }]);
}
