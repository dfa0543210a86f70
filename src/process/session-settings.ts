import type { Config } from '../config';
import type { SessionSettings } from '../contract/session';
import { OFFLINE_MODEL_NAME, providerLabels } from '../llm/model-list';

/** Session settings fixed at session start (recorded in the workflow input, visible in the Web UI). */
export function sessionSettings(config: Config): SessionSettings {
  const providers = providerLabels(config.llm.models);
  return {
    system_prompt: config.SYSTEM_PROMPT,
    history_window_messages: config.HISTORY_WINDOW_MESSAGES,
    history_token_budget: config.HISTORY_TOKEN_BUDGET,
    max_tool_steps: config.MAX_TOOL_STEPS,
    idle_timeout: config.SESSION_IDLE_TIMEOUT,
    models: config.llm.models.map((m, i) => ({
      name: m.name,
      supports_tools: m.supportsTools,
      provider: providers[i],
    })),
    offline_fallback_model: config.llm.offlineFallback ? OFFLINE_MODEL_NAME : null,
    model_timeout_seconds: config.LLM_TIMEOUT_SECONDS,
    model_max_attempts: config.LLM_MAX_ATTEMPTS,
    model_retry_initial_ms: config.LLM_RETRY_INITIAL_MS,
    model_heartbeat_timeout_seconds: config.LLM_HEARTBEAT_TIMEOUT_SECONDS,
    store_retry_max_interval_ms: config.STORE_RETRY_MAX_INTERVAL_MS,
    continue_as_new_after_turns: config.SESSION_CONTINUE_AS_NEW_TURNS,
    max_pending_messages: config.SESSION_MAX_PENDING,
    max_session_tokens: config.SESSION_MAX_TOKENS,
    max_session_cost: config.SESSION_MAX_COST,
    search_attributes: config.TEMPORAL_SEARCH_ATTRIBUTES,
    tool_approval_timeout: config.TOOL_APPROVAL_TIMEOUT,
    history_by_reference: config.HISTORY_BY_REFERENCE,
    conversation_summaries: config.CONVERSATION_SUMMARIES_ENABLED,
  };
}
