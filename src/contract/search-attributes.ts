/**
 * Custom search attributes of session workflows, so operators can find sessions in the Web UI
 * (e.g. `ChatSessionStatus = "active" AND ChatTurns > 10`). The embedded dev server registers
 * them at launch; a cluster needs `temporal operator search-attribute create` once (README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ChatSessionStatus = defineSearchAttributeKey('ChatSessionStatus', SearchAttributeType.KEYWORD);
export const ChatOwner = defineSearchAttributeKey('ChatOwner', SearchAttributeType.KEYWORD);
export const ChatModel = defineSearchAttributeKey('ChatModel', SearchAttributeType.KEYWORD);
export const ChatTurns = defineSearchAttributeKey('ChatTurns', SearchAttributeType.INT);
export const ChatLastActivity = defineSearchAttributeKey('ChatLastActivity', SearchAttributeType.DATETIME);
/** A tool call of the running turn waits for a person's decision. */
export const ChatAwaitingApproval = defineSearchAttributeKey('ChatAwaitingApproval', SearchAttributeType.BOOL);

/** Every key with the type name the `temporal` CLI expects (`--search-attribute Name=Type`). */
export const CHAT_SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int' | 'Datetime' | 'Bool'> = {
  [ChatSessionStatus.name]: 'Keyword',
  [ChatOwner.name]: 'Keyword',
  [ChatModel.name]: 'Keyword',
  [ChatTurns.name]: 'Int',
  [ChatLastActivity.name]: 'Datetime',
  [ChatAwaitingApproval.name]: 'Bool',
};
