import { Context } from '@temporalio/activity';
import type { SummarizeConversationInput } from '../src/contract/activity-io';
import type { ConversationSummary } from '../src/contract/conversation';
import { summaryRequest } from '../src/llm/conversation-summary';
import type { ModelRouter } from '../src/llm/model-router';
import { findSummary, loadSummary, loadTurns, type ConversationSources } from './conversation-messages';

export interface SummarizeDeps extends ConversationSources {
  models: ModelRouter;
}

/**
 * `summarizeConversation`: the previous summary and the turns of the range, summarised by the
 * session's model chain (each model once, in order; the offline model last when configured). The
 * summary is archived and stored in Redis before it is returned, so later calls refer to it by `through`.
 */
export function createSummarizeConversation(deps: SummarizeDeps) {
  return async function summarizeConversation(input: SummarizeConversationInput): Promise<ConversationSummary> {
    const ctx = Context.current();
    const { session_id: sessionId, range } = input;
    const cached = await findSummary(deps, sessionId, range.to);
    if (cached) return cached;
    const previous =
      input.previous_text ??
      (input.previous_through === undefined
        ? undefined
        : (await loadSummary(deps, sessionId, input.previous_through)).text);
    const turns = await loadTurns(deps, sessionId, range);
    const messages = summaryRequest(previous, turns, input.max_chars);
    const chain = [...input.models, ...(input.offline_fallback_model ? [input.offline_fallback_model] : [])];
    for (const name of chain) {
      const route = deps.models.get(name);
      if (!route) continue;
      try {
        const completion = await route.client.chat.completions.create(
          { model: name, messages, temperature: 0, max_tokens: Math.ceil(input.max_chars / 3) },
          { signal: ctx.cancellationSignal },
        );
        const text = completion.choices[0]?.message?.content?.trim();
        if (!text) continue;
        const summary = { through: range.to, text: text.slice(0, input.max_chars) };
        await deps.history.archiveSummary(sessionId, summary);
        await deps.conversation.putSummary(sessionId, summary);
        return summary;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw err;
        ctx.log.warn('summary model failed; trying the next', {
          session_id: sessionId,
          model: name,
          error: (err as Error).message,
        });
      }
    }
    throw new Error(`No model could summarise turns ${range.from}-${range.to}`);
  };
}
